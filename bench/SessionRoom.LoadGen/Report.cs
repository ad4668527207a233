using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SessionRoom.LoadGen;

/// <summary>One scenario on one target in one repeat; <see cref="Error"/> when it could not finish.</summary>
internal sealed record Run(string Target, string Scenario, int Repeat, Figures Figures, string? Error);

/// <summary>Writes results.json (every run, the medians, storage, targets) and results.md (the tables).</summary>
internal static class Report
{
    private static readonly string[] TargetOrder = [BenchOptions.SessionRoom, BenchOptions.SessionRoomTwo, BenchOptions.BareHub, BenchOptions.SocketIo];

    private static readonly Dictionary<string, string> TargetNames = new()
    {
        [BenchOptions.SessionRoom] = "SessionRoom",
        [BenchOptions.SessionRoomTwo] = "SessionRoom, 2 servers",
        [BenchOptions.BareHub] = "bare hub",
        [BenchOptions.SocketIo] = "Socket.IO",
    };

    /// <summary>Rows of the table: figure key, label, whether a ratio to the baselines means something.</summary>
    private static readonly (string Scenario, string Title, (string Key, string Label, bool Ratio)[] Rows)[] Layout =
    [
        (Scenario.Idle, "idle connections", [
            ("clients", "connected clients", false),
            ("serverRssMb", "server RSS, MB", true),
            ("perConnectionKb", "RSS per connection, KB", true),
            ("connectSeconds", "time to connect all, s", true),
            ("errors", "failed connections", false),
        ]),
        (Scenario.Notes, "backroom notes", [
            ("clients", "connections", false),
            ("offeredPerSec", "offered notes/s", false),
            ("ackedPerSec", "acked writes/s", true),
            ("ackP50Ms", "ack p50, ms", true),
            ("ackP95Ms", "ack p95, ms", true),
            ("ackP99Ms", "ack p99, ms", true),
            ("ackMaxMs", "ack max, ms", true),
            ("deliveriesPerSec", "deliveries/s", true),
            ("deliveryP50Ms", "delivery p50, ms", true),
            ("deliveryP95Ms", "delivery p95, ms", true),
            ("deliveryP99Ms", "delivery p99, ms", true),
            ("deliveryMaxMs", "delivery max, ms", true),
        ]),
        (Scenario.Fanout, "room fan-out", [
            ("clients", "connections", false),
            ("window", "prompts in flight", false),
            ("deliveriesPerSec", "deliveries/s", true),
            ("ackedPerSec", "prompts shown/s", true),
            ("deliveryP50Ms", "delivery p50, ms", true),
            ("deliveryP95Ms", "delivery p95, ms", true),
            ("deliveryP99Ms", "delivery p99, ms", true),
            ("deliveryMaxMs", "delivery max, ms", true),
            ("ackP99Ms", "ack p99, ms", true),
        ]),
        (Scenario.Storm, "reaction storm", [
            ("clients", "connections", false),
            ("reactionsPerWave", "reactions per wave", false),
            ("waveSeconds", "wave, first send to last delivery, s", true),
            ("ackP50Ms", "ack p50, ms", true),
            ("ackP99Ms", "ack p99, ms", true),
            ("ackMaxMs", "ack max, ms", true),
            ("deliveriesPerSec", "deliveries/s", true),
            ("deliveryP50Ms", "delivery p50, ms", true),
            ("deliveryP99Ms", "delivery p99, ms", true),
            ("deliveryMaxMs", "delivery max, ms", true),
            ("healthP50Ms", "GET /healthz p50 during storm, ms", true),
            ("healthP99Ms", "GET /healthz p99 during storm, ms", true),
            ("healthMaxMs", "GET /healthz max during storm, ms", true),
            ("healthFailures", "GET /healthz failures", false),
        ]),
        (Scenario.Slow, "slow consumers", [
            ("clients", "reading connections", false),
            ("slowClients", "connections that stop reading", false),
            ("offeredPerSec", "writes/s offered (2 KB prompts + 4 KB notes)", false),
            ("normal.deliveriesPerSec", "deliveries/s without them", true),
            ("deliveriesPerSec", "deliveries/s with them", true),
            ("normal.deliveryP99Ms", "delivery p99 without them, ms", true),
            ("deliveryP50Ms", "delivery p50 with them, ms", true),
            ("deliveryP99Ms", "delivery p99 with them, ms", true),
            ("deliveryMaxMs", "delivery max with them, ms", true),
            ("p99VsNormal", "p99 with ÷ without (median of the runs' ratios)", false),
            ("drainedWithSlowOpen", "everyone else caught up while they stalled (1 = yes)", false),
            ("normal.serverRssMb", "server RSS before, MB", true),
            ("serverPeakRssMb", "server peak RSS with them, MB", true),
            ("rssGrowthMb", "RSS growth with them, MB", false),
        ]),
    ];

