using System.Data.Common;
using Dapper;
using Npgsql;
using SessionRoom.Core.Live;

namespace SessionRoom.Data.Live;

/// <summary>
/// The writer's per-event statements for one batch: the idempotency lookup and the inserts of an
/// event, its tags and its search text.
/// SQLite: each statement is made and prepared once per batch and re-run with new values, where Dapper would
/// parse and prepare the SQL again for every event (most of the writer's per-event CPU; see docs/benchmarks.md);
/// values are written exactly as <see cref="DapperTypes"/> writes them, so every reader reads them back the same.
/// PostgreSQL: every round trip is paid while the session's row is locked against every other server's writer, so
/// the batch's clientEventIds are looked up at once and an event goes in with its tags in one round trip (the
/// search text is a generated column; Npgsql prepares the statements by itself, see <see cref="Db.Postgres"/>).
/// </summary>
internal sealed class EventInserts(Db db, DbConnection connection, DbTransaction tx) : IDisposable
{
    private DbCommand? _earlier;
    private DbCommand? _event;
    private DbCommand? _tag;
    private DbCommand? _text;

    // PostgreSQL: the batch's clientEventIds already stored, and those this batch stores, so EarlierSeq asks nothing
    // per event (a round trip each, under the session's lock); SQLite's in-process lookup stays per event.
    private Dictionary<(Guid Session, Guid Client), long>? _known;

    /// <summary>On PostgreSQL, looks up every clientEventId of the batch at once (see <see cref="EarlierSeq"/>).</summary>
    public void LoadEarlier(IReadOnlyCollection<(Guid SessionId, Guid ClientEventId)> requests)
    {
        if (!db.IsPostgres)
        {
            return;
        }
        _known = connection.Query<(Guid, Guid, long)>(
                "SELECT session_id, client_event_id, seq FROM events WHERE session_id = ANY(@sessions) AND client_event_id = ANY(@clients)",
                new { sessions = requests.Select(r => r.SessionId).Distinct().ToArray(), clients = requests.Select(r => r.ClientEventId).ToArray() }, tx)
            .ToDictionary(r => (r.Item1, r.Item2), r => r.Item3);
    }

    /// <summary>The seq of the event the session already stored for this clientEventId (or this batch did), if any.</summary>
    public long? EarlierSeq(Guid sessionId, Guid clientEventId)
    {
        if (_known is not null)
        {
            return _known.TryGetValue((sessionId, clientEventId), out var known) ? known : null;
        }
        var c = _earlier ??= Prepare("SELECT seq FROM events WHERE session_id = @session AND client_event_id = @client", "session", "client");
        Bind(c, db.Id(sessionId), db.Id(clientEventId));
        return c.ExecuteScalar() is long seq ? seq : null;
    }

    public void Insert(Guid sessionId, SessionEvent e)
    {
        _known?.Add((sessionId, e.ClientEventId), e.Seq);
        if (db.IsPostgres)
        {
            InsertInOneRoundTrip(sessionId, e);
            return;
        }
        var c = _event ??= Prepare(
            EventInsert + "VALUES (@session, @seq, @id, @client, @type, @audience, @actor, @prompt, @participant, @at, @created, @text, @data, @restricted)",
            "session", "seq", "id", "client", "type", "audience", "actor", "prompt", "participant", "at", "created", "text", "data", "restricted");
        var session = db.Id(sessionId);
        Bind(c, session, e.Seq, db.Id(e.Id), db.Id(e.ClientEventId), e.Type, e.Audience, e.ActorId is { } actor ? db.Id(actor) : null,
            e.PromptId is { } prompt ? db.Id(prompt) : null, e.ParticipantId is { } participant ? db.Id(participant) : null,
            e.AtMs, DapperTypes.Text(e.CreatedUtc), e.Text, e.Data.GetRawText(), e.Restricted);
        c.ExecuteNonQuery();
        foreach (var tag in e.Tags)
        {
            var t = _tag ??= Prepare("INSERT INTO event_tags (session_id, seq, tag) VALUES (@session, @seq, @tag)", "session", "seq", "tag");
            Bind(t, session, e.Seq, tag);
            t.ExecuteNonQuery();
        }
        if (e.Text is not null)
        {
            var x = _text ??= Prepare("INSERT INTO event_text (text, session_id, seq) VALUES (@text, @session, @seq)", "text", "session", "seq");
            Bind(x, e.Text, session, e.Seq);
            x.ExecuteNonQuery();
        }
    }

    /// <summary>PostgreSQL: the event and its tags in one batch of statements, one round trip (the search text is a generated column).</summary>
    private void InsertInOneRoundTrip(Guid sessionId, SessionEvent e)
    {
        using var batch = ((NpgsqlConnection)connection).CreateBatch();
        batch.Transaction = (NpgsqlTransaction)tx;
        batch.BatchCommands.Add(new NpgsqlBatchCommand(EventInsert + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        {
            Parameters =
            {
                new() { Value = sessionId }, new() { Value = e.Seq }, new() { Value = e.Id }, new() { Value = e.ClientEventId },
                new() { Value = e.Type }, new() { Value = e.Audience }, Nullable(e.ActorId), Nullable(e.PromptId), Nullable(e.ParticipantId),
                new() { Value = e.AtMs }, new() { Value = e.CreatedUtc.ToUniversalTime() },
                new() { Value = (object?)e.Text ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                new() { Value = e.Data.GetRawText() }, new() { Value = e.Restricted },
            },
        });
        if (e.Tags.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO event_tags (session_id, seq, tag) SELECT $1, $2, unnest($3::text[])")
            {
                Parameters = { new() { Value = sessionId }, new() { Value = e.Seq }, new() { Value = e.Tags.ToArray() } },
            });
        }
        batch.ExecuteNonQuery();
    }

    private static NpgsqlParameter Nullable(Guid? id) =>
        new() { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid };

    private const string EventInsert =
        "INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted) ";

    public void Dispose()
    {
        _earlier?.Dispose();
        _event?.Dispose();
        _tag?.Dispose();
        _text?.Dispose();
    }

    private DbCommand Prepare(string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }

    private static void Bind(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
