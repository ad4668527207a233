using System.Text;
using System.Text.Json;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// The figures of the hardening tests (fuzzing, fault injection), one JSON line per test run, appended to
/// <c>&lt;area&gt;.jsonl</c> in <c>$SESSIONROOM_RELIABILITY_DIR</c>, or in <c>artifacts/reliability</c> under the
/// repository root (the folder that holds SessionRoom.sln; git-ignored) when that is not set.
/// </summary>
/// <remarks>
/// A row is <c>{"utc", "area", "scenario", "repetitions", "outcome", ...figures}</c>: the figures are flattened into
/// the row, so <c>jq</c> reads them directly; a figure named like one of the five fixed fields is written as
/// <c>figure.&lt;name&gt;</c> instead of overwriting it. Writing never fails a test: a row that cannot be written is
/// reported on standard error and dropped.
/// </remarks>
public static class ReliabilityLog
{
    /// <summary>The environment variable that names the folder the rows go to.</summary>
    public const string DirectoryVariable = "SESSIONROOM_RELIABILITY_DIR";

    private static readonly Lock Gate = new();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private static readonly string[] Fixed = ["utc", "area", "scenario", "repetitions", "outcome"];

    /// <summary>Where the rows go (created on first write).</summary>
    public static string Directory { get; } = ResolveDirectory();

    /// <summary>The file the rows of <paramref name="area"/> go to.</summary>
    public static string FileFor(string area) => Path.Combine(Directory, SafeName(area) + ".jsonl");

    /// <summary>Appends one row for one test run.</summary>
    /// <param name="area">What kind of hardening test: <c>fuzz</c>, <c>fault</c>, ... (also the file name).</param>
    /// <param name="scenario">Which test or case, e.g. <c>hub-methods</c>.</param>
    /// <param name="repetitions">How many inputs, calls or rounds the run tried.</param>
    /// <param name="outcome"><c>pass</c> or <c>fail</c>, or a short word of the test's own.</param>
    /// <param name="figures">Anything else worth keeping: seed, counts, durations.</param>
    public static void Record(string area, string scenario, int repetitions, string outcome, IDictionary<string, object>? figures = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(area);
        ArgumentException.ThrowIfNullOrWhiteSpace(scenario);
        var row = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["area"] = area,
            ["scenario"] = scenario,
            ["repetitions"] = repetitions,
            ["outcome"] = outcome,
        };
        foreach (var (name, value) in figures ?? new Dictionary<string, object>())
        {
            row[Fixed.Contains(name, StringComparer.Ordinal) ? "figure." + name : name] = value;
        }
        var line = JsonSerializer.Serialize(row, Json) + "\n";
        lock (Gate)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    System.IO.Directory.CreateDirectory(Directory);
                    // Another test process may append at the same moment: open exclusively, retry briefly.
                    using var file = new FileStream(FileFor(area), FileMode.Append, FileAccess.Write, FileShare.Read);
                    file.Write(Encoding.UTF8.GetBytes(line));
                    return;
                }
                catch (IOException) when (attempt < 20)
                {
                    Thread.Sleep(25);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"ReliabilityLog: could not write to {FileFor(area)}: {e.Message}");
                    return;
                }
            }
        }
    }

    private static string ResolveDirectory()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }
        return Path.Combine(SessionRoom.Testing.Repo.Root, "artifacts", "reliability");
    }

    private static string SafeName(string area)
    {
        var chars = area.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        return new string(chars);
    }
}
