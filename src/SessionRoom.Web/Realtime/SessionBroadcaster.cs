using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Web.Hubs;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// Fans committed events out, in seq order, to the hub connections and in-process subscribers
/// (Blazor circuits) on this server; each gets exactly what
/// <see cref="Audiences.CanSee(Caller, SessionEvent, bool)"/> allows it.
/// </summary>
/// <remarks>
/// Every hub connection has its own bounded outbox and sender, so a client that stops reading holds
/// up nobody but itself: SignalR's group send waits for every connection's pipe, which let one stuck
/// phone stall delivery for every session on the server. A connection that falls
/// <see cref="LiveOptions.SendQueueLimit"/> events behind is closed (its memory stays bounded); its
/// client reconnects and catches up with <c>GetEventsSince</c>, so nothing it missed is lost.
/// <para>With several servers (<c>SessionRoom:Redis</c> set), what this server commits is also published through
/// <see cref="RedisFanOut"/>, and what the others commit comes back through <see cref="Receive"/>. Both pass through one
/// <see cref="EventSequencer"/>, so every connection and circuit still gets each session in seq order without
/// duplicates: an event that arrives early is held until the gap fills, and after <see cref="GapWait"/> the missing
/// seqs are read from the event store. Alone (no Redis) the one writer already publishes in seq order and events go
/// straight out, as they always did.</para>
/// </remarks>
public sealed partial class SessionBroadcaster : IEventPublisher, IHostedService
{
    /// <summary>How long an early event waits for the seqs before it before they are read from the event store.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromMilliseconds(300);

    private readonly IHubContext<SessionHub, ISessionClient> _hub;
    private readonly ILogger<SessionBroadcaster> _logger;
    private readonly int _sendQueueLimit;
    private readonly EventStore _events;
    private readonly TimeProvider _clock;
    private readonly RedisFanOut? _fanOut;
    private readonly EventSequencer? _sequencer;
    private readonly TimeSpan _gapWait;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Outbox>> _connections = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();
    private Task? _loop;

    public SessionBroadcaster(
        IHubContext<SessionHub, ISessionClient> hub, IOptions<LiveOptions> options, ILogger<SessionBroadcaster> logger,
        EventStore events, TimeProvider clock, RedisFanOut? fanOut = null)
        : this(hub, options, logger, events, clock, fanOut, ordered: fanOut is not null, GapWait)
    {
    }

    /// <param name="ordered">Whether events pass through an <see cref="EventSequencer"/> (always with <paramref name="fanOut"/>).</param>
    internal SessionBroadcaster(
        IHubContext<SessionHub, ISessionClient> hub, IOptions<LiveOptions> options, ILogger<SessionBroadcaster> logger,
        EventStore events, TimeProvider clock, RedisFanOut? fanOut, bool ordered, TimeSpan gapWait)
    {
        _hub = hub;
        _logger = logger;
        _sendQueueLimit = Math.Max(1, options.Value.SendQueueLimit);
        _events = events;
        _clock = clock;
        _fanOut = fanOut;
        _sequencer = ordered || fanOut is not null ? new EventSequencer(clock) : null;
        _gapWait = gapWait;
    }

    /// <summary>Events this server committed: delivered here at once and, with several servers, published to the others.</summary>
    public void Publish(IReadOnlyList<SessionEvent> events)
    {
        // Here first: the other servers' copy only adds to it (and they fill what Redis loses from the database).
        Receive(events);
        _fanOut?.PublishEvents(events);
    }

    /// <summary>Committed events to deliver on this server, in any order (from another server, through Redis).</summary>
    public void Receive(IReadOnlyList<SessionEvent> events)
    {
        foreach (var e in events)
        {
            _queue.Writer.TryWrite(new Arrived(e));
        }
    }

    /// <summary>
    /// Reads from the store what may have been missed of every session this server is ordering, and delivers it in order:
    /// after the link to the other servers (Redis) was broken, a quiet session would otherwise wait for its next event.
    /// </summary>
    public void CatchUp() => _queue.Writer.TryWrite(new CatchUpDue());

    /// <summary>A hub connection opened: from now on it gets the session's events that <paramref name="caller"/> may see.</summary>
    /// <param name="abort">Closes the connection; called when it falls too far behind.</param>
    public void Attach(Caller caller, string connectionId, Action abort)
    {
        var outbox = new Outbox(this, caller, connectionId, abort);
        _connections.GetOrAdd(caller.SessionId, _ => new(StringComparer.Ordinal))[connectionId] = outbox;
        outbox.Start();
    }

