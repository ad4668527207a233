using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Live;

/// <summary>The read side of the event log. What a reader gets is always decided by <see cref="Audiences.CanSee(Caller, SessionEvent, bool)"/>.</summary>
public sealed class EventStore(Db db)
{
    /// <summary>Events with seq above <paramref name="afterSeq"/> that <paramref name="viewer"/> may see, ascending.</summary>
    public IReadOnlyList<SessionEvent> Since(Caller viewer, long afterSeq) => db.Read((c, tx) =>
    {
        var sessionId = viewer.SessionId;
        var ended = Ended(c, tx, sessionId);
        var rows = c.Query<EventRow>(
            EventRow.Select + """
            WHERE e.session_id = @sessionId AND e.seq > @afterSeq AND (e.audience = @room OR @backroom)
            ORDER BY e.seq
            """, new { sessionId, afterSeq, room = Audiences.Room, backroom = Audiences.SeesBackroom(viewer.Role) }, tx).ToList();
        var tags = c.Query<(long Seq, string Tag)>(
            $"SELECT seq, tag FROM event_tags WHERE session_id = @sessionId AND seq > @afterSeq ORDER BY seq, {db.Bytewise("tag")}",
            new { sessionId, afterSeq }, tx)
            .ToLookup(t => t.Seq, t => t.Tag);
        return rows.Select(r => r.ToEvent(sessionId, tags[r.Seq].ToList()))
            .Where(e => Audiences.CanSee(viewer, e, ended))
            .ToList();
    });

    /// <summary>The highest seq <paramref name="viewer"/> may see; 0 when none.</summary>
    public long LastSeq(Caller viewer) => db.Read((c, tx) =>
    {
        var ended = Ended(c, tx, viewer.SessionId);
        // The same rule as CanSee, in SQL, so a count of what is hidden never leaks through lastSeq.
        return c.ExecuteScalar<long>(
            """
            SELECT COALESCE(MAX(seq), 0) FROM events
            WHERE session_id = @sessionId AND (audience = @room OR @backroom)
              AND NOT (restricted = TRUE AND @observer AND NOT @ended AND (actor_id IS NULL OR actor_id <> @me))
            """,
            new
            {
                sessionId = viewer.SessionId,
                room = Audiences.Room,
                backroom = Audiences.SeesBackroom(viewer.Role),
                observer = viewer.Role == Roles.Observer,
                ended,
                me = viewer.MemberId,
            }, tx);
    });

    /// <summary>Prompts the facilitator has shown in the session so far.</summary>
    public IReadOnlySet<Guid> ShownPromptIds(Guid sessionId) => db.Read((c, tx) =>
        c.Query<Guid>(
            "SELECT DISTINCT prompt_id FROM events WHERE session_id = @sessionId AND type = @type AND prompt_id IS NOT NULL",
            new { sessionId, type = EventTypes.PromptShown }, tx).ToHashSet());

    private static bool Ended(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Guid sessionId) =>
        c.ExecuteScalar<string?>("SELECT status FROM sessions WHERE id = @sessionId", new { sessionId }, tx) == SessionStatuses.Ended;
}
