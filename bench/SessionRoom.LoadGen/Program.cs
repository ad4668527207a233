using System.Diagnostics;
using System.Globalization;
using SessionRoom.LoadGen;

// Live load on SessionRoom and its two baselines, run the same way in the same process (docs/benchmarks.md).
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException e)
{
    if (e.Message.Length > 0)
    {
        Console.Error.WriteLine(e.Message);
    }
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

static void Say(string message) => Console.Error.WriteLine($"[loadgen] {message}");

var elapsed = Stopwatch.StartNew();
var runs = new List<Run>();
for (var repeat = 1; repeat <= options.Repeats; repeat++)
{
    // Targets take turns within each repeat, so a noisy minute on the machine hits all three alike.
    foreach (var name in options.Targets)
    {
        Say($"{name}, run {repeat} of {options.Repeats}");
        await using var target = Target.Create(name, options);
        try
        {
            await target.StartAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Say($"{name} did not start: {e.Message}");
            runs.AddRange(options.Scenarios.Select(s => new Run(name, s, repeat, new Figures(), "server did not start: " + e.Message)));
            continue;
        }
        foreach (var scenario in options.Scenarios)
        {
            if (target.Servers.FirstOrDefault(s => s.HasExited) is { } exited)
            {
                runs.Add(new Run(name, scenario, repeat, new Figures(), "the server had exited: " + exited.Tail));
                continue;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                var figures = await Scenario.RunAsync(scenario, target, options, timeout.Token);
                runs.Add(new Run(name, scenario, repeat, figures, null));
                Say($"  {scenario}: {Summary(figures)} ({watch.Elapsed.TotalSeconds:0.0} s)");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                runs.Add(new Run(name, scenario, repeat, new Figures(), $"{e.GetType().Name}: {e.Message}"));
                Say($"  {scenario} failed after {watch.Elapsed.TotalSeconds:0.0} s: {e}");
            }
        }
    }
}

var markdown = Report.Write(options, runs, elapsed.Elapsed);
Console.WriteLine(markdown);
Say($"wrote {Path.Combine(options.OutDir, "results.md")} and results.json");

if (!options.Smoke)
{
    return runs.Any(r => r.Error is null) ? 0 : 1;
}

// The smoke check: every scenario ran, nothing was lost, duplicated, refused, misdelivered or out of order.
var problems = new List<string>();
foreach (var run in runs)
{
    if (run.Error is not null)
    {
        problems.Add($"{run.Scenario}: {run.Error}");
        continue;
    }
    foreach (var (key, value) in run.Figures)
    {
        var bare = key[(key.LastIndexOf('.') + 1)..];
        if (bare is "lost" or "duplicated" or "errors" or "misdelivered" or "reordered" or "healthFailures" && value != 0)
        {
            problems.Add($"{run.Scenario}: {key} = {value}");
        }
    }
}
if (problems.Count > 0)
{
    Say("smoke FAILED: " + string.Join("; ", problems));
    return 1;
}
Say($"smoke passed: {runs.Count} scenarios, 0 lost, 0 duplicated, 0 errors");
return 0;

static string Summary(Figures f)
{
    string V(string key, string format) => f.TryGetValue(key, out var v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
    return f.ContainsKey("deliveriesPerSec")
        ? $"ack p99 {V("ackP99Ms", "0.0")} ms, delivery p99 {V("deliveryP99Ms", "0.0")} ms, {V("deliveriesPerSec", "0")} deliveries/s, " +
          $"lost {V("lost", "0")}, dup {V("duplicated", "0")}, errors {V("errors", "0")}, server {V("serverCpuCores", "0.00")} cores / {V("serverPeakRssMb", "0")} MB, generator {V("generatorCpuCores", "0.00")} cores"
        : $"{V("clients", "0")} clients, server RSS {V("serverRssMb", "0")} MB ({V("perConnectionKb", "0.0")} KB each), errors {V("errors", "0")}";
}
