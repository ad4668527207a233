using System.Data.Common;
using SessionRoom.Core.Live;

namespace SessionRoom.Data.Live;

/// <summary>
/// The writer's per-event statements for one batch: the idempotency lookup and the inserts of an
/// event, its tags and (SQLite) its full-text row. Each is made once per batch and re-run with new
/// values; on SQLite it is also prepared once, where Dapper would parse and prepare the SQL again for
/// every event (most of the writer's per-event CPU; see docs/benchmarks.md). Values are written
/// exactly as <see cref="DapperTypes"/> writes them (<see cref="Db.Id"/>), so every reader reads them
/// back the same. PostgreSQL derives the search text from the event's own text (a generated column).
/// </summary>
internal sealed class EventInserts(Db db, DbConnection connection, DbTransaction tx) : IDisposable
{
    private DbCommand? _earlier;
    private DbCommand? _event;
    private DbCommand? _tag;
    private DbCommand? _text;

    /// <summary>The seq of the event the session already stored for this clientEventId, if any.</summary>
    public long? EarlierSeq(Guid sessionId, Guid clientEventId)
    {
        var c = _earlier ??= Prepare("SELECT seq FROM events WHERE session_id = @session AND client_event_id = @client", "session", "client");
        Bind(c, db.Id(sessionId), db.Id(clientEventId));
        return c.ExecuteScalar() is long seq ? seq : null;
    }

    public void Insert(Guid sessionId, SessionEvent e)
    {
        var c = _event ??= Prepare(
            """
            INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted)
            VALUES (@session, @seq, @id, @client, @type, @audience, @actor, @prompt, @participant, @at, @created, @text, @data, @restricted)
            """,
            "session", "seq", "id", "client", "type", "audience", "actor", "prompt", "participant", "at", "created", "text", "data", "restricted");
        var session = db.Id(sessionId);
        Bind(c, session, e.Seq, db.Id(e.Id), db.Id(e.ClientEventId), e.Type, e.Audience, e.ActorId is { } actor ? db.Id(actor) : null,
            e.PromptId is { } prompt ? db.Id(prompt) : null, e.ParticipantId is { } participant ? db.Id(participant) : null,
            e.AtMs, Time(e.CreatedUtc), e.Text, e.Data.GetRawText(), e.Restricted);
        c.ExecuteNonQuery();
        foreach (var tag in e.Tags)
        {
            var t = _tag ??= Prepare("INSERT INTO event_tags (session_id, seq, tag) VALUES (@session, @seq, @tag)", "session", "seq", "tag");
            Bind(t, session, e.Seq, tag);
            t.ExecuteNonQuery();
        }
        if (e.Text is not null && !db.IsPostgres)
        {
            var x = _text ??= Prepare("INSERT INTO event_text (text, session_id, seq) VALUES (@text, @session, @seq)", "text", "session", "seq");
            Bind(x, e.Text, session, e.Seq);
            x.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        _earlier?.Dispose();
        _event?.Dispose();
        _tag?.Dispose();
        _text?.Dispose();
    }

    /// <summary>SQLite's ISO text; PostgreSQL's timestamptz, which Npgsql takes only with offset zero.</summary>
    private object Time(DateTimeOffset value) => db.IsPostgres ? value.ToUniversalTime() : DapperTypes.Text(value);

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
        // Npgsql prepares only parameters of a known type, and its values give the types at the first run;
        // there its automatic preparation (Db.Postgres) takes these after their first few runs.
        if (!db.IsPostgres)
        {
            command.Prepare();
        }
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
