using System.Diagnostics;
using HdrHistogram;

namespace SessionRoom.LoadGen;

/// <summary>The five workloads of issue 7, each run the same way against every target (docs/benchmarks.md).</summary>
internal static class Scenario
{
    public const string Idle = "idle";
    public const string Notes = "notes";
    public const string Fanout = "fanout";
    public const string Storm = "storm";
    public const string Slow = "slow";

    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    public static Task<Figures> RunAsync(string name, Target target, BenchOptions options, CancellationToken cancellationToken) => name switch
    {
        Idle => IdleAsync(target, options, cancellationToken),
        Notes => NotesAsync(target, options, cancellationToken),
        Fanout => FanoutAsync(target, options, cancellationToken),
        Storm => StormAsync(target, options, cancellationToken),
        Slow => SlowAsync(target, options, cancellationToken),
        _ => throw new UsageException($"Unknown scenario '{name}': use {Idle}, {Notes}, {Fanout}, {Storm} or {Slow}."),
    };

    /// <summary>N participants connect and stay idle: the server's memory per connection.</summary>
    private static async Task<Figures> IdleAsync(Target target, BenchOptions o, CancellationToken cancellationToken)
    {
        var pids = target.Pids;
        await using var room = await target.CreateRoomAsync(new RoomSpec(o.IdleClients, 0, Buffers.Text(o.PromptLength, "prompt")));
        await Task.Delay(Settle, cancellationToken);
        var before = Proc.RssMb(pids);
        await using var window = new Window(pids);
        var connecting = Stopwatch.StartNew();
        var failed = await Room.ConnectAsync(room.Participants, cancellationToken);
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        // Presence events, first-connection allocations and GC settle before RSS is read.
        await Task.Delay(o.Smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(3), cancellationToken);
        var usage = await window.EndAsync();
        var f = new Figures
        {
            ["clients"] = room.Participants.Count - failed,
            ["errors"] = failed,
            ["lost"] = 0,
            ["duplicated"] = 0,
            ["connectSeconds"] = connectSeconds,
            ["rssBeforeMb"] = before,
            ["perConnectionKb"] = (usage.ServerRssMb - before) * 1024 / Math.Max(1, room.Participants.Count - failed),
        };
        f.Add(usage);
        return f;
    }

