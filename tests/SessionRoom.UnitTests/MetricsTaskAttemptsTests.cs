using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsTaskAttemptsTests
{
    private static readonly Guid A = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = new("00000000-0000-0000-0000-00000000000b");

    [Fact]
    public void LastPerParticipant_OutOfOrderSeq_KeepsHighestSeq()
    {
        var last = TaskAttempts.LastPerParticipant(
        [
            new(A, "success", 9, 30),
            new(B, "fail", 2),
            new(A, "fail", 4),
        ]);
        Assert.Equal([new TaskAttempt(A, "success", 9, 30), new TaskAttempt(B, "fail", 2)], last);
    }

    [Fact]
    public void LastPerParticipant_EqualSeq_LaterInInputWins()
    {
        var last = TaskAttempts.LastPerParticipant([new(A, "fail", 3), new(A, "partial", 3)]);
        Assert.Equal("partial", Assert.Single(last).Outcome);
    }

    [Fact]
    public void LastPerParticipant_Empty_ReturnsEmpty() =>
        Assert.Empty(TaskAttempts.LastPerParticipant([]));

    [Theory]
    [InlineData("success", false, true)]
    [InlineData("partial", false, false)]
    [InlineData("partial", true, true)]
    [InlineData("fail", true, false)]
    [InlineData("gave-up", true, false)]
    public void IsSuccess_KnownOutcomes_FollowPartialOption(string outcome, bool partialCounts, bool expected) =>
        Assert.Equal(expected, TaskAttempts.IsSuccess(outcome, partialCounts));

    [Fact]
    public void IsSuccess_UnknownOutcome_Throws() =>
        Assert.Throws<ArgumentException>(() => TaskAttempts.IsSuccess("gave up"));
}
