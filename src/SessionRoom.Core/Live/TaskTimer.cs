namespace SessionRoom.Core.Live;

/// <summary>
/// A usability task running for one participant, on the server's session clock: when it started,
/// how long it has been paused in total, and since when it is paused now (if it is). Time on task
/// is the time it ran, pauses excluded.
/// </summary>
public sealed record TaskTimer(long StartedAtMs, long PausedMs, long? PausedSinceMs)
{
    public bool IsPaused => PausedSinceMs is not null;

    /// <summary>Milliseconds the task has run by <paramref name="nowMs"/>, without any pause (never negative).</summary>
    public long ActiveMs(long nowMs) => Math.Max(0, nowMs - StartedAtMs - PausedUntil(nowMs));

    /// <summary>Milliseconds paused by <paramref name="nowMs"/>, including a pause still going on.</summary>
    public long PausedUntil(long nowMs) => PausedMs + (PausedSinceMs is { } since ? Math.Max(0, nowMs - since) : 0);

    /// <summary>
    /// Replays one participant's task events (task-started, -paused, -resumed, -ended, in seq order)
    /// and returns the attempt running after the last of them, or null when none is running.
    /// </summary>
    public static TaskTimer? Replay(IEnumerable<(string Type, long AtMs)> events)
    {
        TaskTimer? timer = null;
        foreach (var (type, at) in events)
        {
            timer = type switch
            {
                EventTypes.TaskStarted => new TaskTimer(at, 0, null),
                EventTypes.TaskEnded => null,
                EventTypes.TaskPaused when timer is { IsPaused: false } => timer with { PausedSinceMs = at },
                EventTypes.TaskResumed when timer is { PausedSinceMs: { } since } => timer with { PausedMs = timer.PausedMs + Math.Max(0, at - since), PausedSinceMs = null },
                _ => timer,
            };
        }
        return timer;
    }
}
