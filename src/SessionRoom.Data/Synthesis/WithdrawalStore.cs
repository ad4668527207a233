using Dapper;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.Data.Synthesis;

/// <summary>
/// Consent withdrawal: deletes everything of one participant from a session, in one transaction,
/// and records that it happened (by pseudonym, never by name).
/// "Everything" is every event they made (answers, reactions, presence) and every event about them
/// (notes naming them, their task attempts), with those events' tags, search text and highlights
/// (and any theme cards, which cascade from the events); their name on the member and invite rows;
/// and their access tokens. The pseudonym stays, so the record and others' codes still read true.
/// Whether it may run is <see cref="WithdrawalRules"/>' decision.
/// </summary>
public sealed class WithdrawalStore(Db db, TimeProvider clock)
{
    public Withdrawal Withdraw(Guid sessionId, Guid memberId) => db.InTransaction((c, tx) =>
    {
        // Locked first (PostgreSQL): no writer on any server may commit an event between the checks and the deletes,
        // or the high-water mark below could miss it and its seq be given again.
        var status = c.ExecuteScalar<string?>("SELECT status FROM sessions WHERE id = @sessionId" + db.LockSessionRow, new { sessionId }, tx)
            ?? throw new NotFoundException("There is no session with that id.");
        var member = c.QuerySingleOrDefault<MemberRow>(
            "SELECT code AS Code, role AS Role, withdrawn_utc AS WithdrawnUtc FROM members WHERE id = @memberId AND session_id = @sessionId",
            new { memberId, sessionId }, tx)
            ?? throw new NotFoundException("That member is not in this session.");
        WithdrawalRules.Check(member.Role, member.Code, member.WithdrawnUtc, status);

        var now = db.Now(clock);
        // Keep the high-water mark so the deleted events' seq numbers are never given again.
        // (The larger of two values: SQLite's scalar MAX, PostgreSQL's GREATEST.)
        c.Execute(
            $"UPDATE sessions SET seq_floor = {(db.IsPostgres ? "GREATEST" : "MAX")}(seq_floor, COALESCE((SELECT MAX(seq) FROM events WHERE session_id = @sessionId), 0)) WHERE id = @sessionId",
            new { sessionId }, tx);
        const string Theirs = "session_id = @sessionId AND (actor_id = @memberId OR participant_id = @memberId)";
        if (!db.IsPostgres)
        {
            // SQLite's search text is a table of its own (PostgreSQL's is a column of the event, and goes with it).
            c.Execute($"DELETE FROM event_text WHERE session_id = @sessionId AND seq IN (SELECT seq FROM events WHERE {Theirs})", new { sessionId, memberId }, tx);
        }
        var deleted = c.Execute($"DELETE FROM events WHERE {Theirs}", new { sessionId, memberId }, tx);
        c.Execute("DELETE FROM member_tokens WHERE member_id = @memberId", new { memberId }, tx);
        c.Execute(
            """
            UPDATE members SET display_name = code, withdrawn_utc = @now, revoked_utc = COALESCE(revoked_utc, @now) WHERE id = @memberId;
            UPDATE invites SET name = NULL, revoked_utc = COALESCE(revoked_utc, @now)
            WHERE id = (SELECT invite_id FROM members WHERE id = @memberId);
            """, new { memberId, now }, tx);
        var withdrawal = new Withdrawal(Guid.NewGuid(), sessionId, member.Code, deleted, now);
        c.Execute(
            "INSERT INTO withdrawals (id, session_id, member_code, events_deleted, created_utc) VALUES (@Id, @SessionId, @MemberCode, @EventsDeleted, @CreatedUtc)",
            withdrawal, tx);
        return withdrawal;
    });

    /// <summary>The session's withdrawals, oldest first.</summary>
    public IReadOnlyList<Withdrawal> ForSession(Guid sessionId) => db.Read((c, tx) =>
        c.Query<WithdrawalRow>(
            """
            SELECT id AS Id, session_id AS SessionId, member_code AS MemberCode, events_deleted AS EventsDeleted, created_utc AS CreatedUtc
            FROM withdrawals WHERE session_id = @sessionId ORDER BY created_utc, id
            """, new { sessionId }, tx)
        .Select(r => new Withdrawal(r.Id, r.SessionId, r.MemberCode, (int)r.EventsDeleted, r.CreatedUtc))
        .ToList());

    private sealed class MemberRow
    {
        public string Code { get; set; } = "";
        public string Role { get; set; } = "";
        public DateTimeOffset? WithdrawnUtc { get; set; }
    }

    private sealed class WithdrawalRow
    {
        public Guid Id { get; set; }
        public Guid SessionId { get; set; }
        public string MemberCode { get; set; } = "";
        public long EventsDeleted { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
    }
}
