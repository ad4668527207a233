using SessionRoom.Data;
using Dapper;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.IntegrationTests;

public abstract class SessionStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;
    private readonly Guid _studyId;

    protected SessionStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, TimeProvider.System);
        _sessions = new SessionStore(_db.Db, TimeProvider.System);
        _studyId = _studies.Create(
            new ValidStudy("Study", null),
            [new CodebookTag("confused", "#E53935", 1), new CodebookTag("delight", "#43A047", 2), new CodebookTag("pricing", "#FB8C00", null)]).Id;
    }

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ValidPrompt Question(string text) => new(PromptKinds.Question, text, null, null, null, null, null);

    private Session CreateWithQuestions(params string[] texts) =>
        _sessions.Create(_studyId, new ValidSession("Guide", SessionModes.FocusGroup, [], texts.Select(Question).ToList()))!;

    [Fact]
    public void Create_AllSevenKinds_ReadsBackEveryField()
    {
        var input = new ValidSession(
            "Checkout test, round 1",
            SessionModes.Usability,
            ["confused", "delight"],
            [
                new ValidPrompt(PromptKinds.Question, "What do you use today?", null, null, null, null, null),
                new ValidPrompt(PromptKinds.Poll, "Which plan?", ["Free", "Pro", "Team"], true, null, null, null),
                new ValidPrompt(PromptKinds.Rating, "How likely...", null, null, 10, null, null),
                new ValidPrompt(PromptKinds.Task, "Buy a blue mug", null, null, null, "Order confirmation shown", null),
                new ValidPrompt(PromptKinds.Stimulus, "New landing page", null, null, null, null, "https://example.test/a.png"),
                new ValidPrompt(PromptKinds.Seq, "Overall, how easy was that task?", null, null, null, null, null),
                new ValidPrompt(PromptKinds.Sus, "System Usability Scale", null, null, null, null, null),
            ]);

        var created = _sessions.Create(_studyId, input)!;
        var read = _sessions.Get(created.Id)!;

        Assert.Equal(created, read with { Tags = created.Tags, Prompts = created.Prompts });
        Assert.Equal(created.Tags, read.Tags);
        Assert.Equal(created.Prompts.Select(p => p.Id), read.Prompts.Select(p => p.Id));
        Assert.Equal(_studyId, read.StudyId);
        Assert.Equal("Checkout test, round 1", read.Title);
        Assert.Equal(SessionModes.Usability, read.Mode);
        Assert.Equal(SessionStatuses.Draft, read.Status);
        Assert.Null(read.CurrentPromptId);
        Assert.Equal(["confused", "delight"], read.Tags);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], read.Prompts.Select(p => p.Position));
        Assert.Equal(PromptKinds.All, read.Prompts.Select(p => p.Kind));
        Assert.Equal(7, read.Prompts.Select(p => p.Id).Distinct().Count());

        var question = read.Prompts[0];
        Assert.Equal("What do you use today?", question.Text);
        Assert.Null(question.Options);
        Assert.Null(question.Multiple);
        Assert.Null(question.ScaleMax);
        Assert.Null(question.SuccessCriteria);
        Assert.Null(question.Url);

        var poll = read.Prompts[1];
        Assert.Equal(["Free", "Pro", "Team"], poll.Options!);
        Assert.True(poll.Multiple);

        Assert.Equal(10, read.Prompts[2].ScaleMax);
        Assert.Equal("Order confirmation shown", read.Prompts[3].SuccessCriteria);
        Assert.Equal("https://example.test/a.png", read.Prompts[4].Url);
        Assert.Equal(Limits.SeqScale, read.Prompts[5].ScaleMax);
        Assert.Equal("System Usability Scale", read.Prompts[6].Text);
        Assert.Null(read.Prompts[6].Options);
    }

    [Fact]
    public void Create_PollSingleChoice_ReadsBackMultipleFalse()
    {
        var created = _sessions.Create(_studyId, new ValidSession("T", SessionModes.FocusGroup, [],
            [new ValidPrompt(PromptKinds.Poll, "Which?", ["A", "B"], false, null, null, null)]))!;
        Assert.False(_sessions.Get(created.Id)!.Prompts.Single().Multiple);
    }

    [Fact]
    public void Create_TagsOmitted_CopiesCodebookNamesInOrder()
    {
        var created = _sessions.Create(_studyId, new ValidSession("T", SessionModes.FocusGroup, null, []))!;

        Assert.Equal(["confused", "delight", "pricing"], _sessions.Get(created.Id)!.Tags);

        // A copy, not a live view: later codebook edits leave the session alone.
        _studies.SetCodebook(_studyId, [new CodebookTag("other", "#000000", null)]);
        Assert.Equal(["confused", "delight", "pricing"], _sessions.Get(created.Id)!.Tags);
    }

    [Fact]
    public void Create_EmptyTags_KeepsNoTags()
    {
        var created = _sessions.Create(_studyId, new ValidSession("T", SessionModes.FocusGroup, [], []))!;
        Assert.Empty(_sessions.Get(created.Id)!.Tags);
    }

    [Fact]
    public void Create_UnknownStudy_ReturnsNull()
    {
        Assert.Null(_sessions.Create(Guid.NewGuid(), new ValidSession("T", SessionModes.FocusGroup, null, [])));
    }

    [Fact]
    public void Get_UnknownSession_ReturnsNull()
    {
        Assert.Null(_sessions.Get(Guid.NewGuid()));
    }

    [Fact]
    public void ListForStudy_TwoSessions_ReturnsSummariesWithPromptCounts()
    {
        var a = CreateWithQuestions("q1", "q2");
        var b = CreateWithQuestions();

        var list = _sessions.ListForStudy(_studyId);

        Assert.Equal(2, list.Count);
        Assert.Equal(2, list.Single(s => s.Id == a.Id).PromptCount);
        Assert.Equal(0, list.Single(s => s.Id == b.Id).PromptCount);
        Assert.All(list, s => Assert.Equal(SessionStatuses.Draft, s.Status));
        Assert.Empty(_sessions.ListForStudy(Guid.NewGuid()));
    }

    [Fact]
    public void UpdateDetails_ExistingSession_ChangesTitleModeAndTags()
    {
        var session = CreateWithQuestions("q1");

        Assert.True(_sessions.UpdateDetails(session.Id, "Renamed", SessionModes.Usability, ["b", "a"]));

        var read = _sessions.Get(session.Id)!;
        Assert.Equal("Renamed", read.Title);
        Assert.Equal(SessionModes.Usability, read.Mode);
        Assert.Equal(["b", "a"], read.Tags);
        Assert.Single(read.Prompts);
    }

    [Fact]
    public void UpdateDetails_UnknownSession_ReturnsFalse()
    {
        Assert.False(_sessions.UpdateDetails(Guid.NewGuid(), "x", SessionModes.Usability, []));
    }

    [Fact]
    public void AddPrompt_ExistingGuide_AppendsAtNextPosition()
    {
        var session = CreateWithQuestions("q1", "q2");

        var added = _sessions.AddPrompt(session.Id, new ValidPrompt(PromptKinds.Rating, "Rate it", null, null, 5, null, null));

        Assert.Equal(3, added.Position);
        Assert.Equal(5, added.ScaleMax);
        var read = _sessions.Get(session.Id)!;
        Assert.Equal(["q1", "q2", "Rate it"], read.Prompts.Select(p => p.Text));
        Assert.Equal(added, read.Prompts[2]);
    }

    [Fact]
    public void AddPrompt_UnknownSession_ThrowsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _sessions.AddPrompt(Guid.NewGuid(), Question("q")));
    }

    [Fact]
    public void UpdatePrompt_ChangeKind_ReplacesEveryField()
    {
        var session = _sessions.Create(_studyId, new ValidSession("T", SessionModes.FocusGroup, [],
            [Question("q1"), new ValidPrompt(PromptKinds.Poll, "Which?", ["A", "B"], true, null, null, null)]))!;
        var poll = session.Prompts[1];

        var updated = _sessions.UpdatePrompt(session.Id, poll.Id, new ValidPrompt(PromptKinds.Task, "Do it", null, null, null, "Done", null));

        Assert.Equal(poll.Id, updated.Id);
        Assert.Equal(2, updated.Position);
        Assert.Equal(PromptKinds.Task, updated.Kind);
        Assert.Equal("Do it", updated.Text);
        Assert.Equal("Done", updated.SuccessCriteria);
        Assert.Null(updated.Options);
        Assert.Null(updated.Multiple);
        Assert.Equal(updated, _sessions.Get(session.Id)!.Prompts[1]);
    }

    [Fact]
    public void UpdatePrompt_PromptOfAnotherSession_ThrowsNotFound()
    {
        var a = CreateWithQuestions("a1");
        var b = CreateWithQuestions("b1");

        Assert.Throws<NotFoundException>(() => _sessions.UpdatePrompt(a.Id, b.Prompts[0].Id, Question("hijack")));
        Assert.Equal("b1", _sessions.Get(b.Id)!.Prompts[0].Text);
    }

    [Fact]
    public void UpdatePrompt_UnknownSession_ThrowsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _sessions.UpdatePrompt(Guid.NewGuid(), Guid.NewGuid(), Question("q")));
    }

    [Theory]
    [InlineData(1, new[] { "q3", "q1", "q2", "q4" })]
    [InlineData(2, new[] { "q1", "q3", "q2", "q4" })]
    [InlineData(3, new[] { "q1", "q2", "q3", "q4" })]
    [InlineData(4, new[] { "q1", "q2", "q4", "q3" })]
    public void MovePrompt_ToPosition_ReordersAndRenumbers(int position, string[] expected)
    {
        var session = CreateWithQuestions("q1", "q2", "q3", "q4");

        var moved = _sessions.MovePrompt(session.Id, session.Prompts[2].Id, position);

        Assert.Equal(expected, moved.Select(p => p.Text));
        Assert.Equal([1, 2, 3, 4], moved.Select(p => p.Position));
        Assert.Equal(moved, _sessions.Get(session.Id)!.Prompts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void MovePrompt_OutOfRange_ThrowsInputAndKeepsOrder(int position)
    {
        var session = CreateWithQuestions("q1", "q2", "q3");

        var e = Assert.Throws<InputException>(() => _sessions.MovePrompt(session.Id, session.Prompts[0].Id, position));

        Assert.NotEmpty(e.Errors.For("position"));
        Assert.Equal(["q1", "q2", "q3"], _sessions.Get(session.Id)!.Prompts.Select(p => p.Text));
    }

    [Fact]
    public void MovePrompt_UnknownPromptOrSession_ThrowsNotFound()
    {
        var session = CreateWithQuestions("q1");
        Assert.Throws<NotFoundException>(() => _sessions.MovePrompt(session.Id, Guid.NewGuid(), 1));
        Assert.Throws<NotFoundException>(() => _sessions.MovePrompt(Guid.NewGuid(), session.Prompts[0].Id, 1));
    }

    [Fact]
    public void DeletePrompt_Middle_ClosesTheGap()
    {
        var session = CreateWithQuestions("q1", "q2", "q3", "q4");

        _sessions.DeletePrompt(session.Id, session.Prompts[1].Id);

        var prompts = _sessions.Get(session.Id)!.Prompts;
        Assert.Equal(["q1", "q3", "q4"], prompts.Select(p => p.Text));
        Assert.Equal([1, 2, 3], prompts.Select(p => p.Position));

        // Appending after a delete continues the renumbered sequence.
        Assert.Equal(4, _sessions.AddPrompt(session.Id, Question("q5")).Position);
    }

    [Fact]
    public void DeletePrompt_AfterMove_KeepsPositionsContiguous()
    {
        var session = CreateWithQuestions("q1", "q2", "q3");
        _sessions.MovePrompt(session.Id, session.Prompts[0].Id, 3);

        _sessions.DeletePrompt(session.Id, session.Prompts[1].Id);

        var prompts = _sessions.Get(session.Id)!.Prompts;
        Assert.Equal(["q3", "q1"], prompts.Select(p => p.Text));
        Assert.Equal([1, 2], prompts.Select(p => p.Position));
    }

    [Fact]
    public void DeletePrompt_ReferencedByEvent_ThrowsConflictAndKeepsPrompt()
    {
        var session = CreateWithQuestions("q1", "q2");
        var used = session.Prompts[0];
        using (var c = _db.Db.Open())
        {
            c.Execute(
                """
                INSERT INTO events (session_id, seq, id, client_event_id, type, audience, prompt_id, at_ms, created_utc)
                VALUES (@sessionId, 1, @id, @clientEventId, 'prompt-shown', 'room', @promptId, 0, @now)
                """,
                new { sessionId = session.Id, id = Guid.NewGuid(), clientEventId = Guid.NewGuid(), promptId = used.Id, now = new DateTimeOffset(2026, 11, 23, 10, 15, 2, 120, TimeSpan.Zero) });
        }

        var e = Assert.Throws<ConflictException>(() => _sessions.DeletePrompt(session.Id, used.Id));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(2, _sessions.Get(session.Id)!.Prompts.Count);
        // An unused prompt of the same session can still go.
        _sessions.DeletePrompt(session.Id, session.Prompts[1].Id);
        Assert.Equal([used.Id], _sessions.Get(session.Id)!.Prompts.Select(p => p.Id));
    }

    [Fact]
    public void DeletePrompt_UnknownPromptOrSession_ThrowsNotFound()
    {
        var session = CreateWithQuestions("q1");
        Assert.Throws<NotFoundException>(() => _sessions.DeletePrompt(session.Id, Guid.NewGuid()));
        Assert.Throws<NotFoundException>(() => _sessions.DeletePrompt(Guid.NewGuid(), session.Prompts[0].Id));
        Assert.Single(_sessions.Get(session.Id)!.Prompts);
    }

    [Fact]
    public void EditGuide_EndedSession_ThrowsConflict()
    {
        var session = CreateWithQuestions("q1", "q2");
        using (var c = _db.Db.Open())
        {
            c.Execute("UPDATE sessions SET status = 'ended' WHERE id = @id", new { id = session.Id });
        }

        Assert.Throws<ConflictException>(() => _sessions.AddPrompt(session.Id, Question("q3")));
        Assert.Throws<ConflictException>(() => _sessions.UpdatePrompt(session.Id, session.Prompts[0].Id, Question("x")));
        Assert.Throws<ConflictException>(() => _sessions.MovePrompt(session.Id, session.Prompts[0].Id, 2));
        Assert.Throws<ConflictException>(() => _sessions.DeletePrompt(session.Id, session.Prompts[0].Id));
        Assert.Equal(["q1", "q2"], _sessions.Get(session.Id)!.Prompts.Select(p => p.Text));
    }

    [Fact]
    public void Delete_Session_RemovesItAndItsPrompts()
    {
        var session = CreateWithQuestions("q1");
        Assert.True(_sessions.Delete(session.Id));
        Assert.Null(_sessions.Get(session.Id));
        using var c = _db.Db.Open();
        Assert.Equal(0L, c.ExecuteScalar<long>("SELECT COUNT(*) FROM prompts WHERE session_id = @id", new { id = session.Id }));
        Assert.False(_sessions.Delete(session.Id));
    }
}

public sealed class SessionStoreTestsOnSqlite() : SessionStoreTests(StorageProvider.Sqlite);

public sealed class SessionStoreTestsOnPostgres() : SessionStoreTests(StorageProvider.Postgres);
