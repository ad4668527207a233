using System.Collections.Concurrent;

namespace SessionRoom.Core.Security;

/// <summary>
/// Counts failed sign-ins per client (an IP address) in a sliding window and locks a client
/// out once it has failed too often. Guessing a 256-bit key is hopeless anyway; this keeps the
/// log quiet and makes scripted guessing visibly refused.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock, int maxFailures = 5, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the client must wait before trying again; zero when it may try now.</summary>
    public TimeSpan RetryAfter(string client)
    {
        if (!_failures.TryGetValue(client, out var queue))
        {
            return TimeSpan.Zero;
        }
        lock (queue)
        {
            Prune(queue);
            return queue.Count < maxFailures ? TimeSpan.Zero : queue.Peek() + _window - clock.GetUtcNow();
        }
    }

    public void Failed(string client)
    {
        var queue = _failures.GetOrAdd(client, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Prune(queue);
            queue.Enqueue(clock.GetUtcNow());
        }
    }

    public void Succeeded(string client) => _failures.TryRemove(client, out _);

    private void Prune(Queue<DateTimeOffset> queue)
    {
        var cutoff = clock.GetUtcNow() - _window;
        while (queue.Count > 0 && queue.Peek() <= cutoff)
        {
            queue.Dequeue();
        }
    }
}
