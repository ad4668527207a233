using SessionRoom.Data;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using SessionRoom.Core.Security;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.IntegrationTests;

public abstract class MemberStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly MemberStore _members;
    private readonly Guid _sessionId;

    protected MemberStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        var studies = new StudyStore(_db.Db, TimeProvider.System);
        var sessions = new SessionStore(_db.Db, TimeProvider.System);
        var study = studies.Create(new ValidStudy("Study", null));
        _sessionId = sessions.Create(study.Id, new ValidSession("Session", SessionModes.FocusGroup, null, []))!.Id;
        _members = new MemberStore(_db.Db, TimeProvider.System);
    }

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    private string Invite(string role, string? name = null) => _members.CreateInvite(_sessionId, role, name).Token;

    [Fact]
    public void CreateInvite_ReturnsTokenAndInfo()
    {
        var (invite, token) = _members.CreateInvite(_sessionId, Roles.Participant, "Ana");

        Assert.Equal(43, token.Length);
        Assert.Equal(_sessionId, invite.SessionId);
        Assert.Equal(Roles.Participant, invite.Role);
        Assert.Equal("Ana", invite.Name);
        Assert.False(invite.IsRevoked);
        var listed = Assert.Single(_members.ListInvites(_sessionId));
        Assert.Equal(invite.Id, listed.Id);
        Assert.Null(listed.MemberCode);
    }

    [Fact]
    public void CreateInvite_UnknownSession_ThrowsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _members.CreateInvite(Guid.NewGuid(), Roles.Observer, null));
    }

    [Fact]
    public void Join_FirstParticipant_CreatesMemberP1()
    {
        var member = _members.Join(Invite(Roles.Participant), "Ana");

        Assert.NotNull(member);
        Assert.Equal("P1", member.Code);
        Assert.Equal(Roles.Participant, member.Role);
        Assert.Equal("Ana", member.DisplayName);
        Assert.Equal(_sessionId, member.SessionId);
        Assert.Equal(43, member.AccessToken.Length);
    }

    [Fact]
    public void Join_SeveralRoles_NumbersCodesPerRole()
    {
        var p1 = _members.Join(Invite(Roles.Participant), "Ana")!;
        var o1 = _members.Join(Invite(Roles.Observer), "Olga")!;
        var p2 = _members.Join(Invite(Roles.Participant), "Ben")!;

        Assert.Equal("P1", p1.Code);
        Assert.Equal("P2", p2.Code);
        Assert.Equal("O1", o1.Code);
        Assert.Equal(Roles.Observer, o1.Role);
        Assert.Equal(3, new[] { p1.MemberId, p2.MemberId, o1.MemberId }.Distinct().Count());
        Assert.Equal(["P1", "O1", "P2"], _members.ListMembers(_sessionId).Select(m => m.Code));
    }

    [Fact]
    public void Join_NoDisplayName_UsesInviteNameThenCode()
    {
        Assert.Equal("Named in invite", _members.Join(Invite(Roles.Participant, "Named in invite"), null)!.DisplayName);
        Assert.Equal("P2", _members.Join(Invite(Roles.Participant), null)!.DisplayName);
    }

    [Fact]
    public void Join_SameTokenAgain_ResumesMemberWithNewAccessToken()
    {
        var token = Invite(Roles.Participant);
        var first = _members.Join(token, "Ana")!;

        var second = _members.Join(token, "Someone else")!;

        Assert.Equal(first.MemberId, second.MemberId);
        Assert.Equal("P1", second.Code);
        Assert.Equal("Ana", second.DisplayName);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        // Both devices stay signed in.
        Assert.Equal(first.MemberId, _members.FindByAccessToken(first.AccessToken)!.MemberId);
        Assert.Equal(first.MemberId, _members.FindByAccessToken(second.AccessToken)!.MemberId);
        Assert.Single(_members.ListMembers(_sessionId));
    }

    [Fact]
    public void Join_UnknownToken_ReturnsNull()
    {
        Invite(Roles.Participant);
        Assert.Null(_members.Join(Secrets.NewToken(), "x"));
    }

    [Fact]
    public void FindByAccessToken_IssuedToken_ReturnsMember()
    {
        var member = _members.Join(Invite(Roles.Observer), "Olga")!;

        var found = _members.FindByAccessToken(member.AccessToken);

        Assert.NotNull(found);
        Assert.Equal(member.MemberId, found.MemberId);
        Assert.Equal(_sessionId, found.SessionId);
        Assert.Equal(Roles.Observer, found.Role);
        Assert.Equal("O1", found.Code);
        Assert.Equal("Olga", found.DisplayName);
    }

    [Fact]
    public void FindByAccessToken_UnknownOrInviteToken_ReturnsNull()
    {
        var invite = Invite(Roles.Observer);
        _members.Join(invite, null);

        Assert.Null(_members.FindByAccessToken(Secrets.NewToken()));
        Assert.Null(_members.FindByAccessToken(invite));
    }

    [Fact]
    public void RevokeInvite_AfterJoin_BlocksJoinAndAccessToken()
    {
        var (invite, token) = _members.CreateInvite(_sessionId, Roles.Participant, null);
        var member = _members.Join(token, "Ana")!;
        var other = _members.Join(Invite(Roles.Participant), "Ben")!;

        var revoked = _members.RevokeInvite(_sessionId, invite.Id);

        Assert.Equal(member.MemberId, revoked);
        Assert.Null(_members.Join(token, "Ana"));
        Assert.Null(_members.FindByAccessToken(member.AccessToken));
        Assert.NotNull(_members.FindByAccessToken(other.AccessToken));
        Assert.True(_members.ListInvites(_sessionId).Single(i => i.Id == invite.Id).IsRevoked);
    }

    [Fact]
    public void RevokeInvite_BeforeJoin_ReturnsNullAndBlocksJoin()
    {
        var (invite, token) = _members.CreateInvite(_sessionId, Roles.Observer, null);

        Assert.Null(_members.RevokeInvite(_sessionId, invite.Id));
        Assert.Null(_members.Join(token, null));
        Assert.Empty(_members.ListMembers(_sessionId));
    }

    [Fact]
    public void RevokeInvite_RevokedMemberKeepsCode_NextJoinGetsNextNumber()
    {
        var (invite, token) = _members.CreateInvite(_sessionId, Roles.Participant, null);
        _members.Join(token, null);
        _members.RevokeInvite(_sessionId, invite.Id);

        Assert.Equal("P2", _members.Join(Invite(Roles.Participant), null)!.Code);
    }

    [Fact]
    public void RevokeInvite_WrongSessionOrUnknown_ThrowsNotFound()
    {
        var (invite, token) = _members.CreateInvite(_sessionId, Roles.Participant, null);

        Assert.Throws<NotFoundException>(() => _members.RevokeInvite(Guid.NewGuid(), invite.Id));
        Assert.Throws<NotFoundException>(() => _members.RevokeInvite(_sessionId, Guid.NewGuid()));
        Assert.NotNull(_members.Join(token, null));
    }

    [Fact]
    public void FacilitatorMember_CalledTwice_SameMemberF1WithNewTokens()
    {
        var first = _members.FacilitatorMember(_sessionId, "Facilitator");
        var second = _members.FacilitatorMember(_sessionId, "Facilitator");

        Assert.Equal(first.MemberId, second.MemberId);
        Assert.Equal("F1", first.Code);
        Assert.Equal("F1", second.Code);
        Assert.Equal(Roles.Facilitator, first.Role);
        Assert.Equal("Facilitator", first.DisplayName);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(first.MemberId, _members.FindByAccessToken(second.AccessToken)!.MemberId);
    }

    /// <summary>
    /// Joins at once, from many connections (two servers' worth on PostgreSQL): each invite becomes one member, and
    /// the codes are P1..Pn with none taken twice (the bench's parallel joins once met a duplicate-code error here).
    /// </summary>
    [Fact]
    public async Task Join_ManyAtOnce_GivesEveryInviteOneMemberAndEveryMemberItsOwnCode()
    {
        var tokens = Enumerable.Range(0, 24).Select(_ => Invite(Roles.Participant)).ToList();
        using var start = new ManualResetEventSlim();
        // Every invite joined twice at once, as a double-tapped link would.
        var joins = tokens.Concat(tokens).Select(token => Task.Run(() =>
        {
            start.Wait();
            return _members.Join(token, null)!;
        })).ToList();
        start.Set();
        var joined = await Task.WhenAll(joins);

        Assert.Equal(tokens.Count, joined.Select(m => m.MemberId).Distinct().Count());
        Assert.All(tokens.Select((_, i) => (joined[i], joined[i + tokens.Count])), pair => Assert.Equal(pair.Item1.MemberId, pair.Item2.MemberId));
        var codes = _members.ListMembers(_sessionId).Where(m => m.Role == Roles.Participant).Select(m => m.Code).Order().ToList();
        Assert.Equal(Enumerable.Range(1, tokens.Count).Select(i => "P" + i).Order(), codes);
    }

    [Fact]
    public void FacilitatorMember_UnknownSession_ThrowsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _members.FacilitatorMember(Guid.NewGuid(), "Facilitator"));
    }

    [Fact]
    public void Tokens_AreStoredOnlyAsHashes()
    {
        var (invite, inviteToken) = _members.CreateInvite(_sessionId, Roles.Participant, "Ana");
        var member = _members.Join(inviteToken, "Ana")!;
        var facilitator = _members.FacilitatorMember(_sessionId, "Facilitator");

        using (var c = _db.Db.Open())
        {
            Assert.Equal(Secrets.Hash(inviteToken), c.ExecuteScalar<string>("SELECT token_hash FROM invites WHERE id = @id", new { id = invite.Id }));
            var memberHashes = c.Query<string>("SELECT token_hash FROM member_tokens").ToList();
            Assert.Contains(Secrets.Hash(member.AccessToken), memberHashes);
            Assert.Contains(Secrets.Hash(facilitator.AccessToken), memberHashes);
            Assert.All(memberHashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        }

        var text = _db.Db.IsPostgres ? EveryRowAsText() : EveryByteOnDisk();
        Assert.Contains(Secrets.Hash(inviteToken), text);
        Assert.DoesNotContain(inviteToken, text);
        Assert.DoesNotContain(member.AccessToken, text);
        Assert.DoesNotContain(facilitator.AccessToken, text);
    }

    /// <summary>PostgreSQL: every row of every table, as text (its files are the server's, not the test's to read).</summary>
    private string EveryRowAsText()
    {
        using var c = _db.Db.Open();
        var tables = c.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").ToList();
        Assert.Contains("member_tokens", tables);
        return string.Join("\n", tables.SelectMany(t => c.Query<string>($"SELECT CAST(x AS TEXT) FROM {t} x")));
    }

    /// <summary>SQLite: every byte the database left on disk.</summary>
    private string EveryByteOnDisk()
    {
        // Close every handle so the WAL is checkpointed first.
        SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(_db.DirectoryPath, "sessionroom.db*")
            .SelectMany(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            })
            .ToArray();
        Assert.NotEmpty(bytes);
        return Encoding.ASCII.GetString(bytes);
    }
}

public sealed class MemberStoreTestsOnSqlite() : MemberStoreTests(StorageProvider.Sqlite);

public sealed class MemberStoreTestsOnPostgres() : MemberStoreTests(StorageProvider.Postgres);
