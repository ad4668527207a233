using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using SessionRoom.StorageBench;

// The storage benchmarks of docs/benchmarks.md.
// Usage: SessionRoom.StorageBench [--out storage.json] [--iterations N] [--filter all|writer|synthesis] [--synthesis-iterations N]
// Writes BenchmarkDotNet's own reports beside the JSON (in bdn/) and a storage.json that bench/run.sh merges into the results:
// the event writer (WriterBenchmarks, WriterProbe) and the synthesis reads at 10k and 100k events (SynthesisData, SynthesisBenchmarks,
// SynthesisCpuProbe, ExportMemoryProbe).
const string Usage = "Usage: SessionRoom.StorageBench [--out storage.json] [--iterations N] [--filter all|writer|synthesis] [--synthesis-iterations N] [--probe-only]";
var output = Path.Combine("artifacts", "bench", "storage.json");
var iterations = 5;
var synthesisIterations = 7;
var filter = "all";
var probeOnly = false;
if (args.Contains("--probe-only"))
{
    probeOnly = true;
    args = args.Where(a => a != "--probe-only").ToArray();
}
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--out":
            output = args[i + 1];
            break;
        case "--iterations":
            iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--synthesis-iterations":
            synthesisIterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--filter":
            filter = args[i + 1].ToLowerInvariant();
            break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. {Usage}");
            return 2;
    }
}
if (args.Length % 2 != 0 || filter is not ("all" or "writer" or "synthesis"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var runWriter = filter is "all" or "writer";
var runSynthesis = filter is "all" or "synthesis";
output = Path.GetFullPath(output);
var outDir = Path.GetDirectoryName(output)!;

// In process (no generated project to build, nothing in the repository's build to inherit), one launch,
// one warm-up and a few measured iterations of 960 events each: a macro-benchmark that must fit,
// with the load benchmarks, in 15 minutes on two cores. Each iteration is one invocation (Monitoring).
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithStrategy(RunStrategy.Monitoring)
    .WithLaunchCount(1)
    .WithWarmupCount(1)
    .WithIterationCount(iterations)
    .WithInvocationCount(1)
    .WithUnrollFactor(1);
var config = ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddLogger(ConsoleLogger.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddColumn(StatisticColumn.Median)
    .AddExporter(MarkdownExporter.GitHub)
    .WithArtifactsPath(Path.Combine(outDir, "bdn"))
    .WithOptions(ConfigOptions.DisableLogFile);

// What limits the group commit: batch sizes and CPU per event at a few writer counts (outside BenchmarkDotNet, a few seconds).
var probe = new JsonArray();
async Task ProbeAsync()
{
    foreach (var writers in new[] { 1, 16, 64 })
    {
        var r = await WriterProbe.RunAsync(writers, 1_920);
        probe.Add(new JsonObject
        {
            ["writers"] = r.Writers,
            ["events"] = r.Events,
            ["eventsPerSec"] = Math.Round(r.EventsPerSec, 0),
            ["averageBatch"] = Math.Round(r.AverageBatch, 1),
            ["cpuMicrosPerEvent"] = Math.Round(r.CpuMicrosPerEvent, 0),
            ["wallMicrosPerBatch"] = Math.Round(r.WallMicrosPerBatch, 0),
        });
        Console.WriteLine($"probe {writers,2} writers: {r.EventsPerSec,8:#,0} events/s, batches of {r.AverageBatch:0.0}, {r.CpuMicrosPerEvent:0} µs CPU per event, {r.WallMicrosPerBatch:0} µs per batch");
    }
}
if (probeOnly)
{
    await ProbeAsync();
    return 0;
}

var json = new JsonObject();
var ok = true;
if (runWriter)
{
    ok &= RunWriter();
    await ProbeAsync();
}
if (runSynthesis)
{
    try
    {
        ok &= await RunSynthesisAsync();
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        // The writer's results are still written; the report shows no synthesis table.
        Console.WriteLine($"synthesis: failed: {e}");
        json["synthesis"] = new JsonObject { ["error"] = e.Message };
        ok = false;
    }
}
Directory.CreateDirectory(outDir);
File.WriteAllText(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"wrote {output}");
return ok ? 0 : 1;

// The event writer against a naive insert (BenchmarkDotNet), into storage.json's top level as before.
bool RunWriter()
{
    var summary = BenchmarkRunner.Run<WriterBenchmarks>(config);
    var benchmarks = new JsonArray();
    foreach (var report in summary.Reports)
    {
        var stats = report.ResultStatistics;
        var writers = Convert.ToInt32(report.BenchmarkCase.Parameters["Writers"], CultureInfo.InvariantCulture);
        var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        benchmarks.Add(new JsonObject
        {
            ["method"] = method,
            ["writers"] = writers,
            // Nanoseconds per operation, and an operation is one durable event.
            ["medianNsPerEvent"] = stats is null ? null : Math.Round(stats.Median, 1),
            ["meanNsPerEvent"] = stats is null ? null : Math.Round(stats.Mean, 1),
            ["eventsPerSec"] = stats is null ? null : Math.Round(1e9 / stats.Median, 0),
            ["iterations"] = stats?.N ?? 0,
            ["error"] = report.Success ? null : "the benchmark did not complete",
        });
        Console.WriteLine(stats is null
            ? $"{method,-12} {writers,2} writers: failed"
            : $"{method,-12} {writers,2} writers: {1e9 / stats.Median,10:#,0} events/s (median of {stats.N})");
    }
    json["eventsPerIteration"] = WriterBenchmarks.EventsPerIteration;
    json["iterations"] = iterations;
    json["benchmarks"] = benchmarks;
    json["probe"] = probe;
    return summary.Reports.All(r => r.Success) && summary.Reports.Length > 0;
}

// The synthesis reads of issue 6 at 10k and 100k events: BenchmarkDotNet (a short job: a few warm-up and measured
// iterations of ~250 ms each, medians), then the process CPU per call and the export's memory per size. Goes into storage.json as "synthesis".
async Task<bool> RunSynthesisAsync()
{
    var started = Stopwatch.StartNew();
    var sizes = new[] { 10_000, 100_000 };
    // Generated (or found in the cache) before BenchmarkDotNet starts, so its setup only opens the files.
    var generation = new JsonArray();
    var studies = new List<SynthesisData>();
    foreach (var size in sizes)
    {
        var data = SynthesisData.Ensure(size, Console.WriteLine);
        studies.Add(data);
        var probeBench = new SynthesisBenchmarks { Events = size };
        probeBench.Setup();
        var shape = probeBench.Shape();
        probeBench.Cleanup();
        generation.Add(new JsonObject
        {
            ["events"] = size,
            ["generatedSeconds"] = data.GeneratedSeconds,
            ["reused"] = data.Reused,
            ["fileMb"] = Math.Round(new FileInfo(Path.Combine(data.Directory, SessionRoom.Data.Db.FileName)).Length / 1048576.0, 1),
            ["timelineTagPage"] = shape.TagPage,
            ["timelineParticipantPage"] = shape.ParticipantPage,
            ["commonWordHits"] = shape.CommonHits,
            ["rarePhraseHits"] = shape.RareHits,
            ["studyMatrixPromptRows"] = shape.MatrixPromptRows,
            ["studyMatrixParticipantRows"] = shape.MatrixParticipantRows,
            ["tags"] = shape.MatrixTags,
        });
        Console.WriteLine($"synthesis: study of {size:#,0} events {(data.Reused ? "reused from" : "generated in")} {data.Directory} (generated in {data.GeneratedSeconds:0.0} s); {shape}");
    }

    var synthesisJob = Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(synthesisIterations)
        .WithIterationTime(TimeInterval.FromMilliseconds(250))
        .WithEvaluateOverhead(false);
    var synthesisConfig = ManualConfig.CreateEmpty()
        .AddJob(synthesisJob)
        .AddLogger(ConsoleLogger.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddColumn(StatisticColumn.Median)
        .AddExporter(MarkdownExporter.GitHub)
        .WithArtifactsPath(Path.Combine(outDir, "bdn"))
        .WithOptions(ConfigOptions.DisableLogFile);
    var summary = BenchmarkRunner.Run<SynthesisBenchmarks>(synthesisConfig);
    var cpu = new List<SynthesisCpuProbe.Result>();
    foreach (var size in sizes)
    {
        cpu.AddRange(await SynthesisCpuProbe.RunAsync(size));
    }

    var rows = new JsonArray();
    foreach (var report in summary.Reports)
    {
        var stats = report.ResultStatistics;
        var events = Convert.ToInt32(report.BenchmarkCase.Parameters["Events"], CultureInfo.InvariantCulture);
        var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        var (label, targetMs) = SynthesisBenchmarks.Targets[method];
        double? median = stats is null ? null : Math.Round(stats.Median / 1e6, 3);
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        var probed = cpu.FirstOrDefault(c => c.Method == method && c.Events == events);
        var cpuMs = probed?.CpuMsPerOp;
        rows.Add(new JsonObject
        {
            ["method"] = method,
            ["label"] = label,
            ["events"] = events,
            ["medianMs"] = median,
            ["meanMs"] = stats is null ? null : Math.Round(stats.Mean / 1e6, 3),
            ["minMs"] = stats is null ? null : Math.Round(stats.Min / 1e6, 3),
            ["maxMs"] = stats is null ? null : Math.Round(stats.Max / 1e6, 3),
            ["iterations"] = stats?.N ?? 0,
            // Process CPU time per call, outside BenchmarkDotNet (SynthesisCpuProbe): the work without the waiting.
            ["cpuMsPerOp"] = cpuMs is { } c ? Math.Round(c, 3) : null,
            ["cpuProbeWallMsPerOp"] = probed is null ? null : Math.Round(probed.WallMsPerOp, 3),
            ["allocatedBytesPerOp"] = allocated,
            ["targetMs"] = targetMs,
            ["met"] = median is { } m && targetMs is { } t ? m < t : null,
            ["error"] = report.Success ? null : "the benchmark did not complete",
        });
        Console.WriteLine(median is { } ms
            ? $"synthesis {method,-22} {events,7:#,0} events: {ms,10:#,0.000} ms median " +
              (targetMs is { } target ? $"(target < {target:#,0} ms: {(ms < target ? "met" : "MISSED")})" : "(diagnostic)") +
              $", {cpuMs:#,0.000} ms CPU per call (in {probed?.WallMsPerOp:#,0.000} ms), {allocated / 1024.0:#,0} KB allocated"
            : $"synthesis {method,-22} {events,7:#,0} events: failed");
    }

    var memory = new JsonArray();
    foreach (var data in studies)
    {
        var r = await ExportMemoryProbe.RunAsync(data);
        memory.Add(new JsonObject
        {
            ["events"] = r.Events,
            ["rows"] = r.Rows,
            ["seconds"] = Math.Round(r.Seconds, 3),
            ["allocatedMb"] = Math.Round(r.AllocatedMb, 1),
            ["heapBeforeMb"] = Math.Round(r.HeapBeforeMb, 1),
            ["peakHeapMb"] = Math.Round(r.PeakHeapMb, 1),
            ["rssBeforeMb"] = Math.Round(r.RssBeforeMb, 1),
            ["peakRssMb"] = Math.Round(r.PeakRssMb, 1),
            ["gen0Collections"] = r.Gen0Collections,
        });
        Console.WriteLine(
            $"synthesis export memory {r.Events,7:#,0} events: {r.Rows:#,0} rows in {r.Seconds:0.000} s, {r.AllocatedMb:#,0.0} MB allocated in all, " +
            $"managed heap {r.HeapBeforeMb:0.0} -> peak {r.PeakHeapMb:0.0} MB, RSS {r.RssBeforeMb:0} -> peak {r.PeakRssMb:0} MB, {r.Gen0Collections} gen0 GCs");
    }
    Console.WriteLine($"synthesis: done in {started.Elapsed.TotalSeconds:0} s");

    json["synthesis"] = new JsonObject
    {
        ["sessions"] = SynthesisData.Sessions,
        ["seed"] = SynthesisData.Seed,
        ["iterations"] = synthesisIterations,
        ["elapsedSeconds"] = Math.Round(started.Elapsed.TotalSeconds, 1),
        ["generation"] = generation,
        ["benchmarks"] = rows,
        ["exportMemory"] = memory,
    };
    return summary.Reports.All(r => r.Success) && summary.Reports.Length > 0;
}
