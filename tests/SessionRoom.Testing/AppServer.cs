using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

using Xunit;

namespace SessionRoom.Testing;

/// <summary>
/// The real, built SessionRoom app as a child process on a free loopback port, with its own
/// temporary data folder and a known facilitator key. Can be killed (SIGKILL) and started again on
/// the same data folder.
/// </summary>
public sealed class AppServer : IAsyncLifetime
{

    public const string FacilitatorKey = "e2e-facilitator-key-0123456789";

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>The app to start; null for the solution's own build of SessionRoom.Web.</summary>
    public string? Dll { get; init; }

    /// <summary>Extra configuration, passed as <c>--key=value</c>.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The data folder; servers of one deployment can be given the same one (one SQLite file).</summary>
    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "sessionroom-e2e-" + Guid.NewGuid().ToString("N"));

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (BaseUrl.Length == 0)
        {
            BaseUrl = $"http://127.0.0.1:{FreePort()}";
        }
        var appDll = Dll ?? Repo.WebDll();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl);
        start.ArgumentList.Add($"--SessionRoom:DataDirectory={DataDirectory}");
        start.ArgumentList.Add($"--SessionRoom:FacilitatorKey={FacilitatorKey}");
        if (Dll is null)
        {
            // The build output has no web root of its own; a published app (dll given) carries one.
            start.ArgumentList.Add($"--SessionRoom:WebRoot={Path.Combine(Repo.Root, "wwwroot")}");
        }
        foreach (var (key, value) in Settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                var response = await http.GetAsync($"{BaseUrl}/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first start.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The app did not become healthy within 60 s:\n{Output}");
    }

    /// <summary>Kills the app at once (SIGKILL: no shutdown, no flush), keeping its data folder and port.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public Task DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        return Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>A loopback port nobody listens on just now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Paths in the repository, found from the test assembly's location.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Screenshots go here, for people to look at (git-ignored).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(Root, "artifacts", "screenshots")).FullName;

    /// <summary>The web app built in the same configuration as these tests (the test script builds the whole solution).</summary>
    public static string WebDll()
    {
        if (Environment.GetEnvironmentVariable("SESSIONROOM_WEB_DLL") is { Length: > 0 } configured)
        {
            return configured;
        }
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(Root, "src", "SessionRoom.Web", "bin", configuration, "net10.0", "SessionRoom.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
    }

    private static string FindRoot()
    {
        // From the test binaries (the usual build), else from this source file (builds with --artifacts-path).
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(SourceFile())! })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SessionRoom.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("SessionRoom.sln not found above " + AppContext.BaseDirectory);
    }

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