    /// <summary>Rows every live scenario gets, after its own.</summary>
    private static readonly (string Key, string Label, bool Ratio)[] CommonRows =
    [
        ("errors", "errors", false),
        ("lost", "lost (must be 0)", false),
        ("duplicated", "duplicated (must be 0)", false),
        ("serverCpuCores", "server CPU, cores", true),
        ("serverPeakRssMb", "server peak RSS, MB", true),
        ("generatorCpuCores", "generator CPU, cores", false),
        ("machineBusyCores", "whole machine busy, cores", false),
        ("generatorBound", "generator-bound (1 = maybe)", false),
    ];

    public static string Write(BenchOptions options, IReadOnlyList<Run> runs, TimeSpan elapsed)
    {
        Directory.CreateDirectory(options.OutDir);
        var medians = Medians(runs);
        var storage = ReadStorage(options.StorageJson);
        var targets = Targets(runs, medians, storage);
        var machine = Machine();

        var json = new JsonObject
        {
            ["generatedUtc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["smoke"] = options.Smoke,
            ["repeats"] = options.Repeats,
            ["elapsedSeconds"] = Math.Round(elapsed.TotalSeconds, 1),
            ["machine"] = machine,
            ["medians"] = new JsonObject(medians.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)new JsonObject(
                t.Value.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)FiguresJson(s.Value))))))),
            ["storage"] = storage?.DeepClone(),
            ["targets"] = new JsonArray(targets.Select(t => (JsonNode?)new JsonObject
            {
                ["target"] = t.Target,
                ["measured"] = t.Measured,
                ["met"] = t.Met,
            }).ToArray()),
            ["runs"] = new JsonArray(runs.Select(r => (JsonNode?)new JsonObject
            {
                ["target"] = r.Target,
                ["scenario"] = r.Scenario,
                ["repeat"] = r.Repeat,
                ["error"] = r.Error,
                ["figures"] = FiguresJson(r.Figures),
            }).ToArray()),
        };
        File.WriteAllText(Path.Combine(options.OutDir, "results.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var md = Markdown(options, runs, medians, storage, targets, machine, elapsed);
        File.WriteAllText(Path.Combine(options.OutDir, "results.md"), md);
        return md;
    }

    private static JsonObject FiguresJson(IReadOnlyDictionary<string, double> figures) =>
        new(figures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f =>
            KeyValuePair.Create(f.Key, double.IsFinite(f.Value) ? (JsonNode?)JsonValue.Create(Math.Round(f.Value, 3)) : null)));

    /// <summary>target → scenario → figure → median over the runs that finished.</summary>
    private static Dictionary<string, Dictionary<string, Dictionary<string, double>>> Medians(IReadOnlyList<Run> runs) =>
        runs.Where(r => r.Error is null)
            .GroupBy(r => r.Target)
            .ToDictionary(t => t.Key, t => t.GroupBy(r => r.Scenario).ToDictionary(s => s.Key, s =>
                s.SelectMany(r => r.Figures.Keys).Distinct().ToDictionary(
                    key => key,
                    key => Scenario.Median(s.Select(r => r.Figures.TryGetValue(key, out var v) ? v : double.NaN).ToList()))));

    private static double Get(Dictionary<string, Dictionary<string, Dictionary<string, double>>> medians, string target, string scenario, string key) =>
        medians.TryGetValue(target, out var t) && t.TryGetValue(scenario, out var s) && s.TryGetValue(key, out var v) ? v : double.NaN;

    private static JsonNode? ReadStorage(string? path) =>
        path is not null && File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;

    private static double StorageRate(JsonNode? storage, string method, int writers)
    {
        foreach (var b in storage?["benchmarks"]?.AsArray() ?? [])
        {
            if (b?["method"]?.GetValue<string>() == method && b["writers"]?.GetValue<int>() == writers)
            {
                return b["eventsPerSec"]?.GetValue<double>() ?? double.NaN;
            }
        }
        return double.NaN;
    }

    private sealed record TargetCheck(string Target, string Measured, bool? Met);

    private static List<TargetCheck> Targets(IReadOnlyList<Run> runs, Dictionary<string, Dictionary<string, Dictionary<string, double>>> m, JsonNode? storage)
    {
        const string SR = BenchOptions.SessionRoom;
        var checks = new List<TargetCheck>();
        bool? Check(double value, Func<double, bool> ok) => double.IsNaN(value) ? null : ok(value);

        var rate = Get(m, SR, Scenario.Notes, "offeredPerSec");
        var at = double.IsNaN(rate) ? "" : $" (at {rate:0} notes/s offered)";
        var ackP99 = Get(m, SR, Scenario.Notes, "ackP99Ms");
        checks.Add(new("Notes at 2,000 writes/s: ack p99 < 25 ms", $"{F(ackP99)} ms{at}", rate >= 2000 ? Check(ackP99, v => v < 25) : null));
        var deliveryP99 = Get(m, SR, Scenario.Notes, "deliveryP99Ms");
        checks.Add(new("Notes at 2,000 writes/s: delivery p99 < 50 ms", $"{F(deliveryP99)} ms{at}", rate >= 2000 ? Check(deliveryP99, v => v < 50) : null));
        var srRuns = runs.Where(r => r.Target == SR && r.Error is null).ToList();
        var lost = srRuns.Sum(r => LostOrDuplicated(r.Figures, "lost"));
        var duplicated = srRuns.Sum(r => LostOrDuplicated(r.Figures, "duplicated"));
        checks.Add(new("0 lost, 0 duplicated (every SessionRoom run, every scenario)", $"{lost:0} lost, {duplicated:0} duplicated in {srRuns.Count} runs", srRuns.Count == 0 ? null : lost == 0 && duplicated == 0));

        var dps = Get(m, SR, Scenario.Fanout, "deliveriesPerSec");
        var p99 = Get(m, SR, Scenario.Fanout, "deliveryP99Ms");
        var bareDps = Get(m, BenchOptions.BareHub, Scenario.Fanout, "deliveriesPerSec");
        var bareP99 = Get(m, BenchOptions.BareHub, Scenario.Fanout, "deliveryP99Ms");
        var sioDps = Get(m, BenchOptions.SocketIo, Scenario.Fanout, "deliveriesPerSec");
        var sioP99 = Get(m, BenchOptions.SocketIo, Scenario.Fanout, "deliveryP99Ms");
        checks.Add(new("Fan-out: deliveries/s ≥ 80% of the bare hub's", $"{F(dps)} vs {F(bareDps)} = {Pct(dps / bareDps)}", Check(dps / bareDps, v => v >= 0.8)));
        checks.Add(new("Fan-out: delivery p99 ≤ 1.5 × the bare hub's", $"{F(p99)} ms vs {F(bareP99)} ms = {F(p99 / bareP99)}×", Check(p99 / bareP99, v => v <= 1.5)));
        checks.Add(new("Fan-out: ahead of Socket.IO on deliveries/s and p99", $"{F(dps)} vs {F(sioDps)}/s; {F(p99)} vs {F(sioP99)} ms",
            double.IsNaN(sioDps) || double.IsNaN(dps) ? null : dps > sioDps && p99 < sioP99));

        var group16 = StorageRate(storage, "GroupCommit", 16);
        var naive16 = StorageRate(storage, "NaiveInsert", 16);
        checks.Add(new("Event writer: ≥ 20,000 durable events/s with 16 writers", $"{F(group16)} events/s", Check(group16, v => v >= 20_000)));
        checks.Add(new("Event writer: ≥ 10 × the naive insert (16 writers)", $"{F(group16 / naive16)}×", Check(group16 / naive16, v => v >= 10)));

        var idleClients = Get(m, SR, Scenario.Idle, "clients");
        var idleRss = Get(m, SR, Scenario.Idle, "serverRssMb");
        checks.Add(new("1,000 connected clients: server RSS < 300 MB", $"{F(idleRss)} MB with {F(idleClients)} clients", idleClients >= 1000 ? Check(idleRss, v => v < 300) : null));
        return checks;
    }

    private static double LostOrDuplicated(Figures figures, string suffix) =>
        figures.Where(f => f.Key == suffix || f.Key.EndsWith("." + suffix, StringComparison.Ordinal)).Sum(f => double.IsNaN(f.Value) ? 0 : f.Value);

    private static string Markdown(
        BenchOptions options, IReadOnlyList<Run> runs, Dictionary<string, Dictionary<string, Dictionary<string, double>>> m, JsonNode? storage,
        List<TargetCheck> targets, JsonObject machine, TimeSpan elapsed)
    {
        var present = TargetOrder.Where(m.ContainsKey).ToList();
        var baselines = present.Where(t => t is BenchOptions.BareHub or BenchOptions.SocketIo).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(options.Smoke ? "# SessionRoom load smoke" : "# SessionRoom benchmarks");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{machine["cores"]} cores ({machine["cpu"]}), {machine["memoryGb"]} GB, {machine["os"]}, .NET {machine["dotnet"]}, Node {machine["node"]}. " +
            $"Generator and servers on the same machine. Medians of {options.Repeats} run(s) per target, interleaved; " +
            $"÷ columns are SessionRoom divided by the baseline. {runs.Count} scenario runs in {elapsed.TotalMinutes:0.0} min.");
        sb.AppendLine();
        sb.Append("| scenario | figure |");
        foreach (var t in present)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {TargetNames[t]} |");
        }
        if (present.Contains(BenchOptions.SessionRoom))
        {
            foreach (var b in baselines)
            {
                sb.Append(CultureInfo.InvariantCulture, $" ÷ {TargetNames[b]} |");
            }
        }
        sb.AppendLine();
        sb.Append("|---|---|");
        var columns = present.Count + (present.Contains(BenchOptions.SessionRoom) ? baselines.Count : 0);
        for (var i = 0; i < columns; i++)
        {
            sb.Append("---:|");
        }
        sb.AppendLine();
        foreach (var (scenario, title, rows) in Layout)
        {
            if (!present.Any(t => m[t].ContainsKey(scenario)))
            {
                continue;
            }
            var allRows = scenario == Scenario.Idle ? rows : rows.Concat(CommonRows.Where(c => !rows.Any(r => r.Key == c.Key))).ToArray();
            var first = true;
            foreach (var (key, label, ratio) in allRows)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {(first ? title : "")} | {label} |");
                first = false;
                foreach (var t in present)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" {F(Get(m, t, scenario, key))} |");
                }
                if (present.Contains(BenchOptions.SessionRoom))
                {
                    var mine = Get(m, BenchOptions.SessionRoom, scenario, key);
                    foreach (var b in baselines)
                    {
                        var theirs = Get(m, b, scenario, key);
                        sb.Append(ratio && theirs > 0 && !double.IsNaN(mine) ? $" {mine / theirs:0.00} |" : " |");
                    }
                }
                sb.AppendLine();
            }
        }

        if (storage is not null)
        {
            sb.AppendLine();
            sb.AppendLine("Storage (BenchmarkDotNet, SQLite WAL, synchronous=FULL, each writer awaits its event before the next; median of the iterations):");
            sb.AppendLine();
            sb.AppendLine("| writers | event writer (group commit), events/s | naive insert (one transaction per event), events/s | ÷ naive |");
            sb.AppendLine("|---:|---:|---:|---:|");
            foreach (var writers in new[] { 1, 4, 16 })
            {
                var group = StorageRate(storage, "GroupCommit", writers);
                var naive = StorageRate(storage, "NaiveInsert", writers);
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {writers} | {F(group)} | {F(naive)} | {F(group / naive)} |");
            }
        }

        if (storage?["probe"]?.AsArray() is { Count: > 0 } probe)
        {
            sb.AppendLine();
            sb.AppendLine("What limits the event writer (one run outside BenchmarkDotNet, 1,920 events): batch size and CPU per event.");
            sb.AppendLine();
            sb.AppendLine("| writers | events/s | events per batch (commit) | process CPU per event, µs | wall time per batch, µs |");
            sb.AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var p in probe)
            {
                double V(string key) => p?[key]?.GetValue<double>() ?? double.NaN;
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {F(V("writers"))} | {F(V("eventsPerSec"))} | {F(V("averageBatch"))} | {F(V("cpuMicrosPerEvent"))} | {F(V("wallMicrosPerBatch"))} |");
            }
        }

        SynthesisTables(sb, storage);

        sb.AppendLine();
        sb.AppendLine("| target (issue 7) | measured | met |");
        sb.AppendLine("|---|---|---|");
        foreach (var t in targets)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {t.Target} | {t.Measured} | {(t.Met is null ? "not measured" : t.Met.Value ? "yes" : "**no**")} |");
        }

        var failed = runs.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Runs that did not finish:");
            sb.AppendLine();
            foreach (var r in failed)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {TargetNames[r.Target]} {r.Scenario} run {r.Repeat}: {r.Error!.ReplaceLineEndings(" ")}");
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The synthesis reads of issue 6 (storage.json's "synthesis", from SessionRoom.StorageBench): median per request at
    /// 10k and 100k events against the target (which is set for 100k), CPU and allocations per request, and the export's memory per study size.
    /// </summary>
    private static void SynthesisTables(StringBuilder sb, JsonNode? storage)
    {
        if (storage?["synthesis"]?["benchmarks"]?.AsArray() is not { Count: > 0 } rows)
        {
            return;
        }
        double V(JsonNode? node, string key) => node?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
        var sizes = rows.Select(r => (int)V(r, "events")).Where(e => e > 0).Distinct().Order().ToList();
        var largest = sizes.Count == 0 ? 0 : sizes[^1];
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Synthesis queries (issue 6; BenchmarkDotNet, in process; a generated study of {storage["synthesis"]?["sessions"]} sessions; median server time per request, " +
            $"and the process CPU time per request measured beside it; the targets are for {largest:#,0} events):");
        sb.AppendLine();
        sb.Append("| query |");
        foreach (var size in sizes)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {size:#,0} events, ms |");
        }
        sb.Append(" target | met |");
        foreach (var size in sizes)
        {
            sb.Append(CultureInfo.InvariantCulture, $" CPU at {size:#,0}, ms |");
        }
        foreach (var size in sizes)
        {
            sb.Append(CultureInfo.InvariantCulture, $" allocated at {size:#,0}, KB |");
        }
        sb.AppendLine();
        sb.Append("|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", sizes.Count)));
        sb.Append("---:|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", 2 * sizes.Count)));
        sb.AppendLine();
        foreach (var method in rows.Select(r => r?["method"]?.GetValue<string>()).Distinct())
        {
            var mine = rows.Where(r => r?["method"]?.GetValue<string>() == method).ToList();
            JsonNode? At(int size) => mine.FirstOrDefault(r => (int)V(r, "events") == size);
            var target = V(mine[0], "targetMs");
            var atLargest = V(At(largest), "medianMs");
            sb.Append(CultureInfo.InvariantCulture, $"| {mine[0]?["label"]} |");
            foreach (var size in sizes)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {F(V(At(size), "medianMs"))} |");
            }
            sb.Append(double.IsNaN(target) ? " – | |" : $" < {F(target)} ms | {(double.IsNaN(atLargest) ? "not measured" : atLargest < target ? "yes" : "**no**")} |");
            foreach (var size in sizes)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {F(V(At(size), "cpuMsPerOp"))} |");
            }
            foreach (var size in sizes)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {F(V(At(size), "allocatedBytesPerOp") / 1024)} |");
            }
            sb.AppendLine();
        }

        if (storage["synthesis"]?["exportMemory"]?.AsArray() is { Count: > 0 } memory)
        {
            sb.AppendLine();
            sb.AppendLine("Does the study CSV export's memory grow with the study? (one export per size to Stream.Null after a full GC; managed heap sampled every 2 ms; RSS peak is VmHWM after a reset):");
            sb.AppendLine();
            sb.AppendLine("| events | rows | seconds | allocated in all, MB | managed heap before → peak, MB | RSS before → peak, MB | gen0 GCs |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in memory)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {F(V(m, "events"))} | {F(V(m, "rows"))} | {F(V(m, "seconds"))} | {F(V(m, "allocatedMb"))} | {F(V(m, "heapBeforeMb"))} → {F(V(m, "peakHeapMb"))} | {F(V(m, "rssBeforeMb"))} → {F(V(m, "peakRssMb"))} | {F(V(m, "gen0Collections"))} |");
            }
        }
    }

    private static string Pct(double ratio) => double.IsNaN(ratio) ? "–" : $"{ratio * 100:0}%";

    /// <summary>A figure for the table: three significant digits at most, thousands separated.</summary>
    public static string F(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return "–";
        }
        var a = Math.Abs(v);
        var format = a >= 100 ? "#,0" : a >= 10 ? "0.#" : a >= 1 ? "0.##" : a == 0 ? "0" : "0.###";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    private static JsonObject Machine()
    {
        string? cpu = null;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            // Not Linux.
        }
        return new JsonObject
        {
            ["cores"] = Environment.ProcessorCount,
            ["cpu"] = cpu ?? "unknown CPU",
            ["memoryGb"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = Environment.Version.ToString(),
            ["node"] = NodeVersion(),
        };
    }

    private static string NodeVersion()
    {
        try
        {
            using var node = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("node", "--version") { RedirectStandardOutput = true });
            var version = node!.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit();
            return version.TrimStart('v');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "absent";
        }
    }
}
