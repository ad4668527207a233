using System.Text.Json;
using Dapper;
using Npgsql;
using SessionRoom.Core.Live;

namespace SessionRoom.Data.Postgres;

/// <summary>
/// The event log on PostgreSQL: appends and reads a session's events, with <c>seq</c> counting up
/// 1, 2, 3... per session with no gap and no repeat, even when several servers write to the same
/// session at once, and with a repeated <c>clientEventId</c> stored once.
/// </summary>
/// <remarks>
/// <para>
/// <b>How seq is given.</b> The session's row holds the last seq given (<c>sessions.last_seq</c>), and
/// each event takes the next one with <c>UPDATE sessions SET last_seq = last_seq + 1 WHERE id = @id
/// RETURNING last_seq</c> in the append's transaction. The row lock that takes is held until commit, so
/// the writers of one session, on any server, queue on that one row; writers of other sessions lock
/// other rows and are never held up. A transaction that rolls back gives its numbers back with its
/// update, so the next writer gets them and no gap is left. The number is the session's row, so it
/// lives and dies with the session and a backup restores it with the events.
/// </para>
/// <para>
/// <b>Why not the alternatives.</b> A PostgreSQL sequence is not transactional: a number taken by a
/// transaction that then fails is gone, which leaves gaps, and one sequence per session would mean DDL
/// whenever a session is made. <c>MAX(seq) + 1</c> under a per-session advisory lock
/// (<c>pg_advisory_xact_lock</c>) would also serialise writers, but only if every writer remembers to
/// take the lock (a hashed key, a lock outside the data), and it would give a deleted last event's
/// number again, which SQLite's <c>seq_floor</c> exists to prevent; <c>last_seq</c> only grows, so it does
/// that job too.
/// </para>
/// <para>
/// <b>Idempotency.</b> The lookup of an event's <c>clientEventId</c> is made only once the session's row
/// is locked, so a retry racing its first attempt on another server waits for that one to commit or
/// roll back and then sees its outcome (each statement under READ COMMITTED reads what was committed
/// before it started). A stored one is acknowledged with its stored seq and <c>Duplicate = true</c>,
/// and nothing new is stored; the same <c>clientEventId</c> twice in one batch is stored once too.
/// <c>UNIQUE (session_id, client_event_id)</c> backs this up in the schema.
/// </para>
/// <para>
/// <b>Batches.</b> One call is one transaction, for one or more sessions: everything of it is stored,
/// or (on any error) nothing, and the numbers it took are given back. The session rows of a batch are
/// locked first, in one statement in id order, so two batches naming the same sessions in a different
/// order cannot deadlock.
/// </para>
/// </remarks>
public sealed class PgEventLog(NpgsqlDataSource dataSource)
{
    /// <summary>Adds a session with no events yet (last seq 0); nothing happens if it is already there.</summary>
    public async Task AddSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sessions (id) VALUES (@sessionId) ON CONFLICT (id) DO NOTHING", new { sessionId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stores <paramref name="events"/> (each for its <see cref="SessionEvent.SessionId"/>) in one
    /// transaction and returns one <see cref="Ack"/> per event, in the same order. Each event's
    /// <see cref="SessionEvent.Seq"/> is ignored: the log gives it. Throws, having stored nothing, if a
    /// session is unknown or the database refuses an event.
    /// </summary>
    public async Task<IReadOnlyList<Ack>> AppendAsync(IReadOnlyList<SessionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        var sessionIds = events.Select(e => e.SessionId).Distinct().ToArray();
        var locked = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM sessions WHERE id = ANY(@sessionIds) ORDER BY id FOR UPDATE",
            new { sessionIds }, tx, cancellationToken: cancellationToken))).ToHashSet();
        var missing = sessionIds.Where(id => !locked.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"Session {missing[0]} is not in the event log.");
        }

        var acks = new List<Ack>(events.Count);
        foreach (var e in events)
        {
            acks.Add(await Append(connection, tx, e, cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return acks;
    }

    /// <summary>The session's events with seq above <paramref name="afterSeq"/>, in seq order, with their tags.</summary>
    /// <remarks><see cref="SessionEvent.ActorCode"/> is null: members are not in this store yet.</remarks>
    public async Task<IReadOnlyList<SessionEvent>> SinceAsync(Guid sessionId, long afterSeq, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for both queries, so the tags belong to exactly the events read.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT seq AS Seq, id AS Id, client_event_id AS ClientEventId, type AS Type, audience AS Audience, actor_id AS ActorId,
                   prompt_id AS PromptId, participant_id AS ParticipantId, at_ms AS AtMs, created_utc AS CreatedUtc, text AS Text,
                   data_json AS DataJson, restricted AS Restricted
            FROM events WHERE session_id = @sessionId AND seq > @afterSeq ORDER BY seq
            """, new { sessionId, afterSeq }, tx, cancellationToken: cancellationToken));
        var tags = (await connection.QueryAsync<(long Seq, string Tag)>(new CommandDefinition(
            "SELECT seq, tag FROM event_tags WHERE session_id = @sessionId AND seq > @afterSeq ORDER BY seq, tag",
            new { sessionId, afterSeq }, tx, cancellationToken: cancellationToken)))
            .ToLookup(t => t.Seq, t => t.Tag);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r.ToEvent(sessionId, tags[r.Seq].ToList())).ToList();
    }

    /// <summary>One event, its session's row already locked by this transaction.</summary>
    private static async Task<Ack> Append(NpgsqlConnection connection, NpgsqlTransaction tx, SessionEvent e, CancellationToken cancellationToken)
    {
        var sessionId = e.SessionId;
        var earlier = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT seq FROM events WHERE session_id = @sessionId AND client_event_id = @clientEventId",
            new { sessionId, clientEventId = e.ClientEventId }, tx, cancellationToken: cancellationToken));
        if (earlier is { } stored)
        {
            return new Ack(stored, Duplicate: true);
        }

        var seq = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "UPDATE sessions SET last_seq = last_seq + 1 WHERE id = @sessionId RETURNING last_seq",
            new { sessionId }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted)
            VALUES (@sessionId, @seq, @id, @clientEventId, @type, @audience, @actorId, @promptId, @participantId, @atMs, @createdUtc, @text, @data, @restricted)
            """,
            new
            {
                sessionId,
                seq,
                id = e.Id,
                clientEventId = e.ClientEventId,
                type = e.Type,
                audience = e.Audience,
                actorId = e.ActorId,
                promptId = e.PromptId,
                participantId = e.ParticipantId,
                atMs = e.AtMs,
                // timestamptz takes only UTC offsets from Npgsql; it keeps microseconds (the 7th digit is dropped).
                createdUtc = e.CreatedUtc.ToUniversalTime(),
                text = e.Text,
                data = e.Data.ValueKind == JsonValueKind.Undefined ? null : e.Data.GetRawText(),
                restricted = e.Restricted,
            }, tx, cancellationToken: cancellationToken));
        if (e.Tags.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO event_tags (session_id, seq, tag) SELECT @sessionId, @seq, unnest(@tags)",
                new { sessionId, seq, tags = e.Tags.ToArray() }, tx, cancellationToken: cancellationToken));
        }
        return new Ack(seq, Duplicate: false);
    }

    /// <summary>An event as stored.</summary>
    private sealed class Row
    {
        public long Seq { get; set; }
        public Guid Id { get; set; }
        public Guid ClientEventId { get; set; }
        public string Type { get; set; } = "";
        public string Audience { get; set; } = "";
        public Guid? ActorId { get; set; }
        public Guid? PromptId { get; set; }
        public Guid? ParticipantId { get; set; }
        public long AtMs { get; set; }
        public DateTime CreatedUtc { get; set; }
        public string? Text { get; set; }
        public string? DataJson { get; set; }
        public bool Restricted { get; set; }

        public SessionEvent ToEvent(Guid sessionId, IReadOnlyList<string> tags) =>
            new(Seq, Id, ClientEventId, Type, Audience, ActorId, null, PromptId, ParticipantId, AtMs,
                new DateTimeOffset(DateTime.SpecifyKind(CreatedUtc, DateTimeKind.Utc)), Text, tags, ParseData(DataJson))
            {
                SessionId = sessionId,
                Restricted = Restricted,
            };

        private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();

        /// <summary>As SQLite's store reads it: no data reads as an empty object.</summary>
        private static JsonElement ParseData(string? json)
        {
            if (string.IsNullOrEmpty(json))
            {
                return Empty;
            }
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
    }
}
