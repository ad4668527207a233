using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

public sealed class MetricsStudyMetricsTests
{
    private long _seq;

    private static Prompt P(int position, string kind, string text) => new(Guid.NewGuid(), position, kind, text);

    private static StudySessionData Session(IReadOnlyList<Prompt> prompts, params SessionEvent[] events) => new(Guid.NewGuid(), prompts, events);

    private SessionEvent Ended(Prompt task, Guid participant, string outcome, long durationMs) =>
        Event(EventTypes.TaskEnded, task, participant, new { outcome, durationMs });

    private SessionEvent Rated(Prompt seq, Guid participant, int rating) => Event(EventTypes.Answer, seq, participant, new { rating });

    private SessionEvent SusAnswer(Prompt sus, Guid participant, params int[] items) => Event(EventTypes.Answer, sus, participant, new { items });

    private SessionEvent Event(string type, Prompt prompt, Guid participant, object data) =>
        new(++_seq, Guid.NewGuid(), Guid.NewGuid(), type, Audiences.Backroom, Guid.NewGuid(), "F1", prompt.Id, participant,
            0, DateTimeOffset.UnixEpoch, null, [], JsonSerializer.SerializeToElement(data));

    [Fact]
    public void Key_TrimsCollapsesWhitespaceAndIgnoresCase()
    {
        Assert.Equal(StudyMetrics.Key("buy a blue mug"), StudyMetrics.Key("  Buy  a\tBLUE\nmug "));
        Assert.NotEqual(StudyMetrics.Key("Buy a blue mug"), StudyMetrics.Key("Buy a blue cup"));
    }

