using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using SessionRoom.Core.Live;
using SessionRoom.Web.Hubs;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// Fans committed events out, one at a time in seq order: to the hub groups (a room event to both
/// groups, a backroom event to the backroom group only) and to in-process subscribers (Blazor
/// circuits), who get exactly what <see cref="Audiences.CanSee"/> allows their role.
/// </summary>
public sealed partial class SessionBroadcaster : IEventPublisher, IHostedService
{
    private readonly IHubContext<SessionHub, ISessionClient> _hub;
    private readonly ILogger<SessionBroadcaster> _logger;
    private readonly Channel<SessionEvent> _queue = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();
    private Task? _loop;

    public SessionBroadcaster(IHubContext<SessionHub, ISessionClient> hub, ILogger<SessionBroadcaster> logger)
    {
        _hub = hub;
        _logger = logger;
    }

    public void Publish(IReadOnlyList<SessionEvent> events)
    {
        foreach (var e in events)
        {
            _queue.Writer.TryWrite(e);
        }
    }

    /// <summary>Delivers the session's events visible to <paramref name="role"/>, in seq order, until disposed.</summary>
    public IDisposable Subscribe(Guid sessionId, string role, Func<SessionEvent, Task> onEvent)
    {
        var subscription = new Subscription(this, sessionId, role, onEvent);
        _subscribers.GetOrAdd(sessionId, _ => new()).TryAdd(subscription, 0);
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
                await (e.Audience == Audiences.Room
                    ? _hub.Clients.Groups(GroupNames.Room(e.SessionId), backroom).Event(e)
                    : _hub.Clients.Group(backroom).Event(e));
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
                    if (Audiences.CanSee(subscription.Role, e.Audience))
                    {
                        try
                        {
                            await subscription.OnEvent(e);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            LogSubscriberFailed(_logger, ex, e.SessionId, e.Seq);
                        }
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending event {Seq} of session {SessionId} to the hub failed.")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid sessionId, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber of session {SessionId} failed on event {Seq}.")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, Guid sessionId, long seq);

    private sealed class Subscription(SessionBroadcaster owner, Guid sessionId, string role, Func<SessionEvent, Task> onEvent) : IDisposable
    {
        public string Role { get; } = role;

        public Func<SessionEvent, Task> OnEvent { get; } = onEvent;

        public void Dispose()
        {
            if (owner._subscribers.TryGetValue(sessionId, out var set))
            {
                set.TryRemove(this, out _);
            }
        }
    }
}
