using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

public sealed class MetricsSessionMetricsTests
{
    private static readonly Prompt Task = new(Guid.NewGuid(), 1, PromptKinds.Task, "Buy a mug", SuccessCriteria: "Confirmation shown");
    private static long _seq;

    private static SessionEvent Ended(Guid participant, string outcome, long durationMs) =>
        new(++_seq, Guid.NewGuid(), Guid.NewGuid(), EventTypes.TaskEnded, Audiences.Backroom, Guid.NewGuid(), "F1", Task.Id, participant,
            0, DateTimeOffset.UnixEpoch, null, [], JsonSerializer.SerializeToElement(new { outcome, durationMs }));

    [Fact]
    public void ForTask_LastOutcomePerParticipantCounts_AndTimesAreThoseOfSuccesses()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var events = new[]
        {
            Ended(a, "fail", 30_000),
            Ended(a, "success", 40_000), // a's second attempt replaces the first
            Ended(b, "success", 90_000),
            Ended(c, "gave-up", 120_000),
        };

        var metrics = SessionMetrics.ForTask(events, Task);

        Assert.Equal(2, metrics.Completion!.Successes);
        Assert.Equal(3, metrics.Completion.Attempts);
        // Adjusted Wald for 2 of 3: p = (2 + 1.9208) / (3 + 3.8416) = 0.5731; half-width 1.96 * sqrt(0.5731 * 0.4269 / 6.8416) = 0.3707.
        Assert.Equal(0.2024, metrics.Completion.Interval.Lower, 3);
        Assert.Equal(0.9438, metrics.Completion.Interval.Upper, 3);
        Assert.Equal(2, metrics.Time!.Count);
        Assert.Equal(Math.Sqrt(40 * 90), metrics.Time.GeometricMean, 6); // geometric mean of 40 s and 90 s = 60 s
    }

    [Fact]
    public void ForTask_NoEndedAttempt_HasNoFigures()
    {
        var metrics = SessionMetrics.ForTask([], Task);
        Assert.Null(metrics.Completion);
        Assert.Null(metrics.Time);
    }
}
