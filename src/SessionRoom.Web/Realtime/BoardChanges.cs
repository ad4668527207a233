using System.Collections.Concurrent;

namespace SessionRoom.Web.Realtime;

/// <summary>A change to a study's affinity board. <paramref name="Origin"/> names who made it (a board page's own id), so it can skip its own.</summary>
public sealed record BoardChange(Guid StudyId, string What, Guid? Origin = null);

/// <summary>
/// In-process publish/subscribe of affinity-board changes, keyed by study: every board page subscribes to its study and
/// re-reads the board when someone else (another circuit, or a script over HTTP) changed it. The store is the truth;
/// a change only says "read again". Handlers are called on the publisher's thread and must not block (a page hands
/// the work to its own dispatcher with <c>InvokeAsync</c>); one failing handler does not stop the others.
/// With several servers (<c>SessionRoom:Redis</c> set) a change is also published to the others through
/// <see cref="RedisFanOut"/>, which hands theirs to <see cref="Deliver"/>.
/// </summary>
public sealed partial class BoardChanges(ILogger<BoardChanges> logger, RedisFanOut? fanOut = null)
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();

    /// <summary>Calls <paramref name="onChange"/> for every change to the study's board until the result is disposed.</summary>
    public IDisposable Subscribe(Guid studyId, Action<BoardChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var subscription = new Subscription(this, studyId, onChange);
        _subscribers.GetOrAdd(studyId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Tells every subscriber of the change's study, on every server.</summary>
    public void Publish(BoardChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        fanOut?.PublishBoardChange(change);
        Deliver(change);
    }

    /// <summary>Tells this server's subscribers of the change's study.</summary>
    public void Deliver(BoardChange change)
    {
        if (!_subscribers.TryGetValue(change.StudyId, out var subscribers))
        {
            return;
        }
        foreach (var subscription in subscribers.Keys)
        {
            try
            {
                subscription.OnChange(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSubscriberFailed(logger, e, change.StudyId);
            }
        }
    }

    /// <summary>How many subscriptions the study has (for tests and diagnostics).</summary>
    public int SubscriberCount(Guid studyId) => _subscribers.TryGetValue(studyId, out var set) ? set.Count : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A board subscriber of study {StudyId} failed.")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, Guid studyId);

    private sealed class Subscription(BoardChanges owner, Guid studyId, Action<BoardChange> onChange) : IDisposable
    {
        public Action<BoardChange> OnChange { get; } = onChange;

        public void Dispose()
        {
            if (owner._subscribers.TryGetValue(studyId, out var set))
            {
                set.TryRemove(this, out _);
            }
        }
    }
}
