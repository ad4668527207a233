using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace SessionRoom.StorageBench;

/// <summary>
/// Beside BenchmarkDotNet's wall-clock medians: the process CPU time each synthesis request costs. On a machine
/// shared with other builds, wall time includes waiting for a core; CPU time is the work itself, so it says what a
/// quiet machine would come close to and whether a missed target is work or waiting. For each benchmark method and
/// size: warm-up calls (3, and 100 ms at least), then 3 rounds of calls for at least 300 ms each; CPU and wall per call, median round.
/// </summary>
internal static class SynthesisCpuProbe
{
    public sealed record Result(string Method, int Events, double CpuMsPerOp, double WallMsPerOp, int Calls);

    public static async Task<List<Result>> RunAsync(int events)
    {
        var bench = new SynthesisBenchmarks { Events = events };
        bench.Setup();
        try
        {
            var results = new List<Result>();
            var methods = typeof(SynthesisBenchmarks).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
                .OrderBy(m => m.MetadataToken);
            foreach (var method in methods)
            {
                async Task Call()
                {
                    if (method.Invoke(bench, null) is Task task)
                    {
                        await task;
                    }
                }
                // Warm: at least 3 calls and 100 ms (BenchmarkDotNet has run them already, in this process).
                var warm = Stopwatch.StartNew();
                for (var i = 0; i < 3 || warm.ElapsedMilliseconds < 100; i++)
                {
                    await Call();
                }
                var rounds = new List<(double Cpu, double Wall, int Calls)>();
                var process = Process.GetCurrentProcess();
                for (var round = 0; round < 3; round++)
                {
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var wall = Stopwatch.StartNew();
                    var calls = 0;
                    while (wall.ElapsedMilliseconds < 300 || calls < 2)
                    {
                        await Call();
                        calls++;
                    }
                    wall.Stop();
                    process.Refresh();
                    rounds.Add(((process.TotalProcessorTime - cpu).TotalMilliseconds / calls, wall.Elapsed.TotalMilliseconds / calls, calls));
                }
                var median = rounds.OrderBy(r => r.Cpu).ElementAt(1);
                results.Add(new Result(method.Name, events, median.Cpu, median.Wall, median.Calls));
            }
            return results;
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
