using SessionRoom.Core.Security;

namespace SessionRoom.UnitTests;

public class SignInThrottleTests
{
    private sealed class FakeClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;

        public void Advance(TimeSpan by) => Now += by;
    }

    private readonly FakeClock _clock = new();

    private SignInThrottle NewThrottle() => new(_clock, maxFailures: 5, window: TimeSpan.FromMinutes(5));

    private static void Fail(SignInThrottle throttle, string client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.Failed(client);
        }
    }

    [Fact]
    public void RetryAfter_UnknownClient_IsZero()
    {
        Assert.Equal(TimeSpan.Zero, NewThrottle().RetryAfter("10.0.0.1"));
    }

    [Fact]
    public void RetryAfter_FourFailures_IsZero()
    {
        var throttle = NewThrottle();
        Fail(throttle, "10.0.0.1", 4);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("10.0.0.1"));
    }

    [Fact]
    public void RetryAfter_FiveFailures_LocksOut()
    {
        var throttle = NewThrottle();
        Fail(throttle, "10.0.0.1", 5);
        var wait = throttle.RetryAfter("10.0.0.1");
        Assert.True(wait > TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMinutes(5), wait);
    }

    [Fact]
    public void RetryAfter_TimePassesWithinWindow_CountsDownFromOldestFailure()
    {
        var throttle = NewThrottle();
        throttle.Failed("c");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Fail(throttle, "c", 4);
        Assert.Equal(TimeSpan.FromMinutes(4), throttle.RetryAfter("c"));
        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.RetryAfter("c"));
    }

    [Fact]
    public void RetryAfter_AfterWindowPasses_Resets()
    {
        var throttle = NewThrottle();
        Fail(throttle, "c", 5);
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
        // The old failures are gone: one more failure does not lock out again.
        throttle.Failed("c");
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
    }

    [Fact]
    public void RetryAfter_OldestFailureExpires_UnlocksUntilNextFailure()
    {
        var throttle = NewThrottle();
        throttle.Failed("c");
        _clock.Advance(TimeSpan.FromMinutes(2));
        Fail(throttle, "c", 4);
        _clock.Advance(TimeSpan.FromMinutes(3));
        // The first failure slid out of the window: four remain.
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
        throttle.Failed("c");
        Assert.Equal(TimeSpan.FromMinutes(2), throttle.RetryAfter("c"));
    }

    [Fact]
    public void Succeeded_AfterFailures_ClearsThem()
    {
        var throttle = NewThrottle();
        Fail(throttle, "c", 5);
        Assert.True(throttle.RetryAfter("c") > TimeSpan.Zero);
        throttle.Succeeded("c");
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
        Fail(throttle, "c", 4);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
    }

    [Fact]
    public void Failed_OneClient_DoesNotAffectAnother()
    {
        var throttle = NewThrottle();
        Fail(throttle, "10.0.0.1", 5);
        Fail(throttle, "10.0.0.2", 4);
        Assert.True(throttle.RetryAfter("10.0.0.1") > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("10.0.0.2"));
        throttle.Succeeded("10.0.0.2");
        Assert.True(throttle.RetryAfter("10.0.0.1") > TimeSpan.Zero);
    }

    [Fact]
    public void RetryAfter_CustomLimit_IsHonoured()
    {
        var throttle = new SignInThrottle(_clock, maxFailures: 2, window: TimeSpan.FromSeconds(30));
        throttle.Failed("c");
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("c"));
        throttle.Failed("c");
        Assert.Equal(TimeSpan.FromSeconds(30), throttle.RetryAfter("c"));
    }
}
