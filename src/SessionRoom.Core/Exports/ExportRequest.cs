using System.Globalization;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Exports;

/// <summary>The export formats of <c>GET /api/sessions/{id}/export?format=</c>, with their file types.</summary>
public static class ExportFormats
{
    public const string Csv = "csv";
    public const string Json = "json";
    public const string Markdown = "md";
    public const string WebVtt = "vtt";

    public static readonly IReadOnlyList<string> All = [Csv, Json, Markdown, WebVtt];

    /// <summary>The Content-Type of a file of this format.</summary>
    public static string ContentType(string format) => format switch
    {
        Csv => "text/csv; charset=utf-8",
        Json => "application/json; charset=utf-8",
        Markdown => "text/markdown; charset=utf-8",
        WebVtt => "text/vtt; charset=utf-8",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format."),
    };
}

/// <summary>A checked export request: the format, whether people appear with their names, and the subtitle shift.</summary>
public sealed record ExportRequest(string Format, bool IncludeNames, long OffsetMs)
{
    /// <summary>The largest subtitle shift either way: one day.</summary>
    public const long MaxOffsetMs = 86_400_000;

    /// <summary>
    /// Checks the query values as sent (null when absent) and throws <see cref="InputException"/> naming every bad one:
    /// <c>format</c> is required and one of <see cref="ExportFormats.All"/> (any case); <c>includeNames</c> is
    /// <c>true</c> or <c>false</c>; <c>offsetMs</c> a whole number within ±<see cref="MaxOffsetMs"/>.
    /// </summary>
    public static ExportRequest Parse(string? format, string? includeNames, string? offsetMs)
    {
        var errors = new ValidationErrors();
        var allowed = string.Join(", ", ExportFormats.All);
        var chosen = format?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(chosen))
        {
            errors.Add("format", $"Choose the file format: format is one of {allowed}.");
        }
        else if (!ExportFormats.All.Contains(chosen))
        {
            errors.Add("format", $"format must be one of {allowed}.");
        }

        var names = false;
        if (includeNames is not null && !TryParseBool(includeNames, out names))
        {
            errors.Add("includeNames", "includeNames is true or false.");
        }

        long offset = 0;
        if (offsetMs is not null)
        {
            if (!long.TryParse(offsetMs, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset))
            {
                errors.Add("offsetMs", "offsetMs is a whole number of milliseconds, for example 1500 or -1500.");
            }
            else if (offset is < -MaxOffsetMs or > MaxOffsetMs)
            {
                errors.Add("offsetMs", $"offsetMs must lie between -{MaxOffsetMs:N0} and {MaxOffsetMs:N0} (one day).");
            }
        }

        errors.ThrowIfAny();
        return new ExportRequest(chosen!, names, offset);
    }

    /// <summary>The download's name: an ASCII slug of the title, the session's date (UTC) and the format's extension.</summary>
    public static string FileName(string title, DateTimeOffset date, string format) =>
        $"{ExportNames.Slug(title)}-{date.UtcDateTime:yyyyMMdd}.{format}";

    private static bool TryParseBool(string value, out bool result)
    {
        result = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
        return result || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
    }
}
