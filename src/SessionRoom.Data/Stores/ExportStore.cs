using Dapper;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;
using SessionRoom.Data.Live;

namespace SessionRoom.Data.Stores;

/// <summary>
/// The reads behind session exports: the session with its study, guide and members (small, read whole), and its
/// events, every audience, streamed row by row so an export of a long session does not hold them all in memory.
/// </summary>
public sealed class ExportStore(Db db)
{
    /// <summary>The session, its study's name, its guide and every member who ever joined (revoked ones too); null when there is no such session.</summary>
    public ExportSource? Source(Guid sessionId) => db.Read((c, tx) =>
    {
        var row = c.QuerySingleOrDefault<SessionRow>(
            """
            SELECT s.id AS Id, s.study_id AS StudyId, st.name AS StudyName, s.title AS Title, s.mode AS Mode, s.status AS Status,
                   s.blind AS Blind, s.created_utc AS CreatedUtc, s.started_utc AS StartedUtc, s.ended_utc AS EndedUtc
            FROM sessions s JOIN studies st ON st.id = s.study_id
            WHERE s.id = @sessionId
            """, new { sessionId }, tx);
        if (row is null)
        {
            return null;
        }
        var tags = c.Query<string>("SELECT name FROM session_tags WHERE session_id = @sessionId ORDER BY position", new { sessionId }, tx).ToList();
        var prompts = c.Query<PromptRow>(PromptRow.Select + " WHERE session_id = @sessionId ORDER BY position", new { sessionId }, tx)
            .Select(p => p.ToPrompt())
            .ToList();
        var members = c.Query<MemberRow>(
            """
            SELECT id AS MemberId, role AS Role, code AS Code, display_name AS DisplayName
            FROM members WHERE session_id = @sessionId ORDER BY created_utc, id
            """, new { sessionId }, tx)
            .Select(m => new ExportMember(m.MemberId, m.Role, m.Code, m.DisplayName))
            .ToList();
        var themes = c.Query<ThemeCardRow>(
            """
            SELECT t.id AS ThemeId, t.name AS Name, tc.seq AS Seq FROM theme_cards tc JOIN themes t ON t.id = tc.theme_id
            WHERE tc.session_id = @sessionId ORDER BY t.position, t.id, tc.position, tc.seq
            """, new { sessionId }, tx)
            .GroupBy(r => (r.ThemeId, r.Name))
            .Select(g => new ExportTheme(g.Key.ThemeId, g.Key.Name, g.Select(r => r.Seq).ToList()))
            .ToList();
        var session = new ExportSessionInfo(
            row.Id, row.StudyId, row.StudyName, row.Title, row.Mode, row.Status, row.Blind != 0, tags, row.CreatedUtc, row.StartedUtc, row.EndedUtc);
        return new ExportSource(session, prompts, members, themes);
    });

    /// <summary>The study's name and its sessions' ids, oldest session first; null when there is no such study.</summary>
    public (string Name, IReadOnlyList<Guid> SessionIds)? Study(Guid studyId) => db.Read((c, tx) =>
    {
        var name = c.QuerySingleOrDefault<string?>("SELECT name FROM studies WHERE id = @studyId", new { studyId }, tx);
        if (name is null)
        {
            return ((string, IReadOnlyList<Guid>)?)null;
        }
        var ids = c.Query<Guid>("SELECT id FROM sessions WHERE study_id = @studyId ORDER BY created_utc, id", new { studyId }, tx).ToList();
        return (name, ids);
    });

