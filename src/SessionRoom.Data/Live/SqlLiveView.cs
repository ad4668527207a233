using System.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.Data.Live;

/// <summary>
/// The rules' view of a session, read inside the writer's transaction (see <see cref="ILiveView"/>).
/// One view serves one batch: the session row and its tags are read once per batch, not once per
/// question, and the writer calls <see cref="Forget"/> after it changes the session row.
/// </summary>
internal sealed class SqlLiveView(Db db, IDbConnection c, IDbTransaction tx, TimeProvider clock) : ILiveView
{
    private readonly Dictionary<Guid, SessionFacts?> _sessions = [];
    private readonly Dictionary<Guid, IReadOnlyList<string>> _tags = [];
    private readonly Dictionary<Guid, bool> _withdrawn = [];

    public string? Status(Guid sessionId) => Facts(sessionId)?.Status;

    public Guid? CurrentPromptId(Guid sessionId) => Facts(sessionId)?.CurrentPromptId;

    public bool IsBlind(Guid sessionId) => Facts(sessionId)?.Blind == 1;

    /// <summary>The instant of the event being decided; the writer sets it so the decision and the event's time agree.</summary>
    public DateTimeOffset? Now { get; set; }

    public long ClockMs(Guid sessionId) =>
        Facts(sessionId)?.StartedUtc is { } started ? Math.Max(0, (long)((Now ?? clock.GetUtcNow()) - started).TotalMilliseconds) : 0;

    public Prompt? FindPrompt(Guid sessionId, Guid promptId) =>
        c.QuerySingleOrDefault<PromptRow>(PromptRow.Select + " WHERE id = @promptId AND session_id = @sessionId", new { sessionId, promptId }, tx)?.ToPrompt();

    public bool IsParticipant(Guid sessionId, Guid memberId) =>
        c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM members WHERE id = @memberId AND session_id = @sessionId AND role = @role",
            new { memberId, sessionId, role = Roles.Participant }, tx) > 0;

    /// <summary>
    /// Reads the withdrawn members of the batch's sessions in one query (few, usually none), so that
    /// <see cref="IsWithdrawn"/> asks nothing more: one round trip per batch rather than one per member on PostgreSQL.
    /// </summary>
    public void LoadWithdrawn(IReadOnlyCollection<Guid> sessionIds, IEnumerable<Guid> memberIds)
    {
        var withdrawn = c.Query<Guid>(
            $"SELECT id FROM members WHERE {db.In("session_id", "sessionIds")} AND withdrawn_utc IS NOT NULL",
            new { sessionIds = db.Ids(sessionIds) }, tx).ToHashSet();
        foreach (var memberId in memberIds)
        {
            _withdrawn[memberId] = withdrawn.Contains(memberId);
        }
    }

    /// <summary>Asked for every write; read once per member per batch (a withdrawal cannot happen inside the writer's transaction).</summary>
    public bool IsWithdrawn(Guid sessionId, Guid memberId)
    {
        if (!_withdrawn.TryGetValue(memberId, out var withdrawn))
        {
            withdrawn = c.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM members WHERE id = @memberId AND session_id = @sessionId AND withdrawn_utc IS NOT NULL",
                new { memberId, sessionId }, tx) > 0;
            _withdrawn[memberId] = withdrawn;
        }
        return withdrawn;
    }

    public IReadOnlyList<string> Tags(Guid sessionId)
    {
        if (!_tags.TryGetValue(sessionId, out var tags))
        {
            tags = c.Query<string>("SELECT name FROM session_tags WHERE session_id = @sessionId ORDER BY position", new { sessionId }, tx).ToList();
            _tags[sessionId] = tags;
        }
        return tags;
    }

    /// <summary>The writer changed the session row (status, start, current prompt): read it again next time.</summary>
    public void Forget(Guid sessionId) => _sessions.Remove(sessionId);

    private SessionFacts? Facts(Guid sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var facts))
        {
            facts = c.QuerySingleOrDefault<SessionFacts>(
                """
                SELECT status AS Status, current_prompt_id AS CurrentPromptId, blind AS Blind, started_utc AS StartedUtc
                FROM sessions WHERE id = @sessionId
                """, new { sessionId }, tx);
            _sessions[sessionId] = facts;
        }
        return facts;
    }

    public TaskTimer? RunningTask(Guid sessionId, Guid promptId, Guid participantId)
    {
        // Only the events since the participant's last start of this task matter.
        var events = c.Query<TaskRow>(
            $"""
            SELECT type AS Type, at_ms AS AtMs FROM events
            WHERE session_id = @sessionId AND prompt_id = @promptId AND participant_id = @participantId
              AND {db.In("type", "types")}
              AND seq >= COALESCE((SELECT MAX(seq) FROM events
                                   WHERE session_id = @sessionId AND prompt_id = @promptId AND participant_id = @participantId
                                     AND type = 'task-started'), 0)
            ORDER BY seq
            """, new { sessionId, promptId, participantId, types = EventTypes.TaskTimeline }, tx);
        return TaskTimer.Replay(events.Select(e => (e.Type, e.AtMs)));
    }

    private sealed class SessionFacts
    {
        public string Status { get; set; } = "";
        public Guid? CurrentPromptId { get; set; }
        public long Blind { get; set; }
        public DateTimeOffset? StartedUtc { get; set; }
    }

    private sealed class TaskRow
    {
        public string Type { get; set; } = "";
        public long AtMs { get; set; }
    }
}
