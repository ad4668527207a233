using System.Diagnostics;
using System.Globalization;
using SessionRoom.Data;
using SessionRoom.Data.Stores;

namespace SessionRoom.StorageBench;

/// <summary>
/// Not a benchmark but the evidence beside one: whether the study CSV export's memory grows with the study.
/// BenchmarkDotNet's allocated bytes count everything allocated over the export (and so grow with the events
/// even when nothing is held); what matters is how much is held at once. So this exports each generated study
/// once to <see cref="Stream.Null"/> after a full collection, sampling the managed heap every 2 ms and reading the
/// process's peak resident set (<c>VmHWM</c>, reset first through <c>/proc/self/clear_refs</c>, Linux only).
/// </summary>
internal static class ExportMemoryProbe
{
    public sealed record Result(
        int Events, long Rows, double Seconds, double AllocatedMb, double HeapBeforeMb, double PeakHeapMb, double RssBeforeMb, double PeakRssMb, int Gen0Collections);

    public static async Task<Result> RunAsync(SynthesisData data)
    {
        var store = new ExportStore(new Db(data.Directory));
        // Once first, so the connection pool, SQLite's page cache and the JIT are warm in both cases.
        await SynthesisBenchmarks.WriteStudyCsvAsync(store, data.StudyId, Stream.Null);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heapBefore = GC.GetTotalMemory(false);
        ResetPeakRss();
        var rssBefore = ReadStatusKb("VmRSS");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        long peakHeap = heapBefore;
        using var done = new CancellationTokenSource();
        var sampler = Task.Factory.StartNew(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var heap = GC.GetTotalMemory(false);
                if (heap > Interlocked.Read(ref peakHeap))
                {
                    Interlocked.Exchange(ref peakHeap, heap);
                }
                Thread.Sleep(2);
            }
        }, TaskCreationOptions.LongRunning);
        var stopwatch = Stopwatch.StartNew();
        var rows = await SynthesisBenchmarks.WriteStudyCsvAsync(store, data.StudyId, Stream.Null);
        stopwatch.Stop();
        await done.CancelAsync();
        await sampler;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peakRss = ReadStatusKb("VmHWM");
        const double Mb = 1024 * 1024;
        return new Result(
            data.Events, rows, stopwatch.Elapsed.TotalSeconds, allocated / Mb, heapBefore / Mb, Interlocked.Read(ref peakHeap) / Mb,
            rssBefore / 1024.0, peakRss / 1024.0, GC.CollectionCount(0) - gen0);
    }

    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak is then the process's peak so far.
        }
    }

    private static double ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    return double.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return double.NaN;
    }
}
