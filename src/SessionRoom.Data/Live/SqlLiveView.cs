using System.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.Data.Live;

/// <summary>The rules' view of a session, read inside the writer's transaction (see <see cref="ILiveView"/>).</summary>
internal sealed class SqlLiveView(IDbConnection c, IDbTransaction tx, TimeProvider clock) : ILiveView
{
    public string? Status(Guid sessionId) =>
        c.QuerySingleOrDefault<string>("SELECT status FROM sessions WHERE id = @sessionId", new { sessionId }, tx);

    public Prompt? FindPrompt(Guid sessionId, Guid promptId) =>
        c.QuerySingleOrDefault<PromptRow>(PromptRow.Select + " WHERE id = @promptId AND session_id = @sessionId", new { sessionId, promptId }, tx)?.ToPrompt();

    public Guid? CurrentPromptId(Guid sessionId) =>
        c.QuerySingleOrDefault<SessionFlags>("SELECT current_prompt_id AS CurrentPromptId, blind AS Blind FROM sessions WHERE id = @sessionId", new { sessionId }, tx)?.CurrentPromptId;

    public bool IsBlind(Guid sessionId) =>
        c.QuerySingleOrDefault<SessionFlags>("SELECT current_prompt_id AS CurrentPromptId, blind AS Blind FROM sessions WHERE id = @sessionId", new { sessionId }, tx)?.Blind == 1;

    public bool IsParticipant(Guid sessionId, Guid memberId) =>
        c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM members WHERE id = @memberId AND session_id = @sessionId AND role = @role",
            new { memberId, sessionId, role = Roles.Participant }, tx) > 0;

    public IReadOnlyList<string> Tags(Guid sessionId) =>
        c.Query<string>("SELECT name FROM session_tags WHERE session_id = @sessionId ORDER BY position", new { sessionId }, tx).ToList();

    public long? RunningTaskSince(Guid sessionId, Guid promptId, Guid participantId)
    {
        var last = c.QueryFirstOrDefault<TaskRow>(
            """
            SELECT type AS Type, at_ms AS AtMs FROM events
            WHERE session_id = @sessionId AND prompt_id = @promptId AND participant_id = @participantId
              AND type IN ('task-started', 'task-ended')
            ORDER BY seq DESC LIMIT 1
            """, new { sessionId, promptId, participantId }, tx);
        return last?.Type == EventTypes.TaskStarted ? last.AtMs : null;
    }

    public long ClockMs(Guid sessionId)
    {
        var started = c.QuerySingleOrDefault<StartRow>("SELECT started_utc AS StartedUtc FROM sessions WHERE id = @sessionId", new { sessionId }, tx)?.StartedUtc;
        return started is { } s ? Math.Max(0, (long)(clock.GetUtcNow() - s).TotalMilliseconds) : 0;
    }

    private sealed class SessionFlags
    {
        public Guid? CurrentPromptId { get; set; }
        public long Blind { get; set; }
    }

    private sealed class StartRow
    {
        public DateTimeOffset? StartedUtc { get; set; }
    }

    private sealed class TaskRow
    {
        public string Type { get; set; } = "";
        public long AtMs { get; set; }
    }
}