    /// <summary>
    /// Every event of the session, all audiences, in seq order, as the facilitator's events endpoint returns them
    /// (tags sorted). Read unbuffered in one read transaction that stays open while the caller enumerates, so
    /// only the current event is in memory; dispose the enumerator (foreach does) to end the read.
    /// </summary>
    public IEnumerable<SessionEvent> StreamEvents(Guid sessionId)
    {
        using var connection = db.Open();
        using var tx = Db.BeginRead(connection);
        // One row per event and tag (an untagged event has one row with a null tag), folded into events as they come.
        var rows = connection.Query<EventRow>(
            """
            SELECT e.seq AS Seq, e.id AS Id, e.client_event_id AS ClientEventId, e.type AS Type, e.audience AS Audience,
                   e.actor_id AS ActorId, m.code AS ActorCode, e.prompt_id AS PromptId, e.participant_id AS ParticipantId,
                   e.at_ms AS AtMs, e.created_utc AS CreatedUtc, e.text AS Text, e.data_json AS DataJson, e.restricted AS Restricted,
                   t.tag AS Tag
            FROM events e
            LEFT JOIN members m ON m.id = e.actor_id
            LEFT JOIN event_tags t ON t.session_id = e.session_id AND t.seq = e.seq
            WHERE e.session_id = @sessionId
            ORDER BY e.seq
            """, new { sessionId }, tx, buffered: false);
        EventRow? current = null;
        var tags = new List<string>();
        foreach (var row in rows)
        {
            if (current is not null && row.Seq != current.Seq)
            {
                yield return ToEvent(sessionId, current, tags);
                tags = [];
            }
            current = row;
            if (row.Tag is not null)
            {
                tags.Add(row.Tag);
            }
        }
        if (current is not null)
        {
            yield return ToEvent(sessionId, current, tags);
        }
        tx.Commit();
    }

    /// <summary>
    /// As <see cref="StreamEvents"/>, each event only as its CSV row needs it, read with a plain data reader:
    /// a study's CSV export reads every event it holds, and mapping each through Dapper into a
    /// <see cref="SessionEvent"/> (its data parsed into a JSON element and written back) was most of its time.
    /// </summary>
    public IEnumerable<ExportCsvEvent> StreamCsvEvents(Guid sessionId)
    {
        using var connection = db.Open();
        using var tx = Db.BeginRead(connection);
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            """
            SELECT e.seq, e.type, e.audience, e.at_ms, e.created_utc, m.code, e.actor_id, e.prompt_id, e.participant_id,
                   e.text, e.data_json, t.tag
            FROM events e
            LEFT JOIN members m ON m.id = e.actor_id
            LEFT JOIN event_tags t ON t.session_id = e.session_id AND t.seq = e.seq
            WHERE e.session_id = @sessionId
            ORDER BY e.seq
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "sessionId";
        parameter.Value = db.Id(sessionId);
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        ExportCsvEvent? current = null;
        var tags = new List<string>();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            if (current is not null && seq != current.Seq)
            {
                tags.Sort(StringComparer.Ordinal);
                yield return current;
                tags = [];
            }
            if (current is null || seq != current.Seq)
            {
                current = new ExportCsvEvent(
                    seq, reader.GetString(1), reader.GetString(2), reader.GetInt64(3), DapperTypes.ReadTime(reader.GetValue(4)),
                    Text(reader, 5), Id(reader, 6), Id(reader, 7), Id(reader, 8), Text(reader, 9), Text(reader, 10), tags);
            }
            if (Text(reader, 11) is { } tag)
            {
                tags.Add(tag);
            }
        }
        if (current is not null)
        {
            tags.Sort(StringComparer.Ordinal);
            yield return current;
        }
        // The reader first: PostgreSQL runs one command at a time per connection, and the commit is one.
        reader.Dispose();
        tx.Commit();

        static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        static Guid? Id(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : DapperTypes.ReadGuid(r.GetValue(i));
    }

    private static SessionEvent ToEvent(Guid sessionId, EventRow r, List<string> tags)
    {
        tags.Sort(StringComparer.Ordinal);
        return r.ToEvent(sessionId, tags);
    }

    private sealed class SessionRow
    {
        public Guid Id { get; set; }
        public Guid StudyId { get; set; }
        public string StudyName { get; set; } = "";
        public string Title { get; set; } = "";
        public string Mode { get; set; } = "";
        public string Status { get; set; } = "";
        public long Blind { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
        public DateTimeOffset? StartedUtc { get; set; }
        public DateTimeOffset? EndedUtc { get; set; }
    }

    private sealed class ThemeCardRow
    {
        public Guid ThemeId { get; set; }
        public string Name { get; set; } = "";
        public long Seq { get; set; }
    }

    private sealed class MemberRow
    {
        public Guid MemberId { get; set; }
        public string Role { get; set; } = "";
        public string Code { get; set; } = "";
        public string DisplayName { get; set; } = "";
    }
}
