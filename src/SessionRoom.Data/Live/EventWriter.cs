using System.Data;
using System.Threading.Channels;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Live;

/// <summary>
/// The one writer of the event log. Calls queue up; a single loop takes everything waiting (up to
/// <see cref="MaxBatch"/>) and writes it in one transaction (group commit), deciding each call with
/// <see cref="LiveSessions"/> against that same transaction. Per session, <c>seq</c> counts up with
/// no gap. A call's <see cref="Ack"/> completes only after the commit, and the committed events go
/// to the <see cref="IEventPublisher"/> in seq order. A repeated <c>clientEventId</c> stores nothing
/// and acknowledges the first event's seq with <c>Duplicate = true</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>seq.</b> Each event takes one more than the larger of the session's highest stored seq and its
/// <c>seq_floor</c> (the high-water mark a consent withdrawal keeps, so deleted numbers are never given
/// again), both read inside the batch's transaction. On SQLite this writer is the only writer of the file
/// (one server), so that is enough.
/// </para>
/// <para>
/// <b>Several servers on PostgreSQL.</b> Each server has its own writer, so two transactions may number
/// the same session at once. The batch therefore first locks the row of every session it writes to
/// (<c>SELECT ... FOR NO KEY UPDATE</c>, in id order so two batches naming the same sessions cannot deadlock;
/// NO KEY so inserting a member or an invite of the session need not wait), and
/// only then looks up clientEventIds and reads the highest seq. The lock is held until commit or rollback:
/// the writers of one session, on any server, take turns, and each reads (READ COMMITTED: every statement
/// sees what was committed before it began) the events the one before it committed. So seq has no gap and
/// no repeat, and a retry racing its first attempt on the other server waits, then finds it and acknowledges
/// it as a duplicate. A batch that rolls back has stored nothing, so the next one takes the same numbers.
/// A batch holds every session it writes to, so on a busy deployment one server's batch can wait for
/// another server's batch on a shared session, and its other sessions with it. Store writes that decide from
/// the session row (editing the guide, a consent withdrawal) lock it first (<c>Db.LockSessionRow</c>), so
/// they too take turns with the writers. Why a row lock: it is the session's own row (no hashed advisory
/// key to agree on), and a sequence is not transactional (a rolled-back number is lost: a gap).
/// <c>UNIQUE (session_id, client_event_id)</c> and the primary key <c>(session_id, seq)</c> back this up.
/// </para>
/// </remarks>
public sealed class EventWriter : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly Db _db;
    private readonly LiveSessions _rules;
    private readonly IEventPublisher _publisher;
    private readonly TimeProvider _clock;
    private readonly Action<Exception> _onBatchFailed;
    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    /// <param name="onBatchFailed">Told of a batch that could not be committed (its callers are told to retry).</param>
    public EventWriter(Db db, LiveSessions rules, IEventPublisher publisher, TimeProvider clock, Action<Exception> onBatchFailed)
    {
        _onBatchFailed = onBatchFailed;
        _db = db;
        _rules = rules;
        _publisher = publisher;
        _clock = clock;
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Decides and stores one call. Throws <see cref="LiveRuleException"/> when the rules refuse it.</summary>
    public Task<Ack> WriteAsync(Caller caller, LiveCommand command)
    {
        LiveSessions.RequireClientEventId(command);
        var request = new Request(caller, command);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new LiveRuleException("The server is shutting down; try again in a moment.");
        }
        return request.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task Run()
    {
        var batch = new List<Request>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }
            WriteBatch(batch);
            batch.Clear();
        }
    }

    private void WriteBatch(List<Request> batch)
    {
        var stored = new List<(Request Request, SessionEvent? Event, Ack Ack)>(batch.Count);
        try
        {
            using var connection = _db.Open();
            using var tx = connection.BeginTransaction();
            LockSessions(connection, tx, batch);
            // Only now, with the sessions locked, does what other servers committed stay put until this batch commits.
            using var inserts = new EventInserts(_db, connection, tx);
            inserts.LoadEarlier(batch.Select(r => (r.Caller.SessionId, r.Command.ClientEventId)).ToList());
            var view = new SqlLiveView(_db, connection, tx, _clock);
            view.LoadWithdrawn(batch.Select(r => r.Caller.SessionId).Distinct().ToList(), batch.Select(r => r.Caller.MemberId));
            var lastSeq = new Dictionary<Guid, long>();
            foreach (var request in batch)
            {
                try
                {
                    stored.Add(Write(connection, tx, inserts, view, lastSeq, request));
                }
                catch (LiveRuleException refused)
                {
                    // Refused before anything of this call was written: the rest of the batch goes on.
                    request.Done.TrySetException(refused);
                }
            }
            tx.Commit();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of the batch was committed, so nothing is acknowledged or published.
            _onBatchFailed(e);
            foreach (var request in batch)
            {
                request.Done.TrySetException(new LiveRuleException("The event could not be stored; try again."));
            }
            return;
        }
        foreach (var (request, _, ack) in stored)
        {
            request.Done.TrySetResult(ack);
        }
        var events = stored.Where(s => s.Event is not null).Select(s => s.Event!).ToList();
        if (events.Count > 0)
        {
            _publisher.Publish(events);
        }
    }

    /// <summary>PostgreSQL: locks the rows of the batch's sessions until the transaction ends (see the remarks above).</summary>
    private void LockSessions(IDbConnection c, IDbTransaction tx, List<Request> batch)
    {
        if (_db.IsPostgres)
        {
            var sessionIds = batch.Select(r => r.Caller.SessionId).Distinct().ToArray();
            c.Execute("SELECT id FROM sessions WHERE id = ANY(@sessionIds) ORDER BY id FOR NO KEY UPDATE", new { sessionIds }, tx);
        }
    }

    private (Request, SessionEvent?, Ack) Write(IDbConnection c, IDbTransaction tx, EventInserts inserts, SqlLiveView view, Dictionary<Guid, long> lastSeq, Request request)
    {
        var (caller, command) = (request.Caller, request.Command);
        var sessionId = caller.SessionId;
        if (inserts.EarlierSeq(sessionId, command.ClientEventId) is { } first)
        {
            return (request, null, new Ack(first, Duplicate: true));
        }

        // One instant per event: the rules' clock (a task's duration) and the event's time agree to the millisecond.
        var now = _db.Now(_clock);
        view.Now = now;
        var decided = _rules.Decide(view, caller, command);
        if (!lastSeq.TryGetValue(sessionId, out var last))
        {
            // seq_floor: numbers of events deleted by a consent withdrawal are never given again.
            var (stored, floor) = c.QuerySingle<(long, long)>(
                """
                SELECT COALESCE((SELECT MAX(seq) FROM events WHERE session_id = @sessionId), 0),
                       COALESCE((SELECT seq_floor FROM sessions WHERE id = @sessionId), 0)
                """, new { sessionId }, tx);
            last = Math.Max(stored, floor);
        }
        var seq = last + 1;
        lastSeq[sessionId] = seq;

        if (decided.NewStatus == SessionStatuses.Live)
        {
            c.Execute("UPDATE sessions SET status = @status, started_utc = @now WHERE id = @sessionId", new { status = SessionStatuses.Live, now, sessionId }, tx);
        }
        else if (decided.NewStatus == SessionStatuses.Ended)
        {
            c.Execute("UPDATE sessions SET status = @status, ended_utc = @now WHERE id = @sessionId", new { status = SessionStatuses.Ended, now, sessionId }, tx);
        }
        if (decided.NewCurrentPrompt is { } promptId)
        {
            c.Execute("UPDATE sessions SET current_prompt_id = @promptId WHERE id = @sessionId", new { promptId, sessionId }, tx);
        }
        if (decided.NewStatus is not null || decided.NewCurrentPrompt is not null)
        {
            view.Forget(sessionId);
        }

        var tags = decided.Tags ?? [];
        var e = new SessionEvent(
            seq, Guid.NewGuid(), command.ClientEventId, decided.Type, decided.Audience, caller.MemberId, caller.Code,
            decided.PromptId, decided.ParticipantId, view.ClockMs(sessionId), now, decided.Text, tags, EventJson.ToElement(decided.Data))
        {
            SessionId = sessionId,
            Restricted = decided.Restricted,
        };
        inserts.Insert(sessionId, e);
        return (request, e, new Ack(seq, Duplicate: false));
    }

    private sealed record Request(Caller Caller, LiveCommand Command)
    {
        public TaskCompletionSource<Ack> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