    /// <summary>A hub connection closed: what is still queued for it is dropped.</summary>
    public void Detach(Caller caller, string connectionId)
    {
        if (_connections.TryGetValue(caller.SessionId, out var outboxes) && outboxes.TryRemove(connectionId, out var outbox))
        {
            outbox.Close();
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
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            switch (item)
            {
                case Arrived(var e) when _sequencer is null:
                    Deliver(e);
                    break;
                case Arrived(var e):
                    DeliverAll(_sequencer.Arrive(e, out var gapOpened));
                    if (gapOpened)
                    {
                        CheckGapLater(e.SessionId);
                    }
                    break;
                case GapDue(var sessionId):
                    if (_sequencer!.TryGetGap(sessionId, out var after, out var until, out var since))
                    {
                        // The gap this check was set for may have filled, and a newer one opened since: it gets its full wait.
                        var left = since + _gapWait - _clock.GetUtcNow();
                        if (left > TimeSpan.Zero)
                        {
                            CheckGapLater(sessionId, left);
                        }
                        else
                        {
                            _ = Task.Run(() => ReadMissing(sessionId, after, until));
                        }
                    }
                    break;
                case CatchUpDue when _sequencer is not null:
                    foreach (var (sessionId, delivered) in _sequencer.Delivered())
                    {
                        _ = Task.Run(() => ReadMissing(sessionId, delivered, upTo: null));
                    }
                    break;
                case Filled(var sessionId, var upTo, var stored):
                    DeliverAll(_sequencer!.Fill(sessionId, upTo, stored, out var stillHolding));
                    if (stillHolding)
                    {
                        CheckGapLater(sessionId);
                    }
                    break;
            }
        }
    }

    private void CheckGapLater(Guid sessionId, TimeSpan? after = null) =>
        _ = Task.Delay(after ?? _gapWait, _clock).ContinueWith(
            _ => _queue.Writer.TryWrite(new GapDue(sessionId)), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>
    /// Off the loop: the store's events above <paramref name="after"/> (every audience) up to <paramref name="upTo"/>, or
    /// up to the newest stored for a catch-up (every seq below a stored one is committed or was withdrawn), handed back to the loop.
    /// </summary>
    private void ReadMissing(Guid sessionId, long after, long? upTo)
    {
        try
        {
            var everything = new Caller(Guid.Empty, sessionId, Roles.Facilitator, "", "");
            var stored = _events.Since(everything, after).Where(e => upTo is null || e.Seq <= upTo).ToList();
            var until = upTo ?? (stored.Count > 0 ? stored[^1].Seq : after);
            LogGapFilled(_logger, sessionId, after, until, stored.Count);
            _queue.Writer.TryWrite(new Filled(sessionId, until, stored));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogGapReadFailed(_logger, e, sessionId);
            CheckGapLater(sessionId);
        }
    }

    private void DeliverAll(IReadOnlyList<SessionEvent> events)
    {
        foreach (var e in events)
        {
            Deliver(e);
        }
    }

    private void Deliver(SessionEvent e)
    {
        if (_connections.TryGetValue(e.SessionId, out var outboxes))
        {
            foreach (var outbox in outboxes.Values)
            {
                if (Audiences.CanSee(outbox.Caller, e, sessionEnded: false))
                {
                    outbox.Post(e);
                }
            }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: seqs after {After} up to {UpTo} were late; {Count} read from the database.")]
    private static partial void LogGapFilled(ILogger logger, Guid sessionId, long after, long upTo, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: reading late events from the database failed; tried again.")]
    private static partial void LogGapReadFailed(ILogger logger, Exception exception, Guid sessionId);

    private abstract record Item;

    private sealed record Arrived(SessionEvent Event) : Item;

    private sealed record GapDue(Guid SessionId) : Item;

    private sealed record Filled(Guid SessionId, long UpTo, IReadOnlyList<SessionEvent> Stored) : Item;

    private sealed record CatchUpDue : Item;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending event {Seq} of session {SessionId} to connection {ConnectionId} failed.")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid sessionId, long seq, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} of session {SessionId} fell {Limit} events behind and was closed; it catches up when it reconnects.")]
    private static partial void LogTooSlow(ILogger logger, Guid sessionId, string connectionId, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A subscriber of session {SessionId} failed on event {Seq}.")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, Guid sessionId, long seq);

    /// <summary>One hub connection's queue and its sender, which sends one event at a time, in seq order.</summary>
    private sealed class Outbox(SessionBroadcaster owner, Caller caller, string connectionId, Action abort)
    {
        private readonly Channel<SessionEvent> _queue = Channel.CreateBounded<SessionEvent>(
            new BoundedChannelOptions(owner._sendQueueLimit) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        private volatile bool _closed;

        public Caller Caller { get; } = caller;

        public void Start() => _ = SendAsync();

        /// <summary>Queues an event; called by the broadcaster's loop only. A full queue closes the connection.</summary>
        public void Post(SessionEvent e)
        {
            if (_queue.Writer.TryWrite(e) || _closed)
            {
                return;
            }
            Close();
            LogTooSlow(owner._logger, Caller.SessionId, connectionId, owner._sendQueueLimit);
            abort();
        }

        public void Close()
        {
            _closed = true;
            _queue.Writer.TryComplete();
        }

        private async Task SendAsync()
        {
            var client = owner._hub.Clients.Client(connectionId);
            await foreach (var e in _queue.Reader.ReadAllAsync())
            {
                if (_closed)
                {
                    return;
                }
                try
                {
                    await client.Event(e);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The client notices the gap in seq and catches up with GetEventsSince.
                    LogSendFailed(owner._logger, ex, Caller.SessionId, e.Seq, connectionId);
                }
            }
        }
    }

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