    [Fact]
    public void Compute_SameTaskDifferentlyCasedInTwoSessions_PoolsIntoOneTask()
    {
        var taskA = P(1, PromptKinds.Task, "Buy a blue mug");
        var taskB = P(1, PromptKinds.Task, "  buy a  BLUE mug ");
        var (p1, p2, p3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var a = Session([taskA], Ended(taskA, p1, "success", 40_000), Ended(taskA, p2, "fail", 70_000));
        var b = Session([taskB], Ended(taskB, p3, "success", 90_000));

        var result = StudyMetrics.Compute([a, b]);

        Assert.Equal(2, result.SessionCount);
        var task = Assert.Single(result.Tasks);
        Assert.Equal("Buy a blue mug", task.Text); // the wording of its first appearance
        Assert.Equal(2, task.SessionCount);
        Assert.Equal(2, task.Completion!.Successes);
        Assert.Equal(3, task.Completion.Attempts);
        // Adjusted Wald for 2 of 3: p = (2 + 1.9208) / (3 + 3.8416) = 0.5731; half-width 1.96 * sqrt(0.5731 * 0.4269 / 6.8416) = 0.3707.
        Assert.Equal(0.2024, task.Completion.Interval.Lower, 3);
        Assert.Equal(0.9438, task.Completion.Interval.Upper, 3);
        // Times of the two successes only: geometric mean of 40 s and 90 s = 60 s; median 65 s.
        Assert.Equal(2, task.Time!.Count);
        Assert.Equal(60, task.Time.GeometricMean, 6);
        Assert.Equal(65, task.Time.Median, 6);
    }

    [Fact]
    public void Compute_DifferentWording_StaysApart_InOrderOfFirstAppearance()
    {
        var mug = P(1, PromptKinds.Task, "Buy a blue mug");
        var cup = P(1, PromptKinds.Task, "Buy a blue cup");
        var p = Guid.NewGuid();

        var result = StudyMetrics.Compute([Session([mug], Ended(mug, p, "success", 1_000)), Session([cup], Ended(cup, Guid.NewGuid(), "fail", 1_000))]);

        Assert.Equal(["Buy a blue mug", "Buy a blue cup"], result.Tasks.Select(t => t.Text));
        Assert.Equal((1, 1), (result.Tasks[0].Completion!.Successes, result.Tasks[0].Completion!.Attempts));
        Assert.Equal((0, 1), (result.Tasks[1].Completion!.Successes, result.Tasks[1].Completion!.Attempts));
        Assert.All(result.Tasks, t => Assert.Equal(1, t.SessionCount));
    }

    [Fact]
    public void Compute_LastAttemptPerParticipantPerSession_Counts()
    {
        var taskA = P(1, PromptKinds.Task, "Find the returns policy");
        var taskB = P(1, PromptKinds.Task, "Find the returns policy");
        var (p1, p2) = (Guid.NewGuid(), Guid.NewGuid());
        // p1 fails, then succeeds on a re-run: only the success counts. p2 succeeds, then gives up: only giving up counts.
        var a = Session([taskA],
            Ended(taskA, p1, "fail", 10_000), Ended(taskA, p2, "success", 20_000), Ended(taskA, p1, "success", 30_000), Ended(taskA, p2, "gave-up", 50_000));
        // The same participant id in another session is another person there (members belong to one session): counted again.
        var b = Session([taskB], Ended(taskB, p1, "success", 30_000));

        var task = Assert.Single(StudyMetrics.Compute([a, b]).Tasks);

        Assert.Equal(2, task.Completion!.Successes);
        Assert.Equal(3, task.Completion.Attempts);
        Assert.Equal(2, task.Time!.Count);
        Assert.Equal(30, task.Time.GeometricMean, 6);
    }

    [Fact]
    public void Compute_EmptyStudy_GivesNoFigures()
    {
        var result = StudyMetrics.Compute([]);

        Assert.Equal(0, result.SessionCount);
        Assert.Empty(result.Tasks);
        Assert.Empty(result.Sus);
    }

    [Fact]
    public void Compute_TaskNotRunYet_HasNoFigures_AndPlansFromFiftyPercent()
    {
        var task = P(1, PromptKinds.Task, "Buy a blue mug");

        var pooled = Assert.Single(StudyMetrics.Compute([Session([task, P(2, PromptKinds.Seq, "How easy?")])]).Tasks);

        Assert.Null(pooled.Completion);
        Assert.Null(pooled.Time);
        Assert.Null(Assert.Single(pooled.Seqs).Mean);
        // At p = 0.5 the adjusted-Wald half-width is 1.96 * sqrt(0.25 / (n + 3.8416)); it is at most 0.10 once
        // n + 3.8416 >= 96.04, so n = 93.
        Assert.Equal(new CompletionPlan(0.10, 93, 93, false), pooled.Plan);
    }

    [Fact]
    public void Plan_CountsThoseAlreadyTested_AndFollowsTheMargin()
    {
        // ±5 points at p = 0.5: n + 3.8416 >= 0.25 * (1.96 / 0.05)² = 384.16, so n = 381.
        Assert.Equal(new CompletionPlan(0.05, 381, 381, false), StudyMetrics.Plan(null, 0.05));
        // 5 of 10 tested: still p = 0.5, so 93 in total at ±10 points, 83 more.
        Assert.Equal(new CompletionPlan(0.10, 93, 83, false), StudyMetrics.Plan(CompletionRate.Compute(5, 10), 0.10));
        var twoOfThree = StudyMetrics.Plan(CompletionRate.Compute(2, 3), 0.20);
        Assert.Equal(SampleSize.AdditionalForCompletionRate(2, 3, 0.40).AdditionalParticipants, twoOfThree.AdditionalParticipants);
        Assert.Equal(3 + twoOfThree.AdditionalParticipants, twoOfThree.TotalParticipants);
        Assert.Throws<ArgumentOutOfRangeException>(() => StudyMetrics.Plan(null, 0));
    }

    [Fact]
    public void Compute_SeqFollowingEachTask_IsPooledWithThatTask_ByWording()
    {
        var mugA = P(1, PromptKinds.Task, "Buy a blue mug");
        var seqA = P(2, PromptKinds.Seq, "How easy was that?");
        var cupA = P(3, PromptKinds.Task, "Buy a cup");
        var seqA2 = P(4, PromptKinds.Seq, "How easy was that?");
        var mugB = P(1, PromptKinds.Task, "buy a blue mug");
        var noteB = P(2, PromptKinds.Question, "Anything to add?");
        var seqB = P(3, PromptKinds.Seq, "how easy  was that?");
        var (p1, p2, p3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var a = Session([mugA, seqA, cupA, seqA2], Rated(seqA, p1, 3), Rated(seqA, p1, 6), Rated(seqA, p2, 7), Rated(seqA2, p1, 2));
        var b = Session([mugB, noteB, seqB], Rated(seqB, p3, 5));

        var result = StudyMetrics.Compute([a, b]);

        // Mug: p1's latest 6, p2's 7 and p3's 5 (a question in between does not detach the SEQ); mean 6.
        var mugSeq = Assert.Single(result.Tasks[0].Seqs);
        Assert.Equal("How easy was that?", mugSeq.Text);
        Assert.Equal(3, mugSeq.Mean!.Count);
        Assert.Equal(6, mugSeq.Mean.Mean, 9);
        // Cup: only the SEQ after it.
        Assert.Equal(2, Assert.Single(result.Tasks[1].Seqs).Mean!.Mean, 9);
    }

    [Fact]
    public void Compute_SusPooledByWording_MeanIsTheMeanOfAllParticipantsScores()
    {
        var susA = P(1, PromptKinds.Sus, "System Usability Scale");
        var susB = P(1, PromptKinds.Sus, "system usability scale");
        var other = P(2, PromptKinds.Sus, "SUS after the redesign");
        var (p1, p2, p3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var a = Session([susA],
            SusAnswer(susA, p1, 5, 1, 5, 1, 5, 1, 5, 1, 5, 1), // 100
            SusAnswer(susA, p2, 1, 5, 1, 5, 1, 5, 1, 5, 1, 5), // 0, replaced by p2's later answer
            SusAnswer(susA, p2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)); // 50
        var b = Session([susB, other], SusAnswer(susB, p3, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2)); // 75

        var result = StudyMetrics.Compute([a, b]);

        Assert.Equal(2, result.Sus.Count);
        var pooled = result.Sus[0];
        Assert.Equal(2, pooled.SessionCount);
        Assert.Equal([100.0, 50.0, 75.0], pooled.Result!.Scores);
        Assert.Equal((100 + 50 + 75) / 3.0, pooled.Result.Mean, 9);
        Assert.Equal("SUS after the redesign", result.Sus[1].Text);
        Assert.Null(result.Sus[1].Result);
    }
}
