using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Metrics;

/// <summary>One session of a study as the study metrics need it: its guide and its task-ended and answer events.</summary>
public sealed record StudySessionData(Guid SessionId, IReadOnlyList<Prompt> Prompts, IReadOnlyList<SessionEvent> Events);

/// <summary>How many participants would narrow a task's completion interval to ± <paramref name="Margin"/>.</summary>
/// <param name="Margin">The wanted half-width of the interval, as a proportion (0.10 is ±10 percentage points).</param>
/// <param name="TotalParticipants">How many participants the task would need in all, counting those already tested.</param>
/// <param name="AdditionalParticipants">How many more than those already tested.</param>
/// <param name="Capped">True when even <see cref="SampleSize.Cap"/> more would not be enough.</param>
public sealed record CompletionPlan(double Margin, int TotalParticipants, int AdditionalParticipants, bool Capped);

/// <summary>The SEQ asked after a pooled task, pooled over the sessions whose SEQ has this wording.</summary>
/// <param name="Text">The SEQ's wording as first written.</param>
/// <param name="Mean">Mean rating with its interval over each participant's latest answer; null before any answer.</param>
public sealed record PooledSeq(string Text, MeanResult? Mean);

/// <summary>A usability task pooled over every session of the study whose guide has a task with the same wording.</summary>
/// <param name="Text">The task's wording as first written.</param>
/// <param name="SessionCount">How many sessions have this task in their guide.</param>
/// <param name="Completion">Completion rate over each participant's last outcome in each session; null before any attempt ended.</param>
/// <param name="Time">Time on task of those outcomes that are successes with a recorded time; null when there are none.</param>
/// <param name="Seqs">The SEQ asked right after the task, one entry per distinct SEQ wording (usually one).</param>
/// <param name="Plan">How many participants would narrow the completion interval to the chosen margin.</param>
public sealed record PooledTask(
    string Text,
    int SessionCount,
    CompletionRateResult? Completion,
    TimeOnTaskResult? Time,
    IReadOnlyList<PooledSeq> Seqs,
    CompletionPlan Plan);

/// <summary>A SUS questionnaire pooled over the sessions whose SUS prompt has this wording.</summary>
/// <param name="Text">The SUS prompt's wording as first written.</param>
/// <param name="SessionCount">How many sessions have this SUS prompt.</param>
/// <param name="Result">Scores of each participant's latest complete answer; null before any.</param>
public sealed record PooledSus(string Text, int SessionCount, SusResult? Result);

/// <summary>The usability figures of a whole study.</summary>
/// <param name="SessionCount">How many sessions were pooled.</param>
/// <param name="Tasks">Pooled tasks, in order of first appearance (session order, then guide order).</param>
/// <param name="Sus">Pooled SUS questionnaires, in order of first appearance.</param>
public sealed record StudyMetricsResult(int SessionCount, IReadOnlyList<PooledTask> Tasks, IReadOnlyList<PooledSus> Sus);

/// <summary>
/// Pools the usability figures of every session of a study. Each session has its own guide, so prompts are
/// matched by wording: tasks with the same wording are pooled (text trimmed, runs of whitespace collapsed to one
/// space, compared case-insensitively); SUS prompts likewise by their own wording. The SEQ of a task is the first
/// SEQ prompt after it in a session's guide, before the next task; SEQs of a pooled task are pooled by their own
/// wording too. A SEQ that follows no task is left out. Participants are members of one session, so they are
/// distinct per session: each counts once per session for each pooled task (their last outcome), SEQ (latest
/// answer) and SUS (latest complete answer).
/// </summary>
public static class StudyMetrics
{
    /// <summary>The default half-width the sample-size plan aims for: ±10 percentage points.</summary>
    public const double DefaultMargin = 0.10;

    /// <summary>The half-widths the metrics page offers.</summary>
    public static readonly IReadOnlyList<double> Margins = [0.05, 0.10, 0.15, 0.20];

