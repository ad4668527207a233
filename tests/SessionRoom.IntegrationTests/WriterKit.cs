using SessionRoom.Core.Live;

namespace SessionRoom.IntegrationTests;

/// <summary>For store tests that drive the real event writer: nobody listens to its fan-out.</summary>
public sealed class NoPublisher : IEventPublisher
{
    public void Publish(IReadOnlyList<SessionEvent> events)
    {
    }
}

/// <summary>A clock the test moves by hand, so session-clock times and task durations are exact.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
