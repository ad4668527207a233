using Microsoft.Data.Sqlite;
using SessionRoom.Core.Live;

namespace SessionRoom.Data.Live;

/// <summary>
/// The writer's per-event statements for one batch: the idempotency lookup and the inserts of an
/// event, its tags and its full-text row. Each is prepared once per batch and re-run with new
/// values, where Dapper would parse and prepare the SQL again for every event (most of the
/// writer's per-event CPU; see docs/benchmarks.md). Values are written exactly as
/// <see cref="DapperTypes"/> writes them, so every reader reads them back the same.
/// </summary>
internal sealed class EventInserts(SqliteConnection connection, SqliteTransaction tx) : IDisposable
{
    private SqliteCommand? _earlier;
    private SqliteCommand? _event;
    private SqliteCommand? _tag;
    private SqliteCommand? _text;

    /// <summary>The seq of the event the session already stored for this clientEventId, if any.</summary>
    public long? EarlierSeq(Guid sessionId, Guid clientEventId)
    {
        var c = _earlier ??= Prepare("SELECT seq FROM events WHERE session_id = $session AND client_event_id = $client", "$session", "$client");
        Bind(c, DapperTypes.Text(sessionId), DapperTypes.Text(clientEventId));
        return c.ExecuteScalar() is long seq ? seq : null;
    }

    public void Insert(Guid sessionId, SessionEvent e)
    {
        var c = _event ??= Prepare(
            """
            INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted)
            VALUES ($session, $seq, $id, $client, $type, $audience, $actor, $prompt, $participant, $at, $created, $text, $data, $restricted)
            """,
            "$session", "$seq", "$id", "$client", "$type", "$audience", "$actor", "$prompt", "$participant", "$at", "$created", "$text", "$data", "$restricted");
        var session = DapperTypes.Text(sessionId);
        Bind(c, session, e.Seq, DapperTypes.Text(e.Id), DapperTypes.Text(e.ClientEventId), e.Type, e.Audience, e.ActorId is { } actor ? DapperTypes.Text(actor) : null,
            e.PromptId is { } prompt ? DapperTypes.Text(prompt) : null, e.ParticipantId is { } participant ? DapperTypes.Text(participant) : null,
            e.AtMs, DapperTypes.Text(e.CreatedUtc), e.Text, e.Data.GetRawText(), e.Restricted);
        c.ExecuteNonQuery();
        foreach (var tag in e.Tags)
        {
            var t = _tag ??= Prepare("INSERT INTO event_tags (session_id, seq, tag) VALUES ($session, $seq, $tag)", "$session", "$seq", "$tag");
            Bind(t, session, e.Seq, tag);
            t.ExecuteNonQuery();
        }
        if (e.Text is not null)
        {
            var x = _text ??= Prepare("INSERT INTO event_text (text, session_id, seq) VALUES ($text, $session, $seq)", "$text", "$session", "$seq");
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

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
