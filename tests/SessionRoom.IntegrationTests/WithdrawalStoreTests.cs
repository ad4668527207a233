using SessionRoom.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.IntegrationTests;

/// <summary>Consent withdrawal on a real SQLite file: everything of the participant goes, nothing of anyone else does, and it is recorded.</summary>
public abstract class WithdrawalStoreTests : IDisposable
{
    private const string SecretName = "Wilhelmina Zanzibar";

    private readonly TestDatabase _db;
    private readonly ManualClock _clock = new();
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;
    private readonly MemberStore _members;
    private readonly TimelineStore _timeline;
    private readonly WithdrawalStore _withdrawals;
    private EventWriter _writer;

    protected WithdrawalStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, _clock);
        _sessions = new SessionStore(_db.Db, _clock);
        _members = new MemberStore(_db.Db, _clock);
        _timeline = new TimelineStore(_db.Db);
        _withdrawals = new WithdrawalStore(_db.Db, _clock);
        _writer = NewWriter();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _db.Dispose();
    }

    private EventWriter NewWriter() => new(_db.Db, new LiveSessions(new LiveOptions()), new NoPublisher(), _clock, _ => { });

    private sealed record Room(Guid StudyId, Session Session, Caller F, Caller O, Caller Leaving, Caller Staying, string LeavingToken);

    private Caller Join(Guid sessionId, string role, string name, out string accessToken)
    {
        var m = _members.Join(_members.CreateInvite(sessionId, role, name).Token, name)!;
        accessToken = m.AccessToken;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    private async Task<long> Write(Caller caller, Func<Guid, LiveCommand> command)
    {
        _clock.Now += TimeSpan.FromSeconds(3);
        return (await _writer.WriteAsync(caller, command(Guid.NewGuid()))).Seq;
    }

    /// <summary>A usability session where the leaving participant answers, reacts, does a task and is noted about; then it ends.</summary>
    private async Task<Room> RunAsync(bool end = true)
    {
        var study = _studies.Create(new ValidStudy("Withdrawal study", null));
        var session = _sessions.Create(study.Id, new ValidSession("Round 1", SessionModes.Usability, ["confused"],
        [
            new ValidPrompt(PromptKinds.Question, "What do you use today?", null, null, null, null, null),
            new ValidPrompt(PromptKinds.Task, "Buy a mug", null, null, null, null, null),
        ]))!;
        var fm = _members.FacilitatorMember(session.Id, "Facilitator");
        var f = new Caller(fm.MemberId, session.Id, fm.Role, fm.Code, fm.DisplayName);
        var o = Join(session.Id, Roles.Observer, "Olga Observer", out _);
        var leaving = Join(session.Id, Roles.Participant, SecretName, out var token);
        var staying = Join(session.Id, Roles.Participant, "Stay Person", out _);
        var (question, task) = (session.Prompts[0].Id, session.Prompts[1].Id);

        await Write(f, id => new StartSession(id));
        await Write(leaving, id => new JoinPresence(id));
        await Write(f, id => new ShowPrompt(id, question));
        await Write(leaving, id => new GiveAnswer(id, question, new AnswerInput(Text: "I use zanzibarware every day")));
        await Write(staying, id => new GiveAnswer(id, question, new AnswerInput(Text: "A spreadsheet")));
        await Write(leaving, id => new React(id, "confused"));
        await Write(o, id => new AddNote(id, "Zanzibarware again, frowning", ["confused"], leaving.MemberId));
        await Write(o, id => new AddNote(id, "General note about the room", ["confused"], null));
        await Write(f, id => new StartTask(id, task, leaving.MemberId));
        await Write(f, id => new EndTask(id, task, leaving.MemberId, "success"));
        await Write(f, id => new StartTask(id, task, staying.MemberId));
        await Write(f, id => new EndTask(id, task, staying.MemberId, "fail"));
        if (end)
        {
            await Write(f, id => new EndSession(id));
        }
        return new Room(study.Id, session, f, o, leaving, staying, token);
    }

    private IReadOnlyList<SessionEvent> All(Guid sessionId) => _timeline.Page(sessionId, new TimelineFilter(), 0, 500).Events;

    [Fact]
    public async Task Withdraw_DeletesEverythingByOrAboutThem_AndNothingElse()
    {
        var r = await RunAsync();
        var before = All(r.Session.Id);
        var theirs = before.Where(e => e.ActorId == r.Leaving.MemberId || e.ParticipantId == r.Leaving.MemberId).ToList();
        Assert.Equal(6, theirs.Count); // joined, answer, reaction, the note about them, task started and ended

        var withdrawal = _withdrawals.Withdraw(r.Session.Id, r.Leaving.MemberId);

        Assert.Equal((r.Leaving.Code, 6), (withdrawal.MemberCode, withdrawal.EventsDeleted));
        var after = All(r.Session.Id);
        Assert.Equal(before.Except(theirs).Select(e => e.Seq), after.Select(e => e.Seq));
        Assert.DoesNotContain(after, e => e.ActorId == r.Leaving.MemberId || e.ParticipantId == r.Leaving.MemberId);
        Assert.Contains(after, e => e.Text == "A spreadsheet");
        Assert.Contains(after, e => e.Text == "General note about the room");
        // Search, tags, tokens and names: nothing left.
        Assert.Empty(_timeline.Search(r.StudyId, "zanzibarware", 100));
        Assert.Single(_timeline.Search(r.StudyId, "spreadsheet", 100));
        Assert.Null(_members.FindByAccessToken(r.LeavingToken));
        var member = _members.ListMembers(r.Session.Id).Single(m => m.MemberId == r.Leaving.MemberId);
        Assert.Equal(r.Leaving.Code, member.DisplayName);
        var invite = _members.ListInvites(r.Session.Id).Single(i => i.MemberId == r.Leaving.MemberId);
        Assert.True(invite.IsWithdrawn);
        Assert.Null(invite.Name);
        Assert.Equal(r.Leaving.Code, invite.MemberDisplayName);
        using var c = _db.Db.Open();
        // SQLite keeps the search text in a table of its own; PostgreSQL's is derived from events.text.
        var searchText = _db.Db.IsPostgres ? "" : "UNION ALL SELECT text FROM event_text";
        var dump = string.Join("\n", c.Query<string>(
            $"""
            SELECT COALESCE(text, '') || ' ' || COALESCE(data_json, '') FROM events
            UNION ALL SELECT display_name FROM members UNION ALL SELECT COALESCE(name, '') FROM invites
            {searchText} UNION ALL SELECT member_code FROM withdrawals
            """));
        Assert.DoesNotContain(SecretName, dump, StringComparison.Ordinal);
        Assert.DoesNotContain("zanzibar", dump, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM event_tags t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = t.session_id AND e.seq = t.seq)"));
        Assert.Equal([withdrawal], _withdrawals.ForSession(r.Session.Id));
    }

    [Fact]
    public async Task AfterWithdrawal_SeqNumbersAreNeverReused_AndNothingIsWrittenInTheirName()
    {
        var r = await RunAsync();
        var last = All(r.Session.Id).Max(e => e.Seq);
        // The leaving participant's events include the session's last ones? Make the last event theirs.
        await Write(r.Leaving, id => new LeavePresence(id));
        var theirLast = last + 1;
        _withdrawals.Withdraw(r.Session.Id, r.Leaving.MemberId);
        Assert.True(All(r.Session.Id).Max(e => e.Seq) < theirLast);

        // A fresh writer (as after a restart) continues after the highest seq ever given.
        await _writer.DisposeAsync();
        _writer = NewWriter();
        var next = await Write(r.Staying, id => new LeavePresence(id));
        Assert.Equal(theirLast + 1, next);

        var refused = await Assert.ThrowsAsync<LiveRuleException>(() => Write(r.Leaving, id => new LeavePresence(id)));
        Assert.Contains("withdrawn", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdraw_IsRefused_WhileLive_ForObservers_Twice_AndForUnknownIds()
    {
        var r = await RunAsync(end: false);
        var live = Assert.Throws<ConflictException>(() => _withdrawals.Withdraw(r.Session.Id, r.Leaving.MemberId));
        Assert.Contains("End the session first", live.Message, StringComparison.Ordinal);
        Assert.Equal(6, All(r.Session.Id).Count(e => e.ActorId == r.Leaving.MemberId || e.ParticipantId == r.Leaving.MemberId));

        await Write(r.F, id => new EndSession(id));
        Assert.Contains("memberId", Assert.Throws<InputException>(() => _withdrawals.Withdraw(r.Session.Id, r.O.MemberId)).Errors.ToDictionary().Keys);
        Assert.Throws<NotFoundException>(() => _withdrawals.Withdraw(r.Session.Id, Guid.NewGuid()));
        Assert.Throws<NotFoundException>(() => _withdrawals.Withdraw(Guid.NewGuid(), r.Leaving.MemberId));
        _withdrawals.Withdraw(r.Session.Id, r.Leaving.MemberId);
        Assert.Throws<ConflictException>(() => _withdrawals.Withdraw(r.Session.Id, r.Leaving.MemberId));
        Assert.Single(_withdrawals.ForSession(r.Session.Id));
    }
}

public sealed class WithdrawalStoreTestsOnSqlite() : WithdrawalStoreTests(StorageProvider.Sqlite);

public sealed class WithdrawalStoreTestsOnPostgres() : WithdrawalStoreTests(StorageProvider.Postgres);
