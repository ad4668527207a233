using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Exports;

/// <summary>
/// The usability figures of an export, from Core's <see cref="SessionMetrics"/>: every task, SEQ and SUS prompt of
/// the guide in guide order, with n = 0 and null figures where nothing was recorded yet.
/// </summary>
public sealed record ExportMetrics(
    bool PartialCountsAsSuccess,
    IReadOnlyList<TaskMetric> Tasks,
    IReadOnlyList<SeqMetric> Seq,
    IReadOnlyList<SusMetric> Sus)
{
    /// <summary>
    /// The figures of the guide's tasks, SEQ and SUS prompts. Completion counts each participant's last outcome,
    /// "success" only unless <paramref name="partialCountsAsSuccess"/>; intervals are 95% (adjusted-Wald for completion).
    /// </summary>
    public static ExportMetrics From(IReadOnlyList<Prompt> prompts, IReadOnlyList<SessionEvent> events, bool partialCountsAsSuccess = false)
    {
        var tasks = prompts.Where(p => p.Kind == PromptKinds.Task)
            .Select(p => TaskMetric.From(SessionMetrics.ForTask(events, p, partialCountsAsSuccess)))
            .ToList();
        var seq = prompts.Where(p => p.Kind == PromptKinds.Seq)
            .Select(p => SeqMetric.From(p, SessionMetrics.ForSeq(events, p)))
            .ToList();
        var sus = prompts.Where(p => p.Kind == PromptKinds.Sus)
            .Select(p => SusMetric.From(p, SessionMetrics.ForSus(events, p)))
            .ToList();
        return new ExportMetrics(partialCountsAsSuccess, tasks, seq, sus);
    }
}

/// <summary>A task's completion (successes of attempts, rate and its 95% adjusted-Wald interval) and time on task.</summary>
public sealed record TaskMetric(
    Guid PromptId,
    int Position,
    string Text,
    int Successes,
    int Attempts,
    double? Rate,
    double? Low,
    double? High,
    TimeOnTaskMetric? TimeOnTask)
{
    public static TaskMetric From(TaskMetrics m)
    {
        var c = m.Completion;
        var time = m.Time is { } t
            ? new TimeOnTaskMetric(t.Count, t.GeometricMean, t.Interval?.Lower, t.Interval?.Upper, t.Median)
            : null;
        return new TaskMetric(m.Task.Id, m.Task.Position, m.Task.Text, c?.Successes ?? 0, c?.Attempts ?? 0, c?.Rate, c?.Interval.Lower, c?.Interval.Upper, time);
    }
}

/// <summary>Time on task of the successful attempts, in seconds: geometric mean with its 95% interval, and the median.</summary>
public sealed record TimeOnTaskMetric(int N, double GeometricMeanSeconds, double? Low, double? High, double MedianSeconds);

/// <summary>An SEQ prompt's mean (1-7) with its 95% t-interval; null figures without answers, no interval with one.</summary>
public sealed record SeqMetric(Guid PromptId, int Position, string Text, int N, double? Mean, double? Low, double? High)
{
    public static SeqMetric From(Prompt prompt, MeanResult? m) =>
        new(prompt.Id, prompt.Position, prompt.Text, m?.Count ?? 0, m?.Mean, m?.Interval?.Lower, m?.Interval?.Upper);
}

/// <summary>A SUS prompt's mean score (0-100, unrounded) with its 95% t-interval, grade and adjective.</summary>
public sealed record SusMetric(Guid PromptId, int Position, int N, double? Mean, double? Low, double? High, string? Grade, string? Adjective)
{
    public static SusMetric From(Prompt prompt, SusResult? s) =>
        new(prompt.Id, prompt.Position, s?.Count ?? 0, s?.Mean, s?.Interval?.Lower, s?.Interval?.Upper, s?.Grade, s?.Adjective);
}
