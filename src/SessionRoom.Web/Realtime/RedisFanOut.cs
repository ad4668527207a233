using System.Text.Json;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Live;
using SessionRoom.Data.Live;
using SessionRoom.Web.Hosting;
using StackExchange.Redis;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// What the servers of one deployment share through Redis (<c>SessionRoom:Redis</c>), besides SignalR's own backplane:
/// the committed events, affinity-board changes, "cut this member off" and who is online. Registered only when
/// <c>SessionRoom:Redis</c> is set; a server without it never touches Redis.
/// </summary>
/// <remarks>
/// <para>Why not the SignalR backplane alone: events do not go through SignalR groups (each hub connection has its own
/// bounded outbox, see <see cref="SessionBroadcaster"/>) and Blazor circuits subscribe in-process, so the backplane
/// would carry nothing of them. Instead every server publishes what it committed on
/// <c>{prefix}:events</c>; every server feeds what it hears into its <see cref="SessionBroadcaster"/>, which puts each
/// session back into seq order (<see cref="EventSequencer"/>) before its hub connections and circuits see it. A server
/// delivers its own events at once and skips its own echo. The backplane still carries any hub group or user send.</para>
/// <para>Presence: each server keeps, per session, a hash of the members connected to it
/// (<c>{prefix}:presence:{session}:{server}</c>) and beats into <c>{prefix}:servers</c> (a sorted set scored by the Redis
/// clock) every <see cref="Heartbeat"/>. A member's first connection on a server counts as joining only when no other
/// live server has them, its last as leaving only when none has them; one Lua script checks and updates at once, so
/// two servers never both announce. A server silent for <see cref="DeadAfter"/> no longer counts: the next heartbeat
/// of any live server takes it out of the set (atomically, so once) and says member-left for its members that no live
/// server has (its clients that reconnected elsewhere in time are not announced again). A server that was only
/// paused that long registers its members again on its next beat.</para>
/// <para>Pub/sub is at-most-once: a message lost with a dying server or a broken Redis link is made up for by the
/// event store: the next event of the session fills the gap, every session being ordered here is read from the store
/// when the link comes back, and clients catch up with <c>GetEventsSince</c>. After a broken link a server sweeps no
/// other as dead until it has been linked for <see cref="DeadAfter"/>, so an outage that silenced every server does
/// not end with everyone "left".</para>
/// </remarks>
public sealed partial class RedisFanOut : IHostedService, IDisposable
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(8);

    // Returns how many other live servers have the member, then adds (ARGV[4] not empty) or removes them on this server.
    // ARGV[7] is this server's set of sessions it has members in (for the sweep of a dead server), ARGV[8] the session.
    private const string PresenceScript =
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local others = 0
        for _, s in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[5]), '+inf')) do
          if s ~= ARGV[2] and redis.call('HEXISTS', ARGV[1] .. s, ARGV[3]) == 1 then others = others + 1 end
        end
        local mine = ARGV[1] .. ARGV[2]
        if ARGV[4] ~= '' then
          redis.call('HSET', mine, ARGV[3], ARGV[4])
          redis.call('PEXPIRE', mine, ARGV[6])
          redis.call('SADD', ARGV[7], ARGV[8])
          redis.call('PEXPIRE', ARGV[7], ARGV[6])
        else
          redis.call('HDEL', mine, ARGV[3])
        end
        return others
        """;

    // The members of every live server's hash of one session.
    private const string OnlineScript =
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local all = {}
        for _, s in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')) do
          for _, m in ipairs(redis.call('HVALS', ARGV[1] .. s)) do table.insert(all, m) end
        end
        return all
        """;

    // Returns 1 when this server was not (or no longer) in the set: it was swept as dead and must register its members again.
    private const string HeartbeatScript =
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        return redis.call('ZADD', KEYS[1], now, ARGV[1])
        """;

    // Takes the servers silent for ARGV[2] ms out of the set (the one script to do so wins) and returns, as pairs of
    // session id and member, their members that no live server has: they left with their server.
    private const string SweepScript =
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local since = now - tonumber(ARGV[2])
        local alive = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf')
        local gone = {}
        for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. since)) do
          redis.call('ZREM', KEYS[1], dead)
          local sessions = ARGV[1] .. 'presence-sessions:' .. dead
          for _, sid in ipairs(redis.call('SMEMBERS', sessions)) do
            local prefix = ARGV[1] .. 'presence:' .. sid .. ':'
            local entries = redis.call('HGETALL', prefix .. dead)
            for i = 1, #entries, 2 do
              local elsewhere = false
              for _, s in ipairs(alive) do
                if redis.call('HEXISTS', prefix .. s, entries[i]) == 1 then elsewhere = true end
              end
              if not elsewhere then
                table.insert(gone, sid)
                table.insert(gone, entries[i + 1])
              end
            end
            redis.call('DEL', prefix .. dead)
          end
          redis.call('DEL', sessions)
        end
        return gone
        """;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly IServiceProvider _services;
    private readonly Presence _presence;
    private readonly ILogger<RedisFanOut> _logger;
    private readonly string _prefix;
    private readonly ConnectionMultiplexer _redis;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _clock;
    private Task? _heartbeat;

    // What the last beat found this server's presence hashes and its connections disagreeing on (see ReconcileAsync).
    private HashSet<(Guid Session, string Member)> _differences = [];

    // Since when the link to Redis has been whole (ticks of _clock's UTC time; written from the multiplexer's events).
    private long _linkedSince;

    public RedisFanOut(IOptions<SessionRoomOptions> options, IServiceProvider services, Presence presence, ILogger<RedisFanOut> logger, TimeProvider clock)
    {
        _clock = clock;
        _linkedSince = clock.GetUtcNow().UtcTicks;
        _services = services;
        _presence = presence;
        _logger = logger;
        _prefix = options.Value.RedisChannelPrefix;
        var configuration = ConfigurationOptions.Parse(options.Value.Redis ?? throw new InvalidOperationException("SessionRoom:Redis is not set."));
        // Connect returns at once and the multiplexer keeps reconnecting; a Redis that cannot be reached at all
        // fails the start when StartAsync subscribes (after the connect timeout), with Redis's own message.
        configuration.AbortOnConnectFail = false;
        _redis = ConnectionMultiplexer.Connect(configuration);
    }

    /// <summary>This process, among the servers of the deployment.</summary>
    public string ServerId { get; } = Guid.NewGuid().ToString("N");

    private RedisChannel EventsChannel => RedisChannel.Literal($"{_prefix}:events");

    private RedisChannel BoardsChannel => RedisChannel.Literal($"{_prefix}:boards");

    private RedisChannel CutChannel => RedisChannel.Literal($"{_prefix}:cut");

    private RedisKey ServersKey => $"{_prefix}:servers";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = _redis.GetSubscriber();
        // Each channel's queue hands its messages over one at a time, in the order Redis sent them.
        (await subscriber.SubscribeAsync(EventsChannel)).OnMessage(m => Received<EventsMessage>(m, message =>
            _services.GetRequiredService<SessionBroadcaster>().Receive(
                message.Events.Select(e => e.Event with { SessionId = message.SessionId, Restricted = e.Restricted }).ToList())));
        (await subscriber.SubscribeAsync(BoardsChannel)).OnMessage(m => Received<BoardsMessage>(m, message =>
            _services.GetRequiredService<BoardChanges>().Deliver(message.Change)));
        (await subscriber.SubscribeAsync(CutChannel)).OnMessage(m => Received<CutMessage>(m, message =>
            _presence.Disconnect(message.MemberId)));
        _redis.ConnectionFailed += (_, e) => LinkBroken(e.ConnectionType);
        _redis.ConnectionRestored += (_, e) => LinkRestored(e.ConnectionType);
        await BeatAsync();
        _heartbeat = Task.Run(HeartbeatAsync, CancellationToken.None);
    }

    private void LinkBroken(ConnectionType type)
    {
        LogLinkBroken(_logger, type);
        Interlocked.Exchange(ref _linkedSince, long.MaxValue);
    }

    /// <summary>
    /// Redis is back. What the other servers published meanwhile is lost (pub/sub keeps nothing), so every session this
    /// server is ordering reads what it missed from the store now, rather than at the session's next event, which may
    /// never come (a session that just ended). And this server sweeps no other as dead until it has beaten for
    /// <see cref="DeadAfter"/> again: a Redis outage silences every server at once, and they all need time to beat.
    /// </summary>
    private void LinkRestored(ConnectionType type)
    {
        LogLinkRestored(_logger, type);
        Interlocked.Exchange(ref _linkedSince, _clock.GetUtcNow().UtcTicks);
        if (type == ConnectionType.Subscription)
        {
            _services.GetRequiredService<SessionBroadcaster>().CatchUp();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _redis.Dispose();
    }

    /// <summary>Tells the other servers what this one committed (one message per session, in seq order).</summary>
    public void PublishEvents(IReadOnlyList<SessionEvent> events)
    {
        foreach (var session in events.GroupBy(e => e.SessionId))
        {
            var message = new EventsMessage(ServerId, session.Key, session.Select(e => new WireEvent(e, e.Restricted)).ToList());
            Send(EventsChannel, message);
        }
    }

    public void PublishBoardChange(BoardChange change) => Send(BoardsChannel, new BoardsMessage(ServerId, change));

    /// <summary>Closes the member's connections on the other servers (this one does its own).</summary>
    public void PublishCut(Guid memberId) => Send(CutChannel, new CutMessage(ServerId, memberId));

    /// <summary>
    /// The member's first connection on this server opened: true when no other live server has them. Without Redis
    /// it says true: announcing a member twice is better than refusing their connection.
    /// </summary>
    public async Task<bool> JoinedAsync(Caller caller)
    {
        return await PresenceAsync(caller, MemberJson(caller)) == 0;
    }

    /// <summary>The member's last connection on this server closed: true when no other live server has them (and without Redis).</summary>
    public async Task<bool> LeftAsync(Caller caller) => await PresenceAsync(caller, "") == 0;

    /// <summary>Who is online in the session on any live server; without Redis, who is on this one.</summary>
    public IReadOnlyList<OnlineMember> Online(Guid sessionId)
    {
        try
        {
            var result = (RedisResult[])_redis.GetDatabase().ScriptEvaluate(
                OnlineScript, [ServersKey], [PresencePrefix(sessionId), (long)DeadAfter.TotalMilliseconds])!;
            return result
                .Select(r => JsonSerializer.Deserialize<OnlineMember>((string)r!, Json)!)
                .DistinctBy(m => m.MemberId)
                .OrderBy(m => m.Role, StringComparer.Ordinal)
                .ThenBy(m => m.Code, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogPresenceFailed(_logger, e);
            return _presence.Online(sessionId);
        }
    }

    private async Task<long> PresenceAsync(Caller caller, string member)
    {
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(
                PresenceScript,
                [ServersKey],
                [
                    PresencePrefix(caller.SessionId), ServerId, caller.MemberId.ToString(), member, (long)DeadAfter.TotalMilliseconds,
                    (long)(DeadAfter * 4).TotalMilliseconds, (string)SessionsKey!, caller.SessionId.ToString(),
                ]);
            return (long)result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogPresenceFailed(_logger, e);
            return 0;
        }
    }

    private string PresencePrefix(Guid sessionId) => $"{_prefix}:presence:{sessionId}:";

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await BeatAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    // A Redis that hangs (rather than drops the link) shows only here: no sweep until beats have gone
                    // through for DeadAfter again, as after a broken link.
                    Interlocked.Exchange(ref _linkedSince, _clock.GetUtcNow().UtcTicks);
                    // Whatever went wrong, the loop goes on: a server that stops beating is swept as dead by the others,
                    // and its members are said to have left while they are still here.
                    LogHeartbeatFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Says this server is alive and keeps its presence keys from expiring; registers its members again when it was
    /// taken for dead (a long pause); and says member-left for the members of servers that died.
    /// </summary>
    private async Task BeatAsync()
    {
        var db = _redis.GetDatabase();
        var swept = (long)await db.ScriptEvaluateAsync(HeartbeatScript, [ServersKey], [ServerId]) == 1;
        var members = _presence.Members();
        foreach (var session in members.GroupBy(c => c.SessionId))
        {
            RedisKey key = PresencePrefix(session.Key) + ServerId;
            if (swept)
            {
                // At once, not after the two beats ReconcileAsync waits for (which also lists the session again).
                await db.HashSetAsync(key, session.Select(c => new HashEntry(c.MemberId.ToString(), MemberJson(c))).ToArray());
            }
            await db.KeyExpireAsync(key, DeadAfter * 4);
        }
        await db.KeyExpireAsync(SessionsKey, DeadAfter * 4);
        await ReconcileAsync(db, members);

        if (_clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _linkedSince) < DeadAfter.Ticks)
        {
            return;
        }
        var gone = (RedisResult[])(await db.ScriptEvaluateAsync(SweepScript, [ServersKey], [_prefix + ":", (long)DeadAfter.TotalMilliseconds]))!;
        var writer = _services.GetRequiredService<EventWriter>();
        for (var i = 0; i + 1 < gone.Length; i += 2)
        {
            try
            {
                var m = JsonSerializer.Deserialize<OnlineMember>((string)gone[i + 1]!, Json)!;
                var caller = new Caller(m.MemberId, Guid.Parse((string)gone[i]!), m.Role, m.Code, m.DisplayName);
                await writer.WriteAsync(caller, new LeavePresence(Guid.NewGuid()));
            }
            catch (LiveRuleException)
            {
                // The session is gone, or the member withdrew: nobody is left to tell.
            }
            catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
            {
                // One unreadable entry (another version's, or a hand edit) must not keep the others' member-left unsaid.
                LogHeartbeatFailed(_logger, e);
            }
        }
    }

    /// <summary>
    /// Makes this server's presence hashes say again who is connected here. A leave or join whose script failed with
    /// the link (or ran after a sweep) would otherwise leave a member listed online for good, or missing. A difference
    /// is mended only when the last beat saw it too: within one beat it may be a join or leave whose script is on its way.
    /// </summary>
    private async Task ReconcileAsync(IDatabase db, IReadOnlyList<Caller> members)
    {
        var here = members.GroupBy(c => c.SessionId).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.MemberId.ToString(), c => c));
        var sessions = (await db.SetMembersAsync(SessionsKey)).Select(v => Guid.Parse((string)v!)).Union(here.Keys).ToList();
        var differences = new HashSet<(Guid Session, string Member)>();
        foreach (var sessionId in sessions)
        {
            RedisKey key = PresencePrefix(sessionId) + ServerId;
            var listed = (await db.HashKeysAsync(key)).Select(k => (string)k!).ToHashSet(StringComparer.Ordinal);
            var connected = here.GetValueOrDefault(sessionId) ?? [];
            if (connected.Count > 0)
            {
                await db.SetAddAsync(SessionsKey, sessionId.ToString());
            }
            else if (listed.Count == 0)
            {
                // Nobody here any more: the session leaves this server's list, which would otherwise grow with every
                // session it ever held (a join racing this is added back by the next beat).
                await db.SetRemoveAsync(SessionsKey, sessionId.ToString());
            }
            foreach (var memberId in listed.Where(m => !connected.ContainsKey(m)).Concat(connected.Keys.Where(m => !listed.Contains(m))))
            {
                differences.Add((sessionId, memberId));
                if (!_differences.Contains((sessionId, memberId)))
                {
                    continue;
                }
                if (connected.TryGetValue(memberId, out var caller))
                {
                    await db.HashSetAsync(key, memberId, MemberJson(caller));
                }
                else
                {
                    await db.HashDeleteAsync(key, memberId);
                }
            }
        }
        _differences = differences;
    }

    private RedisKey SessionsKey => $"{_prefix}:presence-sessions:{ServerId}";

    private static string MemberJson(Caller c) => JsonSerializer.Serialize(new OnlineMember(c.MemberId, c.Role, c.Code, c.DisplayName), Json);

    private void Send<T>(RedisChannel channel, T message)
    {
        try
        {
            _redis.GetSubscriber().Publish(channel, JsonSerializer.SerializeToUtf8Bytes(message, Json), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Called from the event writer's loop after commit, which must not stop over a message the others can
            // do without: they read what they missed from the database.
            LogPublishFailed(_logger, e, channel.ToString());
        }
    }

    private void Received<T>(ChannelMessage m, Action<T> handle)
        where T : Message
    {
        try
        {
            var message = JsonSerializer.Deserialize<T>((byte[])m.Message!, Json);
            if (message is not null && message.Server != ServerId)
            {
                handle(message);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReceiveFailed(_logger, e, m.Channel.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing on Redis channel {Channel} failed; the other servers catch up from the database.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message on Redis channel {Channel} could not be handled.")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence across servers could not be read or written in Redis; this server decides alone for now.")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The link to Redis ({ConnectionType}) is broken: other servers' events reach this server's clients once it is back (read from the database then).")]
    private static partial void LogLinkBroken(ILogger logger, ConnectionType connectionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "The link to Redis ({ConnectionType}) is back; catching up from the database.")]
    private static partial void LogLinkRestored(ILogger logger, ConnectionType connectionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The presence heartbeat to Redis failed; it is tried again.")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    private abstract record Message(string Server);

    private sealed record WireEvent(SessionEvent Event, bool Restricted);

    private sealed record EventsMessage(string Server, Guid SessionId, IReadOnlyList<WireEvent> Events) : Message(Server);

    private sealed record BoardsMessage(string Server, BoardChange Change) : Message(Server);

    private sealed record CutMessage(string Server, Guid MemberId) : Message(Server);
}
