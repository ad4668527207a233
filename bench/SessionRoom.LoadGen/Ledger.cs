using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace SessionRoom.LoadGen;

/// <summary>
/// The books of one measured phase: every write sent (by its clientEventId), its ack, and every
/// delivery of it to every connection. Latencies are measured from the time a write was due (its
/// place in the schedule), not from when the generator got round to it, so a late generator
/// cannot hide a slow server (coordinated omission). A write's second delivery to the same
/// connection is a duplicate; a delivery that never came by the end of the drain is lost.
/// </summary>
internal sealed class Ledger
{
    private const long HighestMicros = 600_000_000; // ten minutes

    private readonly ConcurrentDictionary<Guid, Sent> _sent = new();
    private readonly IReadOnlyList<LoadClient> _clients;
    private readonly Dictionary<WriteKind, int> _recipients;
    // Recorded under _record: a write or delivery that comes in while Close reads them must wait, or be left out once closed.
    private readonly Lock _record = new();
    private readonly LongHistogram _ack = new(1, HighestMicros, 3);
    private readonly LongHistogram _delivery = new(1, HighestMicros, 3);
    private readonly LongHistogram _sendLag = new(1, HighestMicros, 3);
    private bool _closed;
    private long _expected;
    private long _delivered;
    private long _duplicated;
    private long _misdelivered;
    private long _reordered;
    private long _acked;
    private long _ackDuplicates;
    private long _errors;
    private long _outstanding;
    private long _sentCount;
    private long _firstSend = long.MaxValue;
    private long _lastDelivery;
    private long _lastAck;
    private string? _firstError;

    public Ledger(IReadOnlyList<LoadClient> clients)
    {
        _clients = clients;
        _recipients = Enum.GetValues<WriteKind>().ToDictionary(k => k, k => clients.Count(c => Roles.Receives(c.Role, k)));
        foreach (var client in clients)
        {
            client.Tally = new Tally();
            client.OnEvent = OnDelivered;
        }
    }

    public long Outstanding => Interlocked.Read(ref _outstanding);

    public long Errors => Interlocked.Read(ref _errors);

    public string? FirstError => _firstError;

