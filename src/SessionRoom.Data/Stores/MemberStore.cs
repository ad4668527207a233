using System.Data;
using Dapper;
using SessionRoom.Core.Security;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Stores;

/// <summary>
/// Invite links and the members they admit. Tokens are only ever stored as SHA-256 hashes:
/// an invite's link is shown once, when it is made, and an access token once, when it is issued.
/// </summary>
public sealed class MemberStore(Db db, TimeProvider clock)
{
    /// <summary>Makes an invite link's token. Throws <see cref="NotFoundException"/> for an unknown session.</summary>
    public (InviteInfo Invite, string Token) CreateInvite(Guid sessionId, string role, string? name) => db.InTransaction((c, tx) =>
    {
        RequireSession(c, tx, sessionId);
        var token = Secrets.NewToken();
        var invite = new InviteInfo(Guid.NewGuid(), sessionId, role, name, db.Now(clock), null, null, null);
        c.Execute(
            """
            INSERT INTO invites (id, session_id, role, name, token_hash, created_utc)
            VALUES (@Id, @SessionId, @Role, @Name, @hash, @CreatedUtc)
            """,
            new { invite.Id, invite.SessionId, invite.Role, invite.Name, hash = Secrets.Hash(token), invite.CreatedUtc }, tx);
        return (invite, token);
    });

    public IReadOnlyList<InviteInfo> ListInvites(Guid sessionId) => db.Read((c, tx) =>
        c.Query<InviteRow>(
            """
            SELECT i.id AS Id, i.session_id AS SessionId, i.role AS Role, i.name AS Name, i.created_utc AS CreatedUtc,
                   i.revoked_utc AS RevokedUtc, m.code AS MemberCode, m.display_name AS MemberDisplayName,
                   m.id AS MemberId, m.withdrawn_utc AS WithdrawnUtc
            FROM invites i LEFT JOIN members m ON m.invite_id = i.id
            WHERE i.session_id = @sessionId
            ORDER BY i.created_utc, i.id
            """, new { sessionId }, tx)
        .Select(r => new InviteInfo(r.Id, r.SessionId, r.Role, r.Name, r.CreatedUtc, r.RevokedUtc, r.MemberCode, r.MemberDisplayName, r.MemberId, r.WithdrawnUtc))
        .ToList());

    /// <summary>
    /// Revokes an invite and the member it admitted, so neither the link nor any access token issued
    /// through it works again. Returns the revoked member's id (null when nobody had joined yet).
    /// Throws <see cref="NotFoundException"/> when the invite is not one of this session's.
    /// </summary>
    public Guid? RevokeInvite(Guid sessionId, Guid inviteId) => db.InTransaction((c, tx) =>
    {
        var now = db.Now(clock);
        var found = c.Execute(
            "UPDATE invites SET revoked_utc = COALESCE(revoked_utc, @now) WHERE id = @inviteId AND session_id = @sessionId",
            new { inviteId, sessionId, now }, tx);
        if (found == 0)
        {
            throw new NotFoundException("That invite is not one of this session's.");
        }
        var memberId = c.QuerySingleOrDefault<Guid?>("SELECT id FROM members WHERE invite_id = @inviteId", new { inviteId }, tx);
        c.Execute("UPDATE members SET revoked_utc = COALESCE(revoked_utc, @now) WHERE invite_id = @inviteId", new { inviteId, now }, tx);
        return memberId;
    });

    /// <summary>What an invite leads to, for the consent screen; null when the token is unknown or revoked. Creates nothing.</summary>
    public InvitePreview? Preview(string inviteToken) => db.Read((c, tx) =>
        c.QuerySingleOrDefault<PreviewRow>(
            """
            SELECT i.role AS Role, st.name AS StudyName, s.title AS SessionTitle, st.consent_text AS ConsentText, s.status AS SessionStatus
            FROM invites i JOIN sessions s ON s.id = i.session_id JOIN studies st ON st.id = s.study_id
            WHERE i.token_hash = @hash AND i.revoked_utc IS NULL
            """, new { hash = Secrets.Hash(inviteToken) }, tx) is { } r
            ? new InvitePreview(r.Role, r.StudyName, r.SessionTitle, r.ConsentText, r.SessionStatus)
            : null);

    /// <summary>
    /// Exchanges an invite token for a member access token. The first join creates the member
    /// (with the next code of its role); later joins with the same link resume that member.
    /// Null when the token is unknown or revoked.
    /// </summary>
    public Member? Join(string inviteToken, string? displayName) => db.InTransaction((c, tx) =>
    {
        var invite = c.QuerySingleOrDefault<InviteRow>(
            """
            SELECT id AS Id, session_id AS SessionId, role AS Role, name AS Name, created_utc AS CreatedUtc, revoked_utc AS RevokedUtc
            FROM invites WHERE token_hash = @hash
            """, new { hash = Secrets.Hash(inviteToken) }, tx);
        if (invite is null || invite.RevokedUtc is not null)
        {
            return null;
        }
        var member = c.QuerySingleOrDefault<MemberRow>(
            MemberSelect + " WHERE invite_id = @inviteId", new { inviteId = invite.Id }, tx)
            ?? InsertMember(c, tx, invite.SessionId, invite.Role, displayName ?? invite.Name, invite.Id);
        return IssueToken(c, tx, member);
    });

