using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Metrics;

/// <summary>A usability task's figures so far: completion with its interval, and time on task of the successes.</summary>
public sealed record TaskMetrics(Prompt Task, CompletionRateResult? Completion, TimeOnTaskResult? Time);

/// <summary>Turns a session's events into the usability figures of <see cref="CompletionRate"/>, <see cref="TimeOnTask"/>, <see cref="Seq"/> and <see cref="Sus"/>.</summary>
public static class SessionMetrics
{
    /// <summary>Every ended attempt at the task: outcome, and duration in seconds on the server's session clock.</summary>
    public static IReadOnlyList<TaskAttempt> Attempts(IEnumerable<SessionEvent> events, Guid taskId) =>
        events.Where(e => e.Type == EventTypes.TaskEnded && e.PromptId == taskId && e.ParticipantId is not null)
            .Select(e => new TaskAttempt(
                e.ParticipantId!.Value,
                e.Data.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "fail",
                e.Seq,
                e.Data.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number && d.GetInt64() > 0 ? d.GetInt64() / 1000.0 : null))
            .ToList();

    /// <summary>The task's metrics from each participant's last attempt; partial counts as a success only when asked.</summary>
    public static TaskMetrics ForTask(IEnumerable<SessionEvent> events, Prompt task, bool partialCountsAsSuccess = false)
    {
        var last = TaskAttempts.LastPerParticipant(Attempts(events, task.Id));
        return new TaskMetrics(task, CompletionRate.FromAttempts(last, partialCountsAsSuccess), TimeOnTask.FromAttempts(last, partialCountsAsSuccess));
    }

    /// <summary>The SEQ prompt's mean (each participant's latest answer) with its interval.</summary>
    public static MeanResult? ForSeq(IEnumerable<SessionEvent> events, Prompt seq) =>
        Seq.Compute(PromptResults.LatestAnswers(events, seq.Id).Select(AnswerData.Rating).OfType<int>());

    /// <summary>The SUS prompt's summary (each participant's latest complete answer).</summary>
    public static SusResult? ForSus(IEnumerable<SessionEvent> events, Prompt sus) =>
        Sus.Summarize(PromptResults.LatestAnswers(events, sus.Id).Select(a => (IReadOnlyList<int>)AnswerData.Items(a)).Where(i => i.Count == Limits.SusItems));
}