    /// <summary>Sends one write that was due at <paramref name="dueTicks"/>; <paramref name="reached"/> runs once every recipient has it.</summary>
    public Guid Send(LoadClient sender, WriteKind kind, long dueTicks, string text, int prompt, Action? reached = null)
    {
        var id = Guid.NewGuid();
        var recipients = _recipients[kind];
        var sent = new Sent(kind, dueTicks, recipients, reached);
        _sent[id] = sent;
        Interlocked.Add(ref _expected, recipients);
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _sentCount);
        var now = Stopwatch.GetTimestamp();
        InterlockedMin(ref _firstSend, dueTicks);
        Record(_sendLag, now - dueTicks);
        _ = TrackAsync(sender, kind, id, text, prompt, sent);
        return id;
    }

    private async Task TrackAsync(LoadClient sender, WriteKind kind, Guid id, string text, int prompt, Sent sent)
    {
        try
        {
            var ack = await sender.WriteAsync(kind, id, text, prompt);
            var now = Stopwatch.GetTimestamp();
            Record(_ack, now - sent.DueTicks);
            Interlocked.Increment(ref _acked);
            InterlockedMax(ref _lastAck, now);
            if (ack.Duplicate)
            {
                Interlocked.Increment(ref _ackDuplicates);
            }
        }
        catch (Exception e)
        {
            // Not stored: nobody should receive it.
            Interlocked.Increment(ref _errors);
            Interlocked.Add(ref _expected, -sent.Recipients);
            Interlocked.CompareExchange(ref _firstError, $"{kind}: {e.GetType().Name}: {e.Message}", null);
            sent.Reached?.Invoke();
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private void OnDelivered(LoadClient client, Delivered e)
    {
        if (!_sent.TryGetValue(e.ClientEventId, out var sent))
        {
            // Not one of this phase's writes (presence, an earlier phase): only the order is checked.
            CheckOrder(client, e);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        CheckOrder(client, e);
        var tally = (Tally)client.Tally!;
        bool first;
        lock (tally)
        {
            first = tally.Seen.Add(e.ClientEventId);
        }
        if (!first)
        {
            Interlocked.Increment(ref _duplicated);
            return;
        }
        if (!Roles.Receives(client.Role, sent.Kind))
        {
            Interlocked.Increment(ref _misdelivered);
            return;
        }
        Record(_delivery, now - sent.DueTicks);
        Interlocked.Increment(ref _delivered);
        InterlockedMax(ref _lastDelivery, now);
        if (Interlocked.Increment(ref sent.Deliveries) == sent.Recipients)
        {
            sent.Reached?.Invoke();
        }
    }

    private void Record(LongHistogram histogram, long ticks)
    {
        lock (_record)
        {
            if (!_closed)
            {
                histogram.RecordValue(Math.Clamp(Micros(ticks), 1, HighestMicros));
            }
        }
    }

    private void CheckOrder(LoadClient client, Delivered e)
    {
        var tally = (Tally)client.Tally!;
        lock (tally)
        {
            if (e.Seq <= tally.LastSeq)
            {
                Interlocked.Increment(ref _reordered);
            }
            tally.LastSeq = Math.Max(tally.LastSeq, e.Seq);
        }
    }

    /// <summary>
    /// Waits until every write is acknowledged (or failed) and every delivery has come: at most
    /// <paramref name="timeout"/>, and no longer than <paramref name="quiet"/> without any progress
    /// (a new ack or delivery). What has not come by then is lost; a server that is still
    /// delivering, however late, is waited for up to <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, TimeSpan? quiet = null)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var quietTicks = (long)((quiet ?? timeout).TotalSeconds * Stopwatch.Frequency);
        var progress = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            var delivered = Interlocked.Read(ref _delivered);
            if (Outstanding == 0 && delivered >= Interlocked.Read(ref _expected))
            {
                return true;
            }
            var now = Stopwatch.GetTimestamp();
            var seen = delivered + Interlocked.Read(ref _acked) + Interlocked.Read(ref _errors);
            if (seen != progress)
            {
                progress = seen;
                lastProgress = now;
            }
            if (now >= until || now - lastProgress >= quietTicks)
            {
                return false;
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Stops counting (later pushes are ignored) and returns the phase's figures.</summary>
    public Figures Close()
    {
        foreach (var client in _clients)
        {
            client.OnEvent = null;
        }
        var f = new Figures();
        lock (_record)
        {
            _closed = true;
        }
        var sent = Interlocked.Read(ref _sentCount);
        var acked = Interlocked.Read(ref _acked);
        var delivered = Interlocked.Read(ref _delivered);
        var start = _firstSend == long.MaxValue ? Stopwatch.GetTimestamp() : _firstSend;
        f["sent"] = sent;
        f["acked"] = acked;
        f["errors"] = Interlocked.Read(ref _errors) + Interlocked.Read(ref _ackDuplicates);
        f["deliveries"] = delivered;
        f["lost"] = Math.Max(0, Interlocked.Read(ref _expected) - delivered);
        f["duplicated"] = Interlocked.Read(ref _duplicated);
        f["misdelivered"] = Interlocked.Read(ref _misdelivered);
        f["reordered"] = Interlocked.Read(ref _reordered);
        f.AddLatency("ack", _ack);
        f.AddLatency("delivery", _delivery);
        f["sendLagP99Ms"] = _sendLag.TotalCount > 0 ? _sendLag.GetValueAtPercentile(99) / 1000.0 : 0;
        f["ackedPerSec"] = PerSecond(acked, start, _lastAck);
        f["deliveriesPerSec"] = PerSecond(delivered, start, _lastDelivery);
        return f;
    }

    private static double PerSecond(long count, long start, long end) =>
        count == 0 || end <= start ? 0 : count / ((end - start) / (double)Stopwatch.Frequency);

    private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private sealed class Sent(WriteKind kind, long dueTicks, int recipients, Action? reached)
    {
        public int Deliveries;

        public WriteKind Kind { get; } = kind;

        public long DueTicks { get; } = dueTicks;

        public int Recipients { get; } = recipients;

        public Action? Reached { get; } = reached;
    }

    private sealed class Tally
    {
        public HashSet<Guid> Seen { get; } = [];

        public long LastSeq { get; set; }
    }
}

/// <summary>Named figures of one scenario run (counts, milliseconds, MB, cores), as written to results.json.</summary>
internal sealed class Figures : Dictionary<string, double>
{
    public Figures()
        : base(StringComparer.Ordinal)
    {
    }

    public void AddLatency(string name, HistogramBase histogram)
    {
        var any = histogram.TotalCount > 0;
        this[name + "P50Ms"] = any ? histogram.GetValueAtPercentile(50) / 1000.0 : double.NaN;
        this[name + "P95Ms"] = any ? histogram.GetValueAtPercentile(95) / 1000.0 : double.NaN;
        this[name + "P99Ms"] = any ? histogram.GetValueAtPercentile(99) / 1000.0 : double.NaN;
        this[name + "MaxMs"] = any ? histogram.GetMaxValue() / 1000.0 : double.NaN;
    }

    public void Add(Usage usage, string prefix = "")
    {
        this[prefix + "serverCpuCores"] = usage.ServerCpuCores;
        this[prefix + "serverPeakRssMb"] = usage.ServerPeakRssMb;
        this[prefix + "serverRssMb"] = usage.ServerRssMb;
        this[prefix + "generatorCpuCores"] = usage.GeneratorCpuCores;
        this[prefix + "machineBusyCores"] = usage.MachineBusyCores;
    }

    public void Merge(Figures other, string prefix = "")
    {
        foreach (var (key, value) in other)
        {
            this[prefix + key] = value;
        }
    }
}
