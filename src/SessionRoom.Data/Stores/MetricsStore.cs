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
                PromptRow.Select + $" WHERE session_id = @sessionId AND {db.In("kind", "Kinds")} ORDER BY position", new { sessionId, Kinds }, tx)
                .Select(r => r.ToPrompt())
                .ToList();
            // Answers and task ends of those prompts; the metrics need neither their tags nor their text.
            var events = prompts.Count == 0 ? [] : c.Query<EventRow>(
                EventRow.Select + $"""
                WHERE e.session_id = @sessionId AND {db.In("e.type", "Types")}
                  AND e.prompt_id IN (SELECT id FROM prompts WHERE session_id = @sessionId AND {db.In("kind", "Kinds")})
                ORDER BY e.seq
                """, new { sessionId, Types, Kinds }, tx)
                .Select(r => r.ToEvent(sessionId, []))
                .ToList();
            sessions.Add(new StudySessionData(sessionId, prompts, events));
        }
        return sessions;
    });
}
