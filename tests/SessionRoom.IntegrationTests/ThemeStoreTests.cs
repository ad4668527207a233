using SessionRoom.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.IntegrationTests;

/// <summary>The affinity board on a real SQLite file, with notes and answers written by the real event writer.</summary>
public abstract class ThemeStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ManualClock _clock = new();
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;
    private readonly MemberStore _members;
    private readonly ThemeStore _themes;
    private readonly WithdrawalStore _withdrawals;
    private readonly EventWriter _writer;

    protected ThemeStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, _clock);
        _sessions = new SessionStore(_db.Db, _clock);
        _members = new MemberStore(_db.Db, _clock);
        _themes = new ThemeStore(_db.Db, _clock);
        _withdrawals = new WithdrawalStore(_db.Db, _clock);
        _writer = new EventWriter(_db.Db, new LiveSessions(new LiveOptions()), new NoPublisher(), _clock, _ => { });
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _db.Dispose();
    }

    /// <summary>A run session: the seqs of its cards by text, and of the events that cannot be cards.</summary>
    private sealed record Run(Session Session, Caller F, Caller O, Caller P1, Caller P2, Dictionary<string, CardKey> Cards, CardKey Reaction, CardKey PollAnswer, CardKey Message, CardKey Started)
    {
        public CardKey this[string text] => Cards[text];
    }

    private Caller Join(Guid sessionId, string role)
    {
        var m = _members.Join(_members.CreateInvite(sessionId, role, "Name " + role).Token, null)!;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    private async Task<CardKey> Write(Caller caller, Func<Guid, LiveCommand> command)
    {
        _clock.Now += TimeSpan.FromSeconds(4);
        return new CardKey(caller.SessionId, (await _writer.WriteAsync(caller, command(Guid.NewGuid()))).Seq);
    }

    /// <summary>
    /// A session of the study: two answers and two notes (one about P2, tagged) per session, plus a reaction, a poll answer
    /// and a backroom message, which are never cards. <paramref name="prefix"/> keeps texts apart between sessions.
    /// </summary>
    private async Task<Run> RunAsync(Guid studyId, string title, string prefix = "", bool end = false)
    {
        _clock.Now += TimeSpan.FromMinutes(1);
        var session = _sessions.Create(studyId, new ValidSession(title, SessionModes.FocusGroup, ["pricing", "delight"],
        [
            new ValidPrompt(PromptKinds.Question, "What do you pay for today?", null, null, null, null, null),
            new ValidPrompt(PromptKinds.Poll, "Which plan?", ["Free", "Pro"], false, null, null, null),
        ]))!;
        var fm = _members.FacilitatorMember(session.Id, "Facilitator");
        var f = new Caller(fm.MemberId, session.Id, fm.Role, fm.Code, fm.DisplayName);
        var (o, p1, p2) = (Join(session.Id, Roles.Observer), Join(session.Id, Roles.Participant), Join(session.Id, Roles.Participant));
        var (question, poll) = (session.Prompts[0].Id, session.Prompts[1].Id);
        var cards = new Dictionary<string, CardKey>();
        var started = await Write(f, id => new StartSession(id));
        await Write(f, id => new ShowPrompt(id, question));
        cards[prefix + "answer p1"] = await Write(p1, id => new GiveAnswer(id, question, new AnswerInput(Text: prefix + "answer p1")));
        cards[prefix + "answer p2"] = await Write(p2, id => new GiveAnswer(id, question, new AnswerInput(Text: prefix + "answer p2")));
        cards[prefix + "note about p2"] = await Write(o, id => new AddNote(id, prefix + "note about p2", ["pricing"], p2.MemberId));
        var reaction = await Write(p1, id => new React(id, "delight"));
        await Write(f, id => new ShowPrompt(id, poll));
        var pollAnswer = await Write(p1, id => new GiveAnswer(id, poll, new AnswerInput(Choices: [1])));
        cards[prefix + "general note"] = await Write(o, id => new AddNote(id, prefix + "general note", [], null));
        var message = await Write(o, id => new MessageBackroom(id, prefix + "message to the facilitator"));
        if (end)
        {
            await Write(f, id => new EndSession(id));
        }
        return new Run(session, f, o, p1, p2, cards, reaction, pollAnswer, message, started);
    }

    private Study NewStudy(string name = "Study") => _studies.Create(new ValidStudy(name, null));

    private static List<string> Texts(BoardTheme theme) => theme.Cards.Select(c => c.Text).ToList();

    private ThemeBoard Board(Guid studyId) => _themes.Board(studyId)!;

    [Fact]
    public async Task Board_PoolHasEveryNoteAndAnswerWithText_NewestSessionFirst_WithSourceCodesPromptAndTags()
    {
        var study = NewStudy();
        var first = await RunAsync(study.Id, "Round 1", "r1 ");
        var second = await RunAsync(study.Id, "Round 2", "r2 ");

        var board = Board(study.Id);

        Assert.Empty(board.Themes);
        Assert.Equal(
            ["r2 answer p1", "r2 answer p2", "r2 note about p2", "r2 general note", "r1 answer p1", "r1 answer p2", "r1 note about p2", "r1 general note"],
            board.Pool.Select(c => c.Text));
        Assert.Equal(8, board.PoolTotal);
        Assert.Equal(0, board.PoolHidden);
        var note = board.Pool.Single(c => c.Text == "r1 note about p2");
        Assert.Equal((first.Session.Id, "Round 1", first["r1 note about p2"].Seq, EventTypes.Note), (note.SessionId, note.SessionTitle, note.Seq, note.Type));
        Assert.Equal((first.O.Code, first.P2.Code, first.P2.Code), (note.ActorCode, note.ParticipantCode, note.AboutCode));
        Assert.Equal((1, "What do you pay for today?"), (note.PromptPosition, note.PromptText));
        Assert.Equal(["pricing"], note.Tags);
        Assert.True(note.AtMs > 0);
        var answer = board.Pool.Single(c => c.Text == "r2 answer p2");
        Assert.Equal((EventTypes.Answer, second.P2.Code, (string?)null), (answer.Type, answer.ActorCode, answer.AboutCode));
        var general = board.Pool.Single(c => c.Text == "r2 general note");
        Assert.Equal(2, general.PromptPosition);
        Assert.Empty(general.Tags);
    }

    [Fact]
    public async Task Board_IsCapped_AndCountsTheRest_AndAnotherStudysNotesAreNotOnIt()
    {
        var study = NewStudy();
        await RunAsync(study.Id, "Round 1", "a ");
        var other = NewStudy("Other");
        await RunAsync(other.Id, "Elsewhere", "elsewhere ");

        var board = _themes.Board(study.Id, poolLimit: 3)!;

        Assert.Equal(3, board.Pool.Count);
        Assert.Equal(4, board.PoolTotal);
        Assert.Equal(1, board.PoolHidden);
        Assert.DoesNotContain(Board(study.Id).Pool, c => c.Text.StartsWith("elsewhere", StringComparison.Ordinal));
        Assert.Null(_themes.Board(Guid.NewGuid()));
        Assert.Throws<NotFoundException>(() => _themes.Pool(Guid.NewGuid()));
    }

    [Fact]
    public async Task CreateTheme_TrimsTheName_AppendsAtTheEnd_AndNamesAreUniqueIgnoringCase()
    {
        var study = NewStudy();
        await RunAsync(study.Id, "Round 1");

        var pricing = _themes.CreateTheme(study.Id, "  Pricing  ");
        var trust = _themes.CreateTheme(study.Id, "Trust");

        Assert.Equal(("Pricing", 1), (pricing.Name, pricing.Position));
        Assert.Equal(2, trust.Position);
        Assert.Empty(pricing.Cards);
        var clash = Assert.Throws<ConflictException>(() => _themes.CreateTheme(study.Id, "PRICING"));
        Assert.Contains("\"Pricing\"", clash.Message, StringComparison.Ordinal);
        // Case is ignored beyond ASCII too.
        _themes.CreateTheme(study.Id, "ÉCLAIR");
        Assert.Throws<ConflictException>(() => _themes.CreateTheme(study.Id, "éclair"));
        // The same name in another study is fine.
        Assert.Equal("pricing", _themes.CreateTheme(NewStudy("Other").Id, "pricing").Name);
        Assert.Equal(["Pricing", "Trust", "ÉCLAIR"], Board(study.Id).Themes.Select(t => t.Name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("tab\there")]
    [InlineData("line\nbreak")]
    public void CreateTheme_BadName_IsRefusedForTheNameField(string? name)
    {
        var study = NewStudy();
        var e = Assert.Throws<InputException>(() => _themes.CreateTheme(study.Id, name));
        Assert.NotEmpty(e.Errors.For("name"));
        Assert.Empty(Board(study.Id).Themes);
    }

    /// <summary>Two people creating themes at once: each name once (the second is told it is taken), and no two at one position.</summary>
    [Fact]
    public async Task CreateTheme_ManyAtOnce_NamesStayUniqueAndPositionsDistinct()
    {
        var study = NewStudy();
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 24).Select(i => Task.Run(() =>
        {
            start.Wait();
            try
            {
                return _themes.CreateTheme(study.Id, "Theme " + (i % 12)).Name;
            }
            catch (ConflictException)
            {
                return null;
            }
        })).ToList();
        start.Set();
        var created = (await Task.WhenAll(attempts)).OfType<string>().ToList();

        Assert.Equal(12, created.Count);
        var themes = Board(study.Id).Themes;
        Assert.Equal(created.Order(), themes.Select(t => t.Name).Order());
        Assert.Equal(Enumerable.Range(1, 12), themes.Select(t => t.Position).Order());
    }

    [Fact]
    public void CreateTheme_NameLimitIs80_AndTheStudyMustExist()
    {
        var study = NewStudy();
        Assert.Equal(80, _themes.CreateTheme(study.Id, new string('x', 80)).Name.Length);
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.CreateTheme(study.Id, new string('y', 81))).Errors.For("name"));
        Assert.Throws<NotFoundException>(() => _themes.CreateTheme(Guid.NewGuid(), "Anything"));
    }

    [Fact]
    public async Task Rename_ChecksAndKeepsNamesUnique_ItsOwnNameInAnotherCaseIsFine()
    {
        var study = NewStudy();
        await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "Pricing");
        var b = _themes.CreateTheme(study.Id, "Trust");

        Assert.Equal("pricing", _themes.Rename(study.Id, a.Id, " pricing ").Name);
        Assert.Throws<ConflictException>(() => _themes.Rename(study.Id, b.Id, "PRICING"));
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.Rename(study.Id, b.Id, "")).Errors.For("name"));
        Assert.Throws<NotFoundException>(() => _themes.Rename(study.Id, Guid.NewGuid(), "New"));
        // A theme is found only through its own study.
        Assert.Throws<NotFoundException>(() => _themes.Rename(NewStudy("Other").Id, a.Id, "New"));
        Assert.Equal(["pricing", "Trust"], Board(study.Id).Themes.Select(t => t.Name));
    }

    [Fact]
    public async Task MoveCard_IntoAThemeAtAPosition_ReordersWithin_MovesBetween_AndBackToThePool()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        var b = _themes.CreateTheme(study.Id, "B");

        _themes.MoveCard(study.Id, r["answer p1"], a.Id);
        _themes.MoveCard(study.Id, r["answer p2"], a.Id);
        var atTop = _themes.MoveCard(study.Id, r["general note"], a.Id, position: 1)!;
        Assert.Equal(["general note", "answer p1", "answer p2"], Texts(atTop));

        // Within the theme: to the end, then to the middle.
        Assert.Equal(["answer p1", "answer p2", "general note"], Texts(_themes.MoveCard(study.Id, r["general note"], a.Id, position: 3)!));
        Assert.Equal(["answer p1", "general note", "answer p2"], Texts(_themes.MoveCard(study.Id, r["general note"], a.Id, position: 2)!));

        // To another theme: it leaves the first (a card is in at most one theme), whose positions close up.
        Assert.Equal(["general note"], Texts(_themes.MoveCard(study.Id, r["general note"], b.Id)!));
        var board = Board(study.Id);
        Assert.Equal(["answer p1", "answer p2"], Texts(board.Themes[0]));
        Assert.Equal(["general note"], Texts(board.Themes[1]));
        Assert.Equal(["note about p2"], board.Pool.Select(c => c.Text));
        Assert.Equal(1, board.PoolTotal);
        using (var c = _db.Db.Open())
        {
            Assert.Equal([1L, 2L], c.Query<long>("SELECT position FROM theme_cards WHERE theme_id = @Id ORDER BY position", new { a.Id }));
        }

        // Back to the pool: the pool has it again, the theme closes up.
        Assert.Null(_themes.MoveCard(study.Id, r["answer p1"], themeId: null));
        board = Board(study.Id);
        Assert.Equal(["answer p2"], Texts(board.Themes[0]));
        Assert.Equal(["answer p1", "note about p2"], board.Pool.Select(c => c.Text));
        // Returning a card that is already unsorted changes nothing.
        Assert.Null(_themes.MoveCard(study.Id, r["answer p1"], themeId: null));
        Assert.Equal(2, Board(study.Id).PoolTotal);
    }

    [Fact]
    public async Task MoveCard_PositionOutOfRange_IsRefused_AndNothingChanges()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        _themes.MoveCard(study.Id, r["answer p1"], a.Id);

        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.MoveCard(study.Id, r["answer p2"], a.Id, position: 3)).Errors.For("position"));
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.MoveCard(study.Id, r["answer p2"], a.Id, position: 0)).Errors.For("position"));
        // Moving the only card within its theme: position 1 is the only one.
        Assert.Throws<InputException>(() => _themes.MoveCard(study.Id, r["answer p1"], a.Id, position: 2));

        Assert.Equal(["answer p1"], Texts(Board(study.Id).Themes[0]));
    }

    [Fact]
    public async Task MoveCard_OnlyNotesAndAnswersWithText_OfThisStudy()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var other = NewStudy("Other");
        var elsewhere = await RunAsync(other.Id, "Elsewhere", "elsewhere ");
        var a = _themes.CreateTheme(study.Id, "A");

        foreach (var notACard in new[] { r.Reaction, r.PollAnswer, r.Message, r.Started })
        {
            var e = Assert.Throws<InputException>(() => _themes.MoveCard(study.Id, notACard, a.Id));
            Assert.Contains("Only notes and answers with text", e.Errors.For("seq").Single(), StringComparison.Ordinal);
        }
        // Another study's note, an unknown seq, an unknown session: not found in this study.
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(study.Id, elsewhere["elsewhere general note"], a.Id));
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(study.Id, r["general note"] with { Seq = 999 }, a.Id));
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(study.Id, new CardKey(Guid.NewGuid(), 1), a.Id));
        // A theme of another study.
        var theirs = _themes.CreateTheme(other.Id, "Theirs");
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(study.Id, r["general note"], theirs.Id));
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(other.Id, r["general note"], theirs.Id));

        Assert.Empty(Board(study.Id).Themes[0].Cards);
        Assert.Empty(Board(other.Id).Themes[0].Cards);
    }

    [Fact]
    public async Task ACardIsInAtMostOneTheme_EvenWrittenStraightToTheTable()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        var b = _themes.CreateTheme(study.Id, "B");
        _themes.MoveCard(study.Id, r["general note"], a.Id);

        using var c = _db.Db.Open();
        var e = Assert.ThrowsAny<System.Data.Common.DbException>(() => c.Execute(
            "INSERT INTO theme_cards (theme_id, session_id, seq, position) VALUES (@theme, @SessionId, @Seq, 2)",
            new { theme = b.Id, r["general note"].SessionId, r["general note"].Seq }));
        Assert.Contains("unique", e.Message, StringComparison.OrdinalIgnoreCase);
        // And a card must be an event.
        Assert.ThrowsAny<System.Data.Common.DbException>(() => c.Execute(
            "INSERT INTO theme_cards (theme_id, session_id, seq, position) VALUES (@theme, @SessionId, 999, 1)",
            new { theme = b.Id, r["general note"].SessionId }));
    }

    [Fact]
    public async Task Merge_AppendsTheCardsInOrder_AndDeletesTheOtherTheme()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        var b = _themes.CreateTheme(study.Id, "B");
        var c = _themes.CreateTheme(study.Id, "C");
        _themes.MoveCard(study.Id, r["answer p1"], a.Id);
        _themes.MoveCard(study.Id, r["answer p2"], b.Id);
        _themes.MoveCard(study.Id, r["general note"], b.Id, position: 1);

        var merged = _themes.Merge(study.Id, b.Id, a.Id);

        Assert.Equal(["answer p1", "general note", "answer p2"], Texts(merged));
        var board = Board(study.Id);
        Assert.Equal(["A", "C"], board.Themes.Select(t => t.Name));
        Assert.Equal([1, 2], board.Themes.Select(t => t.Position));
        Assert.Throws<NotFoundException>(() => _themes.Theme(study.Id, b.Id));
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.Merge(study.Id, a.Id, a.Id)).Errors.For("into"));
        Assert.Throws<NotFoundException>(() => _themes.Merge(study.Id, a.Id, Guid.NewGuid()));
        Assert.Throws<NotFoundException>(() => _themes.Merge(study.Id, a.Id, _themes.CreateTheme(NewStudy("Other").Id, "X").Id));
        Assert.Equal(3, _themes.Theme(study.Id, a.Id).Cards.Count);
        Assert.Empty(_themes.Theme(study.Id, c.Id).Cards);
    }

    [Fact]
    public async Task Delete_ReturnsTheCardsToThePool_AndClosesUpThePositions()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        var b = _themes.CreateTheme(study.Id, "B");
        var c = _themes.CreateTheme(study.Id, "C");
        _themes.MoveCard(study.Id, r["answer p1"], a.Id);
        _themes.MoveCard(study.Id, r["general note"], a.Id);

        _themes.Delete(study.Id, a.Id);

        var board = Board(study.Id);
        Assert.Equal([(b.Id, 1), (c.Id, 2)], board.Themes.Select(t => (t.Id, t.Position)));
        Assert.Equal(4, board.PoolTotal);
        Assert.Contains(board.Pool, x => x.Text == "answer p1");
        Assert.Throws<NotFoundException>(() => _themes.Delete(study.Id, a.Id));
        // The events themselves are untouched.
        using var connection = _db.Db.Open();
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM theme_cards"));
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE text = 'answer p1'"));
    }

    [Fact]
    public async Task MoveTheme_Reorders_AndChecksThePosition()
    {
        var study = NewStudy();
        await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        var b = _themes.CreateTheme(study.Id, "B");
        var c = _themes.CreateTheme(study.Id, "C");

        Assert.Equal([c.Id, a.Id, b.Id], _themes.MoveTheme(study.Id, c.Id, 1));
        Assert.Equal([c.Id, b.Id, a.Id], _themes.MoveTheme(study.Id, a.Id, 3));
        Assert.Equal(["C", "B", "A"], Board(study.Id).Themes.Select(t => t.Name));
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.MoveTheme(study.Id, a.Id, 4)).Errors.For("position"));
        Assert.NotEmpty(Assert.Throws<InputException>(() => _themes.MoveTheme(study.Id, a.Id, null)).Errors.For("position"));
    }

    [Fact]
    public async Task Themes_SpanTheStudysSessions()
    {
        var study = NewStudy();
        var first = await RunAsync(study.Id, "Round 1", "r1 ");
        var second = await RunAsync(study.Id, "Round 2", "r2 ");
        var pricing = _themes.CreateTheme(study.Id, "Pricing");

        _themes.MoveCard(study.Id, first["r1 note about p2"], pricing.Id);
        var theme = _themes.MoveCard(study.Id, second["r2 answer p1"], pricing.Id)!;

        Assert.Equal([("Round 1", "r1 note about p2"), ("Round 2", "r2 answer p1")], theme.Cards.Select(c => (c.SessionTitle, c.Text)));
        Assert.Equal(["pricing"], theme.Cards[0].Tags);
        Assert.Equal(6, Board(study.Id).PoolTotal);
    }

    [Fact]
    public async Task CreateTheme_WithCards_TakesThoseStillUnsorted_InTheirOrder()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var taken = _themes.CreateTheme(study.Id, "Taken", [r["answer p2"]]);

        var theme = _themes.CreateTheme(study.Id, "From a suggestion", [r["general note"], r["answer p2"], r["answer p1"], r["general note"]]);

        Assert.Equal(["general note", "answer p1"], Texts(theme));
        Assert.Equal(["answer p2"], Texts(_themes.Theme(study.Id, taken.Id)));
        Assert.Throws<InputException>(() => _themes.CreateTheme(study.Id, "Bad", [r.Reaction]));
        Assert.DoesNotContain(Board(study.Id).Themes, t => t.Name == "Bad");
    }

    [Fact]
    public async Task WithdrawingAParticipant_DeletesTheirCardsFromThemes_AndNothingElse()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1", end: true);
        var a = _themes.CreateTheme(study.Id, "A");
        _themes.MoveCard(study.Id, r["answer p2"], a.Id);
        _themes.MoveCard(study.Id, r["general note"], a.Id);
        _themes.MoveCard(study.Id, r["note about p2"], a.Id);
        _themes.MoveCard(study.Id, r["answer p1"], a.Id);

        var withdrawal = _withdrawals.Withdraw(r.Session.Id, r.P2.MemberId);

        Assert.True(withdrawal.EventsDeleted >= 2);
        var board = Board(study.Id);
        Assert.Equal(["general note", "answer p1"], Texts(board.Themes.Single()));
        Assert.Empty(board.Pool);
        using (var c = _db.Db.Open())
        {
            Assert.Equal(0, c.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM theme_cards tc WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = tc.session_id AND e.seq = tc.seq)"));
            Assert.Equal(2, c.ExecuteScalar<long>("SELECT COUNT(*) FROM theme_cards"));
        }
        // The next change closes up the gaps the deleted cards left.
        var after = _themes.MoveCard(study.Id, r["answer p1"], a.Id, position: 1)!;
        Assert.Equal(["answer p1", "general note"], Texts(after));
        Assert.Throws<NotFoundException>(() => _themes.MoveCard(study.Id, r["answer p2"], a.Id));
    }

    [Fact]
    public async Task DeletingTheStudy_DeletesItsThemes()
    {
        var study = NewStudy();
        var r = await RunAsync(study.Id, "Round 1");
        var a = _themes.CreateTheme(study.Id, "A");
        _themes.MoveCard(study.Id, r["general note"], a.Id);

        Assert.True(_studies.Delete(study.Id));

        using var c = _db.Db.Open();
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM themes"));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM theme_cards"));
    }

    [Fact]
    public async Task Suggestions_FromThePool_GroupAlikeCards_NameThemFromTopTerms_AndAreDeterministic()
    {
        var study = NewStudy();
        var session = _sessions.Create(study.Id, new ValidSession("Notes", SessionModes.FocusGroup, [], []))!;
        var fm = _members.FacilitatorMember(session.Id, "Facilitator");
        var f = new Caller(fm.MemberId, session.Id, fm.Role, fm.Code, fm.DisplayName);
        await Write(f, id => new StartSession(id));
        string[] texts =
        [
            "The monthly price is too expensive",
            "The annual price is too expensive",
            "Expensive price, would pay less",
            "Could not find the export button",
            "The export button is hidden in the menu",
            "Export button should be on the toolbar",
            "Loves the colours",
        ];
        foreach (var text in texts)
        {
            await Write(f, id => new AddNote(id, text, [], null));
        }
        _themes.CreateTheme(study.Id, "Price, expensive");

        var pool = _themes.Pool(study.Id);
        var suggestions = ThemeRules.Suggest(pool, ThemeSuggestions.DefaultThreshold, Board(study.Id).Themes.Select(t => t.Name));

        Assert.Equal(2, suggestions.Count);
        Assert.All(suggestions, s => Assert.Equal(3, s.Count));
        var price = suggestions.Single(s => s.Cards.Any(c => c.Text.Contains("monthly", StringComparison.Ordinal)));
        Assert.All(price.Cards, c => Assert.Contains("price", c.Text, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("price", price.TopTerms);
        Assert.Contains("expensive", price.TopTerms);
        // Named from its top terms, unlike the theme that already has that name.
        Assert.StartsWith(char.ToUpperInvariant(price.TopTerms[0][0]) + price.TopTerms[0][1..], price.Name, StringComparison.Ordinal);
        Assert.NotEqual("Price, expensive", price.Name, StringComparer.OrdinalIgnoreCase);
        var again = ThemeRules.Suggest(_themes.Pool(study.Id), ThemeSuggestions.DefaultThreshold, Board(study.Id).Themes.Select(t => t.Name));
        Assert.Equal(suggestions.Select(s => (s.Name, string.Join("|", s.Cards.Select(c => c.Key)))), again.Select(s => (s.Name, string.Join("|", s.Cards.Select(c => c.Key)))));

        // Making the theme takes the cards out of the pool.
        var made = _themes.CreateTheme(study.Id, price.Name, price.Cards.Select(c => c.Key).ToList());
        Assert.Equal(3, made.Cards.Count);
        Assert.Single(ThemeRules.Suggest(_themes.Pool(study.Id), ThemeSuggestions.DefaultThreshold, []));
    }
}

public sealed class ThemeStoreTestsOnSqlite() : ThemeStoreTests(StorageProvider.Sqlite);

public sealed class ThemeStoreTestsOnPostgres() : ThemeStoreTests(StorageProvider.Postgres);