    /// <summary>Observers write backroom notes at a fixed total rate; the facilitator and every observer receive each one.</summary>
    private static async Task<Figures> NotesAsync(Target target, BenchOptions o, CancellationToken cancellationToken)
    {
        await using var room = await target.CreateRoomAsync(new RoomSpec(o.NotesParticipants, o.NotesObservers, Buffers.Text(o.PromptLength, "prompt")));
        await room.ConnectAllAsync(cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var note = Buffers.Text(o.NoteLength, "hesitates at the price");
        var ledger = new Ledger(room.All);
        await using var window = new Window(target.Pids);
        await PacedAsync(o.NotesRate, o.NotesDuration, (k, due) => ledger.Send(room.Observers[(int)(k % room.Observers.Count)], WriteKind.Note, due, note, 0), cancellationToken);
        var drained = await ledger.DrainAsync(o.DrainTimeout, o.DrainQuiet);
        var usage = await window.EndAsync();
        var f = ledger.Close();
        f.Add(usage);
        f["clients"] = room.All.Count;
        f["offeredPerSec"] = o.NotesRate;
        f["drained"] = drained ? 1 : 0;
        f["generatorBound"] = GeneratorBound(f, usage);
        LogFirstError(ledger);
        return f;
    }

    /// <summary>
    /// The facilitator shows prompts to everybody as fast as they are delivered, with a fixed number
    /// of prompts in flight (a prompt is done when every connection has it): deliveries per second at
    /// saturation, and the latency at that load.
    /// </summary>
    private static async Task<Figures> FanoutAsync(Target target, BenchOptions o, CancellationToken cancellationToken)
    {
        await using var room = await target.CreateRoomAsync(new RoomSpec(o.FanoutParticipants, o.FanoutObservers, Buffers.Text(o.PromptLength, "what do you use today")));
        await room.ConnectAllAsync(cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var ledger = new Ledger(room.All);
        // Not disposed: a late delivery may still release it after the phase.
        var slots = new SemaphoreSlim(o.FanoutWindow);
        var stalls = 0;
        await using var window = new Window(target.Pids);
        var end = Stopwatch.GetTimestamp() + Ticks(o.FanoutDuration);
        var prompt = 0;
        while (Stopwatch.GetTimestamp() < end)
        {
            if (!await slots.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken))
            {
                // A prompt never reached everybody: go on (it is counted as lost) rather than hang.
                stalls++;
            }
            ledger.Send(room.Facilitator, WriteKind.Prompt, Stopwatch.GetTimestamp(), "", prompt++, () => slots.Release());
        }
        var drained = await ledger.DrainAsync(o.DrainTimeout, o.DrainQuiet);
        var usage = await window.EndAsync();
        var f = ledger.Close();
        f.Add(usage);
        f["clients"] = room.All.Count;
        f["window"] = o.FanoutWindow;
        f["stalls"] = stalls;
        f["drained"] = drained ? 1 : 0;
        f["generatorBound"] = GeneratorBound(f, usage);
        LogFirstError(ledger);
        return f;
    }

    /// <summary>
    /// Every participant reacts at the same moment, in waves; each reaction is a room event for
    /// everybody. Meanwhile a separate thread probes GET /healthz every 20 ms: is the server still responsive?
    /// </summary>
    private static async Task<Figures> StormAsync(Target target, BenchOptions o, CancellationToken cancellationToken)
    {
        await using var room = await target.CreateRoomAsync(new RoomSpec(o.StormParticipants, o.StormObservers, Buffers.Text(o.PromptLength, "prompt")));
        await room.ConnectAllAsync(cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var ledger = new Ledger(room.All);
        using var probe = new HealthProbe(target.Server.BaseUrl);
        await using var window = new Window(target.Pids);
        probe.Start();
        var waves = new List<double>();
        var drained = true;
        for (var wave = 0; wave < o.StormWaves; wave++)
        {
            var due = Stopwatch.GetTimestamp();
            foreach (var participant in room.Participants)
            {
                ledger.Send(participant, WriteKind.Reaction, due, "", 0);
            }
            drained &= await ledger.DrainAsync(o.DrainTimeout, o.DrainQuiet);
            waves.Add(Stopwatch.GetElapsedTime(due).TotalSeconds);
            await Task.Delay(Settle, cancellationToken);
        }
        probe.Stop();
        var usage = await window.EndAsync();
        var f = ledger.Close();
        f.Add(usage);
        f["clients"] = room.All.Count;
        f["reactionsPerWave"] = room.Participants.Count;
        f["waveSeconds"] = Median(waves);
        f["drained"] = drained ? 1 : 0;
        f.AddLatency("health", probe.Latency);
        f["healthFailures"] = probe.Failures;
        f["generatorBound"] = GeneratorBound(f, usage);
        LogFirstError(ledger);
        return f;
    }

    /// <summary>
    /// A fixed load, first with every connection reading ("normal"), then with 1% more connections
    /// that never read: the facilitator shows ~2 KB prompts to everybody and the observers write ~4 KB
    /// notes to the backroom. The stalled connections are observers, so they are sent both streams
    /// (about 450 KB/s each) and outgrow what the kernel and the server buffer for one socket (on
    /// loopback about 1.5 MB) within seconds. Everyone else's latency should stay near normal and the
    /// server's memory bounded. The stalled connections
    /// are closed before the final drain, so what they held up is delivered (late) rather than lost.
    /// </summary>
    private static async Task<Figures> SlowAsync(Target target, BenchOptions o, CancellationToken cancellationToken)
    {
        var slowCount = Math.Max(1, (int)Math.Ceiling((o.SlowParticipants + o.SlowObservers) * o.SlowPercent / 100));
        await using var room = await target.CreateRoomAsync(new RoomSpec(
            o.SlowParticipants, o.SlowObservers, Buffers.Text(o.SlowPromptLength, "a long stimulus description"), slowCount, Roles.Observer));
        await room.ConnectAllAsync(cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var pids = target.Pids;
        var note = Buffers.Text(o.SlowNoteLength, "a long note about what the participant did next");

        Task LoadAsync(Ledger ledger, TimeSpan duration) => Task.WhenAll(
            PacedAsync(o.SlowRate, duration, (k, due) => ledger.Send(room.Facilitator, WriteKind.Prompt, due, "", (int)k), cancellationToken),
            PacedAsync(o.SlowNoteRate, duration, (k, due) => ledger.Send(room.Observers[(int)(k % room.Observers.Count)], WriteKind.Note, due, note, 0), cancellationToken));

        var normal = new Ledger(room.All);
        Figures normalFigures;
        Usage normalUsage;
        await using (var window = new Window(pids))
        {
            await LoadAsync(normal, o.SlowNormalDuration);
            await normal.DrainAsync(o.DrainTimeout, o.DrainQuiet);
            normalUsage = await window.EndAsync();
            normalFigures = normal.Close();
        }

        var slow = room.SlowClients.Select(make => make()).ToList();
        var ledger = new Ledger(room.All);
        Usage usage;
        var drained = false;
        try
        {
            foreach (var client in slow)
            {
                await client.ConnectAsync(cancellationToken);
            }
            await using var window = new Window(pids);
            await LoadAsync(ledger, o.SlowDuration);
            // Give the others the time a healthy server needs, with the stalled connections still open.
            drained = await ledger.DrainAsync(TimeSpan.FromSeconds(2));
            usage = await window.EndAsync();
        }
        finally
        {
            foreach (var client in slow)
            {
                await client.DisposeAsync();
            }
        }
        if (!drained)
        {
            await ledger.DrainAsync(o.DrainTimeout, o.DrainQuiet);
        }
        var f = ledger.Close();
        f.Add(usage);
        f.Merge(Pick(normalFigures, "deliveryP50Ms", "deliveryP99Ms", "deliveryMaxMs", "deliveriesPerSec", "lost", "duplicated", "errors", "misdelivered", "reordered"), "normal.");
        f["normal.serverRssMb"] = normalUsage.ServerRssMb;
        f["p99VsNormal"] = f["deliveryP99Ms"] / normalFigures["deliveryP99Ms"];
        f["rssGrowthMb"] = usage.ServerPeakRssMb - normalUsage.ServerRssMb;
        f["clients"] = room.All.Count;
        f["slowClients"] = slow.Count;
        f["offeredPerSec"] = o.SlowRate + o.SlowNoteRate;
        f["drainedWithSlowOpen"] = drained ? 1 : 0;
        f["generatorBound"] = GeneratorBound(f, usage);
        LogFirstError(ledger);
        return f;
    }

    /// <summary>
    /// Fires <paramref name="fire"/> at a fixed rate for <paramref name="duration"/> (open loop): the
    /// k-th call is due at start + k / rate, and is told that time, however late it runs.
    /// </summary>
    private static async Task PacedAsync(double rate, TimeSpan duration, Action<long, long> fire, CancellationToken cancellationToken)
    {
        var interval = Stopwatch.Frequency / rate;
        var total = (long)(rate * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        long k = 0;
        while (k < total)
        {
            var now = Stopwatch.GetTimestamp();
            while (k < total && start + (long)(k * interval) <= now)
            {
                fire(k, start + (long)(k * interval));
                k++;
            }
            if (k < total)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
    }

    /// <summary>
    /// 1 when the generator, not the server, may have set the pace: it could not keep its send
    /// schedule (send lag p99 over 5 ms), or the machine was saturated and the generator used at
    /// least as much CPU as the server.
    /// </summary>
    private static double GeneratorBound(Figures f, Usage usage)
    {
        var lagging = f.TryGetValue("sendLagP99Ms", out var lag) && lag > 5;
        var saturated = usage.MachineBusyCores >= 0.9 * Environment.ProcessorCount && usage.GeneratorCpuCores >= usage.ServerCpuCores;
        return lagging || saturated ? 1 : 0;
    }

    private static void LogFirstError(Ledger ledger)
    {
        if (ledger.FirstError is { } error)
        {
            Console.Error.WriteLine($"[loadgen]   first error: {error}");
        }
    }

    private static Figures Pick(Figures from, params string[] keys)
    {
        var f = new Figures();
        foreach (var key in keys)
        {
            f[key] = from.TryGetValue(key, out var v) ? v : double.NaN;
        }
        return f;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>GET /healthz every 20 ms on a thread of its own (not the generator's busy thread pool), one request at a time.</summary>
internal sealed class HealthProbe(string baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Uri _uri = new($"{baseUrl}/healthz");
    private volatile bool _stop;
    private Thread? _thread;

    public LongHistogram Latency { get; } = new(1, 600_000_000, 3);

    public int Failures { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "healthz probe" };
        _thread.Start();
    }

    public void Stop()
    {
        _stop = true;
        _thread?.Join();
    }

    private void Run()
    {
        while (!_stop)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
                using var response = _http.Send(request);
                if (!response.IsSuccessStatusCode)
                {
                    Failures++;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Failures++;
            }
            var micros = Stopwatch.GetElapsedTime(started).Ticks / 10;
            Latency.RecordValue(Math.Max(1, micros));
            Thread.Sleep(20);
        }
    }

    public void Dispose() => _http.Dispose();
}
