using SessionRoom.Core.Live;

namespace SessionRoom.UnitTests;

/// <summary>Replaying one participant's task events into the running attempt, and time on task without pauses.</summary>
public sealed class TaskTimerTests
{
    private const string Started = EventTypes.TaskStarted;
    private const string Paused = EventTypes.TaskPaused;
    private const string Resumed = EventTypes.TaskResumed;
    private const string Ended = EventTypes.TaskEnded;

    [Fact]
    public void NoEvents_NothingRuns() => Assert.Null(TaskTimer.Replay([]));

    [Fact]
    public void StartedOnly_RunsFromItsStart()
    {
        var timer = TaskTimer.Replay([(Started, 1_000)])!;
        Assert.False(timer.IsPaused);
        Assert.Equal(4_000, timer.ActiveMs(5_000));
    }

    [Fact]
    public void Ended_NothingRuns() => Assert.Null(TaskTimer.Replay([(Started, 1_000), (Ended, 2_000)]));

    [Fact]
    public void StartedAgainAfterAnEnd_ANewAttemptRunsWithoutTheOldPauses()
    {
        var timer = TaskTimer.Replay([(Started, 0), (Paused, 100), (Resumed, 900), (Ended, 1_000), (Started, 2_000)])!;
        Assert.Equal(new TaskTimer(2_000, 0, null), timer);
        Assert.Equal(500, timer.ActiveMs(2_500));
    }

    [Fact]
    public void PausesAreLeftOut_WorkedExample()
    {
        // Start at 10 s, pause 20-50 s, pause again 60-65 s: at 80 s it has run 10 + 10 + 15 = 35 s.
        var timer = TaskTimer.Replay([(Started, 10_000), (Paused, 20_000), (Resumed, 50_000), (Paused, 60_000), (Resumed, 65_000)])!;
        Assert.Equal(35_000, timer.PausedMs);
        Assert.Equal(35_000, timer.ActiveMs(80_000));
    }

    [Fact]
    public void PausedNow_TheClockStandsStill()
    {
        var timer = TaskTimer.Replay([(Started, 0), (Paused, 3_000)])!;
        Assert.True(timer.IsPaused);
        Assert.Equal(3_000, timer.ActiveMs(3_000));
        Assert.Equal(3_000, timer.ActiveMs(60_000));
        Assert.Equal(57_000, timer.PausedUntil(60_000));
    }

    [Fact]
    public void PauseOrResumeOutOfOrder_IsIgnored()
    {
        // A resume without a pause and a second pause change nothing (the rules refuse them; replay stays safe anyway).
        var timer = TaskTimer.Replay([(Resumed, 0), (Started, 1_000), (Resumed, 2_000), (Paused, 3_000), (Paused, 4_000), (Resumed, 5_000)])!;
        Assert.Equal(new TaskTimer(1_000, 2_000, null), timer);
    }

    [Fact]
    public void ClockBehindTheStart_NeverNegative() =>
        Assert.Equal(0, TaskTimer.Replay([(Started, 5_000)])!.ActiveMs(4_000));
}
