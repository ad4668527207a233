using SessionRoom.Core.Live;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// Puts the committed events that reach this server from every server (its own at once, the others' through Redis)
/// back into one gap-free seq order per session, and drops what was already delivered (a server hears its own
/// publishes too). Used by <see cref="SessionBroadcaster"/> from its single loop only, so it takes no locks.
/// </summary>
/// <remarks>
/// <para>Events of one session committed on two servers can arrive in either order, and a server can die between its
/// commit and its publish. So an event beyond the next expected seq is held; when the gap has not filled after a
/// short wait, the broadcaster reads the missing seqs from the event store and hands them to <see cref="Fill"/>.
/// A seq below a held one that the store does not have was deleted by a consent withdrawal (seq is derived inside
/// the write transaction, so a later seq is committed only after every earlier one): it is skipped.</para>
/// <para>The first event a server sees of a session sets where that session starts for it. An earlier event still
/// on its way then is not delivered here; every client already covers that case, because it calls
/// <c>GetEventsSince</c> when it sees a seq skipped (API.md), and a Blazor page does the same.</para>
/// </remarks>
public sealed class EventSequencer(TimeProvider clock)
{
    /// <summary>A session's order state is forgotten after this long without events (and nothing held).</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    private readonly Dictionary<Guid, Order> _sessions = [];
    private int _arrivalsSinceSweep;

    /// <summary>How many events are held back, waiting for an earlier seq, in every session (for tests and diagnostics).</summary>
    public int HeldCount => _sessions.Values.Sum(o => o.Held.Count);

    /// <summary>
    /// Takes one arriving event; returns what can now be delivered, in seq order (maybe nothing).
    /// <paramref name="gapOpened"/> says that the session started holding events: fill it after the wait.
    /// </summary>
    public IReadOnlyList<SessionEvent> Arrive(SessionEvent e, out bool gapOpened)
    {
        gapOpened = false;
        if (++_arrivalsSinceSweep >= 1_000)
        {
            Sweep();
        }
        if (!_sessions.TryGetValue(e.SessionId, out var order))
        {
            order = new Order { Delivered = e.Seq - 1 };
            _sessions[e.SessionId] = order;
        }
        order.LastArrival = clock.GetUtcNow();
        if (e.Seq <= order.Delivered || !order.Held.TryAdd(e.Seq, e))
        {
            return [];
        }
        var wasHolding = order.Held.Count > 1;
        var ready = Drain(order);
        gapOpened = !wasHolding && order.Held.Count > 0;
        if (gapOpened)
        {
            order.GapSince = clock.GetUtcNow();
        }
        return ready;
    }

    /// <summary>
    /// The seqs missing in the session: above <paramref name="after"/>, up to the highest held one; <paramref name="since"/>
    /// is when the session started holding (since it last held nothing, or since the last fill). False when nothing is held.
    /// </summary>
    public bool TryGetGap(Guid sessionId, out long after, out long upTo, out DateTimeOffset since)
    {
        if (_sessions.TryGetValue(sessionId, out var order) && order.Held.Count > 0)
        {
            (after, upTo, since) = (order.Delivered, order.Held.Keys.Max(), order.GapSince);
            return true;
        }
        (after, upTo, since) = (0, 0, default);
        return false;
    }

    /// <summary>The sessions this server is ordering, each with the seq it delivered up to: what a catch-up reads after.</summary>
    public IReadOnlyList<(Guid SessionId, long Delivered)> Delivered() =>
        _sessions.Select(kv => (kv.Key, kv.Value.Delivered)).ToList();

    /// <summary>
    /// The store's events of the session above the delivered seq, read after the wait: everything held up to
    /// <paramref name="upTo"/> is delivered with them, in seq order (seqs the store does not have are skipped).
    /// <paramref name="stillHolding"/> says events beyond a newer gap are still held.
    /// </summary>
    public IReadOnlyList<SessionEvent> Fill(Guid sessionId, long upTo, IReadOnlyList<SessionEvent> stored, out bool stillHolding)
    {
        stillHolding = false;
        if (!_sessions.TryGetValue(sessionId, out var order))
        {
            return [];
        }
        foreach (var e in stored)
        {
            if (e.Seq > order.Delivered && e.Seq <= upTo)
            {
                order.Held.TryAdd(e.Seq, e);
            }
        }
        var ready = new List<SessionEvent>();
        foreach (var seq in order.Held.Keys.Where(s => s <= upTo).Order().ToList())
        {
            ready.Add(order.Held[seq]);
            order.Held.Remove(seq);
        }
        order.Delivered = Math.Max(order.Delivered, upTo);
        ready.AddRange(Drain(order));
        stillHolding = order.Held.Count > 0;
        order.GapSince = clock.GetUtcNow();
        return ready;
    }

    private static List<SessionEvent> Drain(Order order)
    {
        var ready = new List<SessionEvent>();
        while (order.Held.Remove(order.Delivered + 1, out var next))
        {
            ready.Add(next);
            order.Delivered++;
        }
        return ready;
    }

    private void Sweep()
    {
        _arrivalsSinceSweep = 0;
        var before = clock.GetUtcNow() - IdleAfter;
        foreach (var (sessionId, order) in _sessions.Where(kv => kv.Value.Held.Count == 0 && kv.Value.LastArrival < before).ToList())
        {
            _sessions.Remove(sessionId);
        }
    }

    private sealed class Order
    {
        public long Delivered { get; set; }

        public Dictionary<long, SessionEvent> Held { get; } = [];

        public DateTimeOffset LastArrival { get; set; }

        public DateTimeOffset GapSince { get; set; }
    }
}
