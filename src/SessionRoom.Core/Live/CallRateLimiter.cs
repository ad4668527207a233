namespace SessionRoom.Core.Live;

/// <summary>
/// At most N calls in any one-second window, per connection. Refused calls count too, so a client
/// that ignores refusals cannot keep the server busy. Thread-safe; one instance per connection.
/// </summary>
public sealed class CallRateLimiter(int callsPerSecond, TimeProvider clock)
{
    private readonly Queue<long> _calls = new();
    private readonly Lock _lock = new();

    /// <summary>Records a call and throws when it is over the limit.</summary>
    public void Take()
    {
        var now = clock.GetTimestamp();
        var windowStart = now - clock.TimestampFrequency;
        lock (_lock)
        {
            while (_calls.Count > 0 && _calls.Peek() <= windowStart)
            {
                _calls.Dequeue();
            }
            _calls.Enqueue(now);
            if (_calls.Count > callsPerSecond)
            {
                throw new LiveRuleException($"Too many calls: at most {callsPerSecond} per second. Wait a moment and try again.");
            }
        }
    }
}