    /// <summary>
    /// The pooled figures of the sessions (in the order given); an empty list gives no figures. Partial counts as
    /// a success only when asked. <paramref name="margin"/> (0 &lt; margin ≤ 0.5) is the target of each task's plan.
    /// </summary>
    public static StudyMetricsResult Compute(IEnumerable<StudySessionData> sessions, double margin = DefaultMargin, bool partialCountsAsSuccess = false)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var list = sessions.ToList();
        var tasks = new List<TaskGroup>();
        var sus = new List<SusGroup>();
        foreach (var session in list)
        {
            var guide = session.Prompts.OrderBy(p => p.Position).ToList();
            for (var i = 0; i < guide.Count; i++)
            {
                var prompt = guide[i];
                var key = Key(prompt.Text);
                if (prompt.Kind == PromptKinds.Task)
                {
                    var group = tasks.Find(t => t.Key == key);
                    if (group is null)
                    {
                        group = new TaskGroup(key, prompt.Text);
                        tasks.Add(group);
                    }
                    group.Add(session, prompt.Id, SeqAfter(guide, i));
                }
                else if (prompt.Kind == PromptKinds.Sus)
                {
                    var group = sus.Find(s => s.Key == key);
                    if (group is null)
                    {
                        group = new SusGroup(key, prompt.Text);
                        sus.Add(group);
                    }
                    group.Add(session, prompt.Id);
                }
            }
        }
        return new StudyMetricsResult(
            list.Count,
            tasks.Select(t => t.Result(margin, partialCountsAsSuccess)).ToList(),
            sus.Select(s => s.Result()).ToList());
    }

    /// <summary>
    /// How many participants in total, and how many more, would narrow the completion interval to ± <paramref name="margin"/>,
    /// assuming the observed completion rate holds (50% before any attempt); see <see cref="SampleSize.AdditionalForCompletionRate"/>.
    /// </summary>
    public static CompletionPlan Plan(CompletionRateResult? completion, double margin)
    {
        if (double.IsNaN(margin) || margin <= 0 || margin > 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be above 0 and at most 0.5.");
        }
        var (successes, attempts) = completion is null ? (0, 0) : (completion.Successes, completion.Attempts);
        var estimate = SampleSize.AdditionalForCompletionRate(successes, attempts, 2 * margin);
        return new CompletionPlan(margin, attempts + estimate.AdditionalParticipants, estimate.AdditionalParticipants, estimate.Capped);
    }

    /// <summary>The wording prompts are matched by: trimmed, whitespace runs collapsed to one space, lower case.</summary>
    public static string Key(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }

    /// <summary>The first SEQ after the task at <paramref name="index"/>, unless another task comes first.</summary>
    private static Prompt? SeqAfter(List<Prompt> guide, int index)
    {
        for (var i = index + 1; i < guide.Count; i++)
        {
            if (guide[i].Kind == PromptKinds.Task)
            {
                return null;
            }
            if (guide[i].Kind == PromptKinds.Seq)
            {
                return guide[i];
            }
        }
        return null;
    }

    /// <summary>Each participant's latest answer to any of the prompts, in one session.</summary>
    private static IEnumerable<SessionEvent> LatestAnswers(IReadOnlyList<SessionEvent> events, IReadOnlySet<Guid> promptIds) =>
        events.Where(e => e.Type == EventTypes.Answer && e.PromptId is { } p && promptIds.Contains(p) && e.ParticipantId is not null)
            .GroupBy(e => e.ParticipantId)
            .Select(g => g.MaxBy(e => e.Seq)!);

    /// <summary>The prompt ids of one group, per session (a guide may repeat a wording).</summary>
    private sealed class PromptsBySession
    {
        private readonly List<(StudySessionData Session, HashSet<Guid> Ids)> _sessions = [];

        public int Count => _sessions.Count;

        public IEnumerable<(StudySessionData Session, HashSet<Guid> Ids)> All => _sessions;

        public void Add(StudySessionData session, Guid promptId)
        {
            var index = _sessions.FindIndex(s => ReferenceEquals(s.Session, session));
            if (index < 0)
            {
                _sessions.Add((session, [promptId]));
            }
            else
            {
                _sessions[index].Ids.Add(promptId);
            }
        }
    }

    private sealed class TaskGroup(string key, string text)
    {
        private readonly PromptsBySession _tasks = new();
        private readonly List<(string Key, string Text, PromptsBySession Prompts)> _seqs = [];

        public string Key => key;

        public void Add(StudySessionData session, Guid taskId, Prompt? seq)
        {
            _tasks.Add(session, taskId);
            if (seq is not null)
            {
                var seqKey = StudyMetrics.Key(seq.Text);
                var index = _seqs.FindIndex(s => s.Key == seqKey);
                if (index < 0)
                {
                    _seqs.Add((seqKey, seq.Text, new PromptsBySession()));
                    index = _seqs.Count - 1;
                }
                _seqs[index].Prompts.Add(session, seq.Id);
            }
        }

        public PooledTask Result(double margin, bool partialCountsAsSuccess)
        {
            // Per session, each participant's last attempt at any prompt of this wording; sessions then simply add up.
            var last = _tasks.All
                .SelectMany(s => TaskAttempts.LastPerParticipant(s.Ids.SelectMany(id => SessionMetrics.Attempts(s.Session.Events, id)).OrderBy(a => a.Seq)))
                .ToList();
            var completion = CompletionRate.FromOutcomes(last.Select(a => a.Outcome), partialCountsAsSuccess);
            var time = TimeOnTask.Compute(last
                .Where(a => TaskAttempts.IsSuccess(a.Outcome, partialCountsAsSuccess) && a.Seconds is not null)
                .Select(a => a.Seconds!.Value));
            var seqs = _seqs
                .Select(s => new PooledSeq(s.Text, Seq.Compute(s.Prompts.All
                    .SelectMany(p => LatestAnswers(p.Session.Events, p.Ids))
                    .Select(AnswerData.Rating)
                    .OfType<int>()
                    .Where(r => r is >= 1 and <= Limits.SeqScale))))
                .ToList();
            return new PooledTask(text, _tasks.Count, completion, time, seqs, Plan(completion, margin));
        }
    }

    private sealed class SusGroup(string key, string text)
    {
        private readonly PromptsBySession _prompts = new();

        public string Key => key;

        public void Add(StudySessionData session, Guid promptId) => _prompts.Add(session, promptId);

        public PooledSus Result() => new(
            text,
            _prompts.Count,
            Sus.Summarize(_prompts.All
                .SelectMany(p => LatestAnswers(p.Session.Events, p.Ids))
                .Select(a => (IReadOnlyList<int>)AnswerData.Items(a))
                .Where(items => items.Count == Limits.SusItems && items.All(x => x is >= 1 and <= 5))));
    }
}
