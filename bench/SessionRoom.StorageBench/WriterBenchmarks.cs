using BenchmarkDotNet.Attributes;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.StorageBench;

/// <summary>
/// Durable events per second into one live session's log, with 1, 4 and 16 writers that each wait
/// for their event to be stored before writing the next (as a hub connection does). Both sides use
/// the same SQLite file settings (<see cref="Db"/>: WAL, synchronous=FULL) and the same schema, and
/// store the same rows per event (the event, its tag, its search text) after the same idempotency
/// check; the naive side skips the rules that <see cref="EventWriter"/> applies, which only flatters it.
/// One operation is one event: BenchmarkDotNet's time per operation is time per durable event.
/// </summary>
public class WriterBenchmarks
{
    public const int EventsPerIteration = 960;

    private static readonly string[] Tags = ["confused"];
    private static readonly string NoteText = "Hesitates at the price, scrolls back up to the plan table and reads the small print again.";

    private string _directory = "";
    private Db _db = default!;
    private EventWriter _writer = default!;
    private Caller[] _callers = [];
    private long _written;

    [Params(1, 4, 16)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "sessionroom-storagebench-" + Guid.NewGuid().ToString("N"));
        _db = new Db(_directory);
        Migrator.Run(_db);
        var clock = TimeProvider.System;
        var study = new StudyStore(_db, clock).Create(new ValidStudy("Storage benchmark", null));
        var session = new SessionStore(_db, clock).Create(study.Id, new ValidSession(
            "Writers", SessionModes.FocusGroup, ["confused", "delight"], [new ValidPrompt(PromptKinds.Question, "What do you use today?", null, null, null, null, null)]))!;
        var members = new MemberStore(_db, clock);
        var facilitator = members.FacilitatorMember(session.Id, "Facilitator");
        _callers = Enumerable.Range(0, Writers).Select(_ =>
        {
            var m = members.Join(members.CreateInvite(session.Id, Roles.Observer, null).Token, null)!;
            return new Caller(m.MemberId, session.Id, m.Role, m.Code, m.DisplayName);
        }).ToArray();
        _writer = new EventWriter(_db, new LiveSessions(new LiveOptions()), new NoPublisher(), clock, e => throw new InvalidOperationException("A batch failed.", e));
        _writer.WriteAsync(new Caller(facilitator.MemberId, session.Id, facilitator.Role, facilitator.Code, facilitator.DisplayName), new StartSession(Guid.NewGuid()))
            .GetAwaiter().GetResult();
        _written = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        // Every write the benchmark counted is in the log: it measured real, committed events.
        using (var c = _db.Open())
        {
            var notes = c.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE type = 'note'");
            if (notes != _written)
            {
                throw new InvalidOperationException($"{_written} writes were counted but {notes} notes are stored.");
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>SessionRoom's <see cref="EventWriter"/>: queued calls, one transaction per batch (group commit).</summary>
    [Benchmark(OperationsPerInvoke = EventsPerIteration)]
    public Task GroupCommit() => RunWriters(async caller =>
    {
        await _writer.WriteAsync(caller, new AddNote(Guid.NewGuid(), NoteText, Tags, null));
        Interlocked.Increment(ref _written);
    });

    /// <summary>What one would write first: each event in its own transaction, straight from the caller.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerIteration)]
    public Task NaiveInsert() => RunWriters(caller =>
    {
        NaiveWrite(caller);
        Interlocked.Increment(ref _written);
        return Task.CompletedTask;
    });

    private void NaiveWrite(Caller caller)
    {
        var sessionId = caller.SessionId;
        var clientEventId = Guid.NewGuid();
        using var c = _db.Open();
        // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken here, so MAX(seq) + 1 is safe.
        using var tx = c.BeginTransaction();
        var earlier = c.QuerySingleOrDefault<long?>(
            "SELECT seq FROM events WHERE session_id = @sessionId AND client_event_id = @clientEventId", new { sessionId, clientEventId }, tx);
        if (earlier is null)
        {
            var seq = c.ExecuteScalar<long>("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE session_id = @sessionId", new { sessionId }, tx);
            c.Execute(
                """
                INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted)
                VALUES (@sessionId, @seq, @id, @clientEventId, 'note', 'backroom', @actorId, NULL, NULL, 0, @now, @text, '{}', 0)
                """,
                new { sessionId, seq, id = Guid.NewGuid(), clientEventId, actorId = caller.MemberId, now = DateTimeOffset.UtcNow, text = NoteText },
                tx);
            c.Execute("INSERT INTO event_tags (session_id, seq, tag) VALUES (@sessionId, @seq, @tag)", new { sessionId, seq, tag = Tags[0] }, tx);
            c.Execute("INSERT INTO event_text (text, session_id, seq) VALUES (@text, @sessionId, @seq)", new { text = NoteText, sessionId, seq }, tx);
        }
        tx.Commit();
    }

    /// <summary><see cref="Writers"/> concurrent writers on threads of their own, sharing <see cref="EventsPerIteration"/> events.</summary>
    private Task RunWriters(Func<Caller, Task> write)
    {
        var each = EventsPerIteration / Writers;
        return Task.WhenAll(_callers.Select(caller => Task.Factory.StartNew(
            async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    await write(caller);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()));
    }

    private sealed class NoPublisher : IEventPublisher
    {
        public void Publish(IReadOnlyList<SessionEvent> events)
        {
        }
    }
}
