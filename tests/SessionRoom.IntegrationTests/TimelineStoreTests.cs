using SessionRoom.Data;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.IntegrationTests;

/// <summary>The timeline and study search on a real SQLite file, with events written by the real event writer.</summary>
public abstract class TimelineStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ManualClock _clock = new();
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;
    private readonly MemberStore _members;
    private readonly TimelineStore _timeline;
    private readonly EventWriter _writer;

    protected TimelineStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, _clock);
        _sessions = new SessionStore(_db.Db, _clock);
        _members = new MemberStore(_db.Db, _clock);
        _timeline = new TimelineStore(_db.Db);
        _writer = new EventWriter(_db.Db, new LiveSessions(new LiveOptions()), new NoPublisher(), _clock, _ => { });
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _db.Dispose();
    }

    private sealed record Room(Session Session, Caller F, Caller O, Caller P1, Caller P2);

    private Room CreateRoom(Guid studyId, string title)
    {
        var session = _sessions.Create(studyId, new ValidSession(title, SessionModes.FocusGroup, ["confused", "delight"],
        [
            new ValidPrompt(PromptKinds.Question, "What do you use today?", null, null, null, null, null),
            new ValidPrompt(PromptKinds.Question, "What would you change?", null, null, null, null, null),
        ]))!;
        var f = _members.FacilitatorMember(session.Id, "Facilitator");
        return new Room(session, new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName),
            Join(session.Id, Roles.Observer), Join(session.Id, Roles.Participant), Join(session.Id, Roles.Participant));
    }

    /// <summary>An event's tags come back in one order on both providers: byte by byte, as SQLite sorts (not en_US's, which skips hyphens).</summary>
    [Fact]
    public async Task Tags_ComeBackInByteOrder_OnEveryProvider()
    {
        string[] tags = ["painful", "pain-point", "Zest", "alpha"];
        var session = _sessions.Create(_studies.Create(new ValidStudy("Study", null)).Id, new ValidSession("Tags", SessionModes.FocusGroup, tags, []))!;
        var f = _members.FacilitatorMember(session.Id, "Facilitator");
        var o = Join(session.Id, Roles.Observer);
        await Write(new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName), id => new StartSession(id));
        var seq = await Write(o, id => new AddNote(id, "tagged four ways", tags, null));

        var expected = tags.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Zest", "alpha", "pain-point", "painful"], expected);
        Assert.Equal(expected, _timeline.Page(session.Id, new TimelineFilter(), 0, 100).Events.Single(e => e.Seq == seq).Tags);
        Assert.Equal(expected, new EventStore(_db.Db).Since(o, 0).Single(e => e.Seq == seq).Tags);
    }

    private Caller Join(Guid sessionId, string role)
    {
        var m = _members.Join(_members.CreateInvite(sessionId, role, "Secret Name " + role).Token, null)!;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    private async Task<long> Write(Caller caller, Func<Guid, LiveCommand> command)
    {
        _clock.Now += TimeSpan.FromSeconds(5);
        return (await _writer.WriteAsync(caller, command(Guid.NewGuid()))).Seq;
    }

    /// <summary>A small session: two prompts, answers, notes with tags, a reaction, a message.</summary>
    private async Task<Room> RunAsync(Guid studyId, string title = "Round 1")
    {
        var r = CreateRoom(studyId, title);
        var (q1, q2) = (r.Session.Prompts[0].Id, r.Session.Prompts[1].Id);
        await Write(r.F, id => new StartSession(id));
        await Write(r.F, id => new ShowPrompt(id, q1));
        await Write(r.P1, id => new GiveAnswer(id, q1, new AnswerInput(Text: "A spreadsheet and sticky notes")));
        await Write(r.P2, id => new GiveAnswer(id, q1, new AnswerInput(Text: "Nothing, the price is too high")));
        await Write(r.O, id => new AddNote(id, "P2 hesitates over the pricing page", ["confused"], r.P2.MemberId));
        await Write(r.P1, id => new React(id, "delight"));
        await Write(r.F, id => new ShowPrompt(id, q2));
        await Write(r.P1, id => new GiveAnswer(id, q2, new AnswerInput(Text: "Cheaper plans for small teams")));
        await Write(r.O, id => new AddNote(id, "Both mention price; a theme?", ["confused", "delight"], null));
        await Write(r.O, id => new MessageBackroom(id, "Ask P1 about team size"));
        return r;
    }

    private static TimelineFilter Check(TimelineFilter f) => TimelineRules.Check(f);

    [Fact]
    public async Task Page_NoFilter_IsEveryEventInSeqOrder_WithCodesTagsAndTimes()
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var r = await RunAsync(study.Id);

        var page = _timeline.Page(r.Session.Id, new TimelineFilter(), 0, 100);

        Assert.Equal(Enumerable.Range(1, page.Events.Count).Select(i => (long)i), page.Events.Select(e => e.Seq));
        Assert.Null(page.NextAfter);
        Assert.Contains(page.Events, e => e.Type == EventTypes.Answer);
        Assert.Contains(page.Events, e => e.Type == EventTypes.BackroomMessage);
        var note = page.Events.Single(e => e.Text == "Both mention price; a theme?");
        Assert.Equal(["confused", "delight"], note.Tags);
        Assert.Equal(r.O.Code, note.ActorCode);
        Assert.True(page.Events.Zip(page.Events.Skip(1)).All(p => p.First.AtMs < p.Second.AtMs));
    }

    [Fact]
    public async Task Page_KeysetPaging_WalksTheWholeTimelineOnceWithoutGaps()
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var r = await RunAsync(study.Id);
        var all = _timeline.Page(r.Session.Id, new TimelineFilter(), 0, 500).Events.Select(e => e.Seq).ToList();

        var seen = new List<long>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = _timeline.Page(r.Session.Id, new TimelineFilter(), after, 3);
            Assert.InRange(page.Events.Count, 1, 3);
            seen.AddRange(page.Events.Select(e => e.Seq));
            pages++;
            if (page.NextAfter is not { } next)
            {
                break;
            }
            Assert.Equal(page.Events[^1].Seq, next);
            after = next;
        }

        Assert.Equal(all, seen);
        Assert.Equal((all.Count + 2) / 3, pages);
    }

    [Fact]
    public async Task Page_Filters_CombineWithAnd()
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var r = await RunAsync(study.Id);
        var (q1, q2) = (r.Session.Prompts[0].Id, r.Session.Prompts[1].Id);
        IReadOnlyList<SessionEvent> Get(TimelineFilter f) => _timeline.Page(r.Session.Id, Check(f), 0, 100).Events;

        Assert.Equal(2, Get(new TimelineFilter(Types: [EventTypes.Note])).Count);
        Assert.Equal(5, Get(new TimelineFilter(Types: [EventTypes.Note, EventTypes.Answer])).Count);
        Assert.Equal(2, Get(new TimelineFilter(Tag: "CONFUSED")).Count);
        Assert.Equal(["delight", "delight"], Get(new TimelineFilter(Tag: "delight")).Select(e => e.Tags.Single(t => t == "delight")));
        Assert.All(Get(new TimelineFilter(PromptId: q2)), e => Assert.Equal(q2, e.PromptId));
        Assert.Equal(2, Get(new TimelineFilter(Types: [EventTypes.Answer], PromptId: q1)).Count);
        // By or about P2: P2's answer and the note about P2.
        Assert.Equal([EventTypes.Answer, EventTypes.Note], Get(new TimelineFilter(ParticipantId: r.P2.MemberId)).Select(e => e.Type));
        Assert.All(Get(new TimelineFilter(ActorId: r.O.MemberId)), e => Assert.Equal(r.O.MemberId, e.ActorId));
        Assert.Equal(3, Get(new TimelineFilter(ActorId: r.O.MemberId)).Count);
        Assert.Empty(Get(new TimelineFilter(Tag: "confused", ParticipantId: r.P1.MemberId)));
    }

    [Fact]
    public async Task Page_TextSearch_FindsNotesAnswersAndMessages_ByWordAndPrefix()
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var r = await RunAsync(study.Id);
        IReadOnlyList<string?> Texts(string q) => _timeline.Page(r.Session.Id, Check(new TimelineFilter(Text: q)), 0, 100).Events.Select(e => e.Text).ToList();

        Assert.Equal(["Nothing, the price is too high", "Both mention price; a theme?"], Texts("price"));
        Assert.Equal(["Nothing, the price is too high", "P2 hesitates over the pricing page", "Both mention price; a theme?"], Texts("pric"));
        Assert.Equal(["P2 hesitates over the pricing page"], Texts("pric page"));
        Assert.Equal(["Ask P1 about team size"], Texts("TEAM size"));
        Assert.Equal(["Cheaper plans for small teams"], Texts("\"small teams\""));
        Assert.Empty(Texts("\"teams small\""));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("price\" OR \"")]
    [InlineData("text: price")]
    [InlineData("NEAR(price theme)")]
    [InlineData("price* AND -theme ^x")]
    [InlineData("(((")]
    [InlineData("session_id:abc")]
    [InlineData("don't")]
    [InlineData("💬 prix ÉTÉ 价格")]
    public async Task TextSearch_HostileOrOddInput_NeverFailsAndFindsOnlyWhatItSays(string q)
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var r = await RunAsync(study.Id);

        TimelineFilter filter;
        try
        {
            filter = Check(new TimelineFilter(Text: q));
        }
        catch (InputException e)
        {
            // Nothing searchable is a clear input error, not a crash.
            Assert.Contains("q", e.Errors.ToDictionary().Keys);
            return;
        }
        var page = _timeline.Page(r.Session.Id, filter, 0, 100);
        var hits = _timeline.Search(study.Id, filter.Text!, 100);
        Assert.All(page.Events, e => Assert.NotNull(e.Text));
        Assert.Equal(page.Events.Count, hits.Count);
    }

    [Fact]
    public async Task Search_SpansTheStudysSessions_AndNoOtherStudy_WithMarkedSnippets()
    {
        var study = _studies.Create(new ValidStudy("Study", null));
        var round1 = await RunAsync(study.Id, "Round 1");
        _clock.Now += TimeSpan.FromHours(1);
        var round2 = await RunAsync(study.Id, "Round 2");
        var other = _studies.Create(new ValidStudy("Other", null));
        await RunAsync(other.Id, "Elsewhere");

        var hits = _timeline.Search(study.Id, "price", 100);

        Assert.Equal(4, hits.Count);
        Assert.Equal(2, hits.Count(h => h.SessionId == round1.Session.Id));
        Assert.Equal(2, hits.Count(h => h.SessionId == round2.Session.Id));
        Assert.DoesNotContain(hits, h => h.SessionTitle == "Elsewhere");
        var answer = hits.First(h => h.Type == EventTypes.Answer);
        Assert.Equal(1, answer.PromptPosition);
        Assert.Equal(round1.P2.Code, hits.First(h => h.Type == EventTypes.Answer && h.SessionId == round1.Session.Id).ActorCode);
        var runs = SearchQuery.Runs(answer.Snippet);
        Assert.Equal(["price"], runs.Where(x => x.Match).Select(x => x.Text));
        Assert.Equal("Nothing, the price is too high", string.Concat(runs.Select(x => x.Text)));
        // The event each hit names is the one with that text.
        foreach (var hit in hits)
        {
            var e = _timeline.Page(hit.SessionId, new TimelineFilter(), hit.Seq - 1, 1).Events.Single();
            Assert.Contains("price", e.Text!, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(2, _timeline.Search(study.Id, "price", 2).Count);
        Assert.Empty(_timeline.Search(study.Id, "nowhere", 10));
    }
}

public sealed class TimelineStoreTestsOnSqlite() : TimelineStoreTests(StorageProvider.Sqlite);

public sealed class TimelineStoreTestsOnPostgres() : TimelineStoreTests(StorageProvider.Postgres);