    /// <summary>
    /// The session's facilitator member, created on first use, with a new access token.
    /// Throws <see cref="NotFoundException"/> for an unknown session.
    /// </summary>
    public Member FacilitatorMember(Guid sessionId, string displayName) => db.InTransaction((c, tx) =>
        IssueToken(c, tx, EnsureFacilitator(c, tx, sessionId, displayName)));

    /// <summary>
    /// The session's facilitator member, created on first use, without issuing a token: for the
    /// facilitator's own console, which is signed in by cookie and runs in-process.
    /// </summary>
    public MemberInfo FacilitatorInfo(Guid sessionId, string displayName) => db.InTransaction((c, tx) =>
        EnsureFacilitator(c, tx, sessionId, displayName).ToInfo());

    private MemberRow EnsureFacilitator(IDbConnection c, IDbTransaction tx, Guid sessionId, string displayName)
    {
        RequireSession(c, tx, sessionId);
        return c.QuerySingleOrDefault<MemberRow>(
            MemberSelect + " WHERE session_id = @sessionId AND role = @role AND revoked_utc IS NULL ORDER BY created_utc LIMIT 1",
            new { sessionId, role = Roles.Facilitator }, tx)
            ?? InsertMember(c, tx, sessionId, Roles.Facilitator, displayName, null);
    }

    /// <summary>The member an access token belongs to; null when unknown or revoked.</summary>
    public MemberInfo? FindByAccessToken(string accessToken) => db.Read((c, tx) =>
        c.QuerySingleOrDefault<MemberRow>(
            """
            SELECT m.id AS Id, m.session_id AS SessionId, m.role AS Role, m.display_name AS DisplayName, m.code AS Code,
                   m.created_utc AS CreatedUtc, m.revoked_utc AS RevokedUtc
            FROM member_tokens t JOIN members m ON m.id = t.member_id
            WHERE t.token_hash = @hash AND m.revoked_utc IS NULL
            """, new { hash = Secrets.Hash(accessToken) }, tx)?.ToInfo());

    public IReadOnlyList<MemberInfo> ListMembers(Guid sessionId) => db.Read((c, tx) =>
        c.Query<MemberRow>(MemberSelect + " WHERE session_id = @sessionId ORDER BY created_utc, id", new { sessionId }, tx)
            .Select(r => r.ToInfo())
            .ToList());

    private const string MemberSelect =
        """
        SELECT id AS Id, session_id AS SessionId, role AS Role, display_name AS DisplayName, code AS Code,
               created_utc AS CreatedUtc, revoked_utc AS RevokedUtc
        FROM members
        """;

    private MemberRow InsertMember(IDbConnection c, IDbTransaction tx, Guid sessionId, string role, string? displayName, Guid? inviteId)
    {
        // Codes count up per role and are never reused, so P3 in an export is always the same person.
        var ordinal = c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM members WHERE session_id = @sessionId AND role = @role", new { sessionId, role }, tx) + 1;
        var code = Roles.CodePrefix(role) + ordinal;
        var row = new MemberRow
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            Role = role,
            Code = code,
            DisplayName = displayName ?? code,
            CreatedUtc = db.Now(clock),
        };
        c.Execute(
            """
            INSERT INTO members (id, session_id, role, display_name, code, invite_id, created_utc)
            VALUES (@Id, @SessionId, @Role, @DisplayName, @Code, @inviteId, @CreatedUtc)
            """,
            new { row.Id, row.SessionId, row.Role, row.DisplayName, row.Code, inviteId, row.CreatedUtc }, tx);
        return row;
    }

    private Member IssueToken(IDbConnection c, IDbTransaction tx, MemberRow member)
    {
        var token = Secrets.NewToken();
        c.Execute(
            "INSERT INTO member_tokens (token_hash, member_id, created_utc) VALUES (@hash, @Id, @now)",
            new { hash = Secrets.Hash(token), member.Id, now = db.Now(clock) }, tx);
        return new Member(token, member.Id, member.SessionId, member.Role, member.DisplayName, member.Code);
    }

    private static void RequireSession(IDbConnection c, IDbTransaction tx, Guid sessionId)
    {
        if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions WHERE id = @sessionId", new { sessionId }, tx) == 0)
        {
            throw new NotFoundException("There is no such session.");
        }
    }

    private sealed class PreviewRow
    {
        public string Role { get; set; } = "";
        public string StudyName { get; set; } = "";
        public string SessionTitle { get; set; } = "";
        public string? ConsentText { get; set; }
        public string SessionStatus { get; set; } = "";
    }

    private sealed class InviteRow
    {
        public Guid Id { get; set; }
        public Guid SessionId { get; set; }
        public string Role { get; set; } = "";
        public string? Name { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
        public DateTimeOffset? RevokedUtc { get; set; }
        public string? MemberCode { get; set; }
        public string? MemberDisplayName { get; set; }
        public Guid? MemberId { get; set; }
        public DateTimeOffset? WithdrawnUtc { get; set; }
    }

    private sealed class MemberRow
    {
        public Guid Id { get; set; }
        public Guid SessionId { get; set; }
        public string Role { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Code { get; set; } = "";
        public DateTimeOffset CreatedUtc { get; set; }
        public DateTimeOffset? RevokedUtc { get; set; }

        public MemberInfo ToInfo() => new(Id, SessionId, Role, DisplayName, Code, CreatedUtc);
    }
}
