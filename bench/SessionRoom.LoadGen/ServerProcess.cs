using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SessionRoom.LoadGen;

/// <summary>A server under test as a child process on a free loopback port, healthy before it is used, killed at the end.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly string? _dataDirectory;

    private ServerProcess(Process process, string baseUrl, string? dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
    }

    public string BaseUrl { get; }

    public int Pid => _process.Id;

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ServerProcess> StartAsync(
        string fileName, IEnumerable<string> arguments, string baseUrl, string? workingDirectory, string? dataDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var server = new ServerProcess(process, baseUrl, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Tail}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"{BaseUrl}/healthz"));
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
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not become healthy within 60 s:\n{Tail}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _process.Dispose();
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}

/// <summary>Linux process and machine figures from /proc.</summary>
internal static class Proc
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds (user + system) the process has used.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resident set size (VmRSS) in MB, or NaN when the process is gone.</summary>
    public static double RssMb(int pid) => StatusKb(pid, "VmRSS:") / 1024.0;

    public static double RssMb(IEnumerable<int> pids) => pids.Sum(RssMb);

    /// <summary>Peak resident set size (VmHWM) in MB since start or since <see cref="ResetPeak"/>.</summary>
    public static double PeakRssMb(int pid) => StatusKb(pid, "VmHWM:") / 1024.0;

    /// <summary>Resets VmHWM (Linux 4.0+: writing 5 to clear_refs); false where that is not allowed.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Busy and total CPU seconds of the whole machine (every process, other people's builds included).</summary>
    public static (double Busy, double Total) MachineCpuSeconds()
    {
        using var reader = new StreamReader("/proc/stat");
        var parts = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = parts.Skip(1).Take(8).Select(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var total = values.Sum();
        var idle = values[3] + values[4];
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }

    private static double StatusKb(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return double.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process is gone.
        }
        return double.NaN;
    }
}

/// <summary>
/// CPU and memory over one measured window: the server's CPU (cores used on average), its peak RSS
/// (VmHWM reset at the start, and VmRSS sampled every 50 ms), the generator's own CPU and the
/// whole machine's, so a reader can tell who was busy.
/// </summary>
internal sealed class Window : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private readonly double _serverCpu;
    private readonly double _generatorCpu;
    private readonly (double Busy, double Total) _machine;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly bool _hwmReset;
    private double _peakRssMb;

    /// <param name="pids">The server's processes (two for a two-server target): CPU and RSS are their sums.</param>
    public Window(IReadOnlyList<int> pids)
    {
        _pids = pids;
        // A kernel high-water mark is per process; it adds up to the peak only for one process.
        _hwmReset = pids.Count == 1 && Proc.ResetPeak(pids[0]);
        _serverCpu = pids.Sum(Proc.CpuSeconds);
        _generatorCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        _machine = Proc.MachineCpuSeconds();
        StartRssMb = Proc.RssMb(pids);
        _peakRssMb = StartRssMb;
        _sampler = Task.Run(SampleAsync);
    }

    public double StartRssMb { get; }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var rss = Proc.RssMb(_pids);
                if (rss > _peakRssMb)
                {
                    _peakRssMb = rss;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    /// <summary>Ends the window: CPU over its length, peak and current RSS.</summary>
    public async Task<Usage> EndAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        var seconds = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        var machine = Proc.MachineCpuSeconds();
        var machineTotal = machine.Total - _machine.Total;
        var cores = Environment.ProcessorCount;
        var peak = _peakRssMb;
        if (_hwmReset && Proc.PeakRssMb(_pids[0]) is var hwm && hwm > peak)
        {
            peak = hwm;
        }
        return new Usage(
            Seconds: seconds,
            ServerCpuCores: (_pids.Sum(Proc.CpuSeconds) - _serverCpu) / seconds,
            GeneratorCpuCores: (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _generatorCpu) / seconds,
            MachineBusyCores: machineTotal > 0 ? (machine.Busy - _machine.Busy) / machineTotal * cores : double.NaN,
            ServerPeakRssMb: peak,
            ServerRssMb: Proc.RssMb(_pids));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _sampler;
        }
        _stop.Dispose();
    }
}

internal sealed record Usage(double Seconds, double ServerCpuCores, double GeneratorCpuCores, double MachineBusyCores, double ServerPeakRssMb, double ServerRssMb);
