using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Web.Hubs;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// Fans committed events out, one at a time in seq order: to the hub groups (a room event to both
/// groups, a backroom event to the backroom group only, a blind-mode note to the backroom group
/// less the other observers) and to in-process subscribers (Blazor circuits), who get exactly what
/// <see cref="Audiences.CanSee(Caller, SessionEvent, bool)"/> allows them.
/// </summary>
public sealed partial class SessionBroadcaster : IEventPublisher, IHostedService
{
    private readonly IHubContext<SessionHub, ISessionClient> _hub;
    private readonly ILogger<SessionBroadcaster> _logger;
    private readonly Presence _presence;
    private readonly Channel<SessionEvent> _queue = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();
    private Task? _loop;

    public SessionBroadcaster(IHubContext<SessionHub, ISessionClient> hub, Presence presence, ILogger<SessionBroadcaster> logger)
    {
        _hub = hub;
        _presence = presence;
        _logger = logger;
    }

    public void Publish(IReadOnlyList<SessionEvent> events)
    {
        foreach (var e in events)
        {
            _queue.Writer.TryWrite(e);
        }
    }

    /// <summary>Delivers the session's events that <paramref name="viewer"/> may see, in seq order, until disposed.</summary>
    public IDisposable Subscribe(Caller viewer, Func<SessionEvent, Task> onEvent)
    {
        var subscription = new Subscription(this, viewer, onEvent);
        _subscribers.GetOrAdd(viewer.SessionId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync())
        {
            try
            {
                var backroom = GroupNames.Backroom(e.SessionId);
                if (e.Audience == Audiences.Room)
                {
                    await _hub.Clients.Groups(GroupNames.Room(e.SessionId), backroom).Event(e);
                }
                else if (e.Restricted)
                {
                    // Blind mode is only ever in force while the session runs: hide it from the other observers.
                    var others = _presence.ConnectionIds(e.SessionId, m => m.Role == Roles.Observer && m.MemberId != e.ActorId);
                    await _hub.Clients.GroupExcept(backroom, others).Event(e);
                }
                else
                {
                    await _hub.Clients.Group(backroom).Event(e);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Clients notice the gap in seq and catch up with GetEventsSince.
                LogSendFailed(_logger, ex, e.SessionId, e.Seq);
            }
            if (_subscribers.TryGetValue(e.SessionId, out var subscribers))
            {
                foreach (var subscription in subscribers.Keys)
                {
                    if (Audiences.CanSee(subscription.Viewer, e, sessionEnded: false))
                    {
                        // Not awaited: a busy circuit must not hold up everyone else. Each circuit's
                        // dispatcher runs what it is given in order, so its events stay in seq order.
                        var seq = e.Seq;
                        _ = subscription.OnEvent(e).ContinueWith(
                            t => LogSubscriberFailed(_logger, t.Exception!, e.SessionId, seq),
                            CancellationToken.None,
                            TaskContinuationOptions.OnlyOnFaulted,
                            TaskScheduler.Default);
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending event {Seq} of session {SessionId} to the hub failed.")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid sessionId, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber of session {SessionId} failed on event {Seq}.")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, Guid sessionId, long seq);

    private sealed class Subscription(SessionBroadcaster owner, Caller viewer, Func<SessionEvent, Task> onEvent) : IDisposable
    {
        public Caller Viewer { get; } = viewer;

        public Func<SessionEvent, Task> OnEvent { get; } = onEvent;

        public void Dispose()
        {
            if (owner._subscribers.TryGetValue(Viewer.SessionId, out var set))
            {
                set.TryRemove(this, out _);
            }
        }
    }
}
