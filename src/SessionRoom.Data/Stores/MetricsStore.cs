using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;

namespace SessionRoom.Data.Stores;

/// <summary>Reads what the study-level usability metrics (<see cref="StudyMetrics"/>) are computed from.</summary>
public sealed class MetricsStore(Db db)
{
    private static readonly string[] Kinds = [PromptKinds.Task, PromptKinds.Seq, PromptKinds.Sus];
    private static readonly string[] Types = [EventTypes.TaskEnded, EventTypes.Answer];

    /// <summary>
    /// The study's sessions, oldest first, each with its task, SEQ and SUS prompts (in guide order) and the
    /// task-ended and answer events of those prompts (in seq order), read in one snapshot. Empty when the study
    /// has no sessions or does not exist.
    /// </summary>
    public IReadOnlyList<StudySessionData> ForStudy(Guid studyId) => db.Read((c, tx) =>
    {
        var sessionIds = c.Query<Guid>(
            "SELECT id FROM sessions WHERE study_id = @studyId ORDER BY created_utc, id", new { studyId }, tx).ToList();
        var sessions = new List<StudySessionData>(sessionIds.Count);
        foreach (var sessionId in sessionIds)
        {
            var prompts = c.Query<PromptRow>(
                PromptRow.Select + " WHERE session_id = @sessionId AND kind IN @Kinds ORDER BY position", new { sessionId, Kinds }, tx)
                .Select(r => r.ToPrompt())
                .ToList();
            var events = prompts.Count == 0 ? [] : c.Query<EventRow>(
                """
                SELECT seq AS Seq, id AS Id, client_event_id AS ClientEventId, type AS Type, audience AS Audience, actor_id AS ActorId,
                       prompt_id AS PromptId, participant_id AS ParticipantId, at_ms AS AtMs, created_utc AS CreatedUtc, data_json AS DataJson
                FROM events
                WHERE session_id = @sessionId AND type IN @Types
                  AND prompt_id IN (SELECT id FROM prompts WHERE session_id = @sessionId AND kind IN @Kinds)
                ORDER BY seq
                """, new { sessionId, Types, Kinds }, tx)
                .Select(r => r.ToEvent(sessionId))
                .ToList();
            sessions.Add(new StudySessionData(sessionId, prompts, events));
        }
        return sessions;
    });

    private sealed class EventRow
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
        public DateTimeOffset CreatedUtc { get; set; }
        public string? DataJson { get; set; }

        // Answers and task ends carry no text for the metrics and no tags; they are never restricted.
        public SessionEvent ToEvent(Guid sessionId) =>
            new(Seq, Id, ClientEventId, Type, Audience, ActorId, null, PromptId, ParticipantId, AtMs, CreatedUtc, null, [], EventJson.Parse(DataJson))
            {
                SessionId = sessionId,
            };
    }
}
