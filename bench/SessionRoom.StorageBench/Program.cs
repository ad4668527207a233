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
using SessionRoom.StorageBench;

// The storage benchmarks of docs/benchmarks.md. Usage: SessionRoom.StorageBench [--out storage.json] [--iterations N]
// Writes BenchmarkDotNet's own reports beside the JSON (in bdn/) and a storage.json that bench/run.sh merges into the results.
var output = Path.Combine("artifacts", "bench", "storage.json");
var iterations = 5;
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
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Usage: SessionRoom.StorageBench [--out storage.json] [--iterations N] [--probe-only]");
            return 2;
    }
}
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

var summary = BenchmarkRunner.Run<WriterBenchmarks>(config);
await ProbeAsync();

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
var json = new JsonObject
{
    ["eventsPerIteration"] = WriterBenchmarks.EventsPerIteration,
    ["iterations"] = iterations,
    ["benchmarks"] = benchmarks,
    ["probe"] = probe,
};
Directory.CreateDirectory(outDir);
File.WriteAllText(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"wrote {output}");
return summary.Reports.All(r => r.Success) && summary.Reports.Length > 0 ? 0 : 1;
