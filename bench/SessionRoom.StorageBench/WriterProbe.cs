using System.Diagnostics;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.StorageBench;

/// <summary>
/// Not a benchmark but the explanation beside it: for a few writer counts, how big the writer's
/// batches get (counted through its publisher, which is called once per committed batch) and how
/// much CPU the process spends per event, so docs/benchmarks.md can say whether commits (fsync) or
/// per-event work limit the group commit.
/// </summary>
internal static class WriterProbe
{
    public sealed record Result(int Writers, int Events, double EventsPerSec, double AverageBatch, double CpuMicrosPerEvent, double WallMicrosPerBatch);

    public static async Task<Result> RunAsync(int writers, int events)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sessionroom-writerprobe-" + Guid.NewGuid().ToString("N"));
        var db = new Db(directory);
        Migrator.Run(db);
        var clock = TimeProvider.System;
        var session = new SessionStore(db, clock).Create(new StudyStore(db, clock).Create(new ValidStudy("Probe", null)).Id, new ValidSession(
            "Probe", SessionModes.FocusGroup, ["confused"], [new ValidPrompt(PromptKinds.Question, "Q", null, null, null, null, null)]))!;
        var members = new MemberStore(db, clock);
        var f = members.FacilitatorMember(session.Id, "F");
        var callers = Enumerable.Range(0, writers).Select(_ =>
        {
            var m = members.Join(members.CreateInvite(session.Id, Roles.Observer, null).Token, null)!;
            return new Caller(m.MemberId, session.Id, m.Role, m.Code, m.DisplayName);
        }).ToArray();
        var publisher = new CountingPublisher();
        var writer = new EventWriter(db, new LiveSessions(new LiveOptions()), publisher, clock, e => throw new InvalidOperationException("A batch failed.", e));
        try
        {
            await writer.WriteAsync(new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName), new StartSession(Guid.NewGuid()));
            var batchesBefore = publisher.Batches;
            var each = events / writers;
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            string[] tags = ["confused"];
            await Task.WhenAll(callers.Select(caller => Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    await writer.WriteAsync(caller, new AddNote(Guid.NewGuid(), "Hesitates at the price, scrolls back up to the plan table.", tags, null));
                }
            })));
            var seconds = wall.Elapsed.TotalSeconds;
            process.Refresh();
            var cpuMicros = (process.TotalProcessorTime - cpu).TotalMicroseconds;
            var total = each * writers;
            var batches = Math.Max(1, publisher.Batches - batchesBefore);
            return new Result(writers, total, total / seconds, total / (double)batches, cpuMicros / total, seconds * 1e6 / batches);
        }
        finally
        {
            await writer.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private sealed class CountingPublisher : IEventPublisher
    {
        private int _batches;

        public int Batches => Volatile.Read(ref _batches);

        public void Publish(IReadOnlyList<SessionEvent> events) => Interlocked.Increment(ref _batches);
    }
}
