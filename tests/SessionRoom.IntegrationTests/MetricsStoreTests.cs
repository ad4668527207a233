using SessionRoom.Data;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.IntegrationTests;

/// <summary>The study metrics read on a real SQLite file, with events written by the real event writer.</summary>
public abstract class MetricsStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ManualClock _clock = new();
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;
    private readonly MemberStore _members;
    private readonly MetricsStore _metrics;
    private readonly EventWriter _writer;

    protected MetricsStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, _clock);
        _sessions = new SessionStore(_db.Db, _clock);
        _members = new MemberStore(_db.Db, _clock);
        _metrics = new MetricsStore(_db.Db);
        _writer = new EventWriter(_db.Db, new LiveSessions(new LiveOptions()), new NoPublisher(), _clock, _ => { });
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        // The writer drains its queue and closes its connection before the files are deleted.
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _db.Dispose();
    }

    private static ValidPrompt Prompt(string kind, string text) => new(kind, text, null, null, null, null, null);

    private Session CreateSession(Guid studyId, string title, string taskText) =>
        _sessions.Create(studyId, new ValidSession(title, SessionModes.Usability, [],
        [
            Prompt(PromptKinds.Question, "What do you use today?"),
            Prompt(PromptKinds.Task, taskText),
            Prompt(PromptKinds.Seq, "How easy was that?"),
            Prompt(PromptKinds.Sus, "System Usability Scale"),
        ]))!;

    private Caller Facilitator(Guid sessionId)
    {
        var m = _members.FacilitatorMember(sessionId, "Facilitator");
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    private Caller Participant(Guid sessionId)
    {
        var m = _members.Join(_members.CreateInvite(sessionId, Roles.Participant, null).Token, null)!;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    private Task<Ack> Write(Caller caller, Func<Guid, LiveCommand> command) => _writer.WriteAsync(caller, command(Guid.NewGuid()));

    /// <summary>Starts the task for the participant, lets <paramref name="seconds"/> pass on the clock, and ends it.</summary>
    private async Task RunTask(Caller facilitator, Prompt task, Caller participant, int seconds, string outcome)
    {
        await Write(facilitator, id => new StartTask(id, task.Id, participant.MemberId));
        _clock.Now += TimeSpan.FromSeconds(seconds);
        await Write(facilitator, id => new EndTask(id, task.Id, participant.MemberId, outcome));
    }

    [Fact]
    public async Task ForStudy_ReturnsSessionsOldestFirst_WithTheirTaskSeqSusPrompts_AndOnlyTaskEndsAndAnswers()
    {
        var study = _studies.Create(new ValidStudy("Checkout", null));
        var first = CreateSession(study.Id, "Round 1", "Buy a blue mug");
        _clock.Now += TimeSpan.FromMinutes(1);
        var second = CreateSession(study.Id, "Round 2", "buy a BLUE mug");
        var other = _studies.Create(new ValidStudy("Another study", null));
        CreateSession(other.Id, "Elsewhere", "Buy a blue mug");

        var f1 = Facilitator(first.Id);
        var (p1, p2) = (Participant(first.Id), Participant(first.Id));
        await Write(f1, id => new StartSession(id));
        await Write(p1, id => new GiveAnswer(id, first.Prompts[0].Id, new AnswerInput(Text: "Spreadsheets")));
        await RunTask(f1, first.Prompts[1], p1, 40, "fail");
        await RunTask(f1, first.Prompts[1], p1, 30, "success"); // a re-run: this one counts
        await RunTask(f1, first.Prompts[1], p2, 90, "gave-up");
        await Write(f1, id => new AddNote(id, "Hesitated at checkout", [], p1.MemberId));
        await Write(p1, id => new GiveAnswer(id, first.Prompts[2].Id, new AnswerInput(Rating: 6)));
        await Write(p1, id => new GiveAnswer(id, first.Prompts[3].Id, new AnswerInput(Items: [4, 2, 4, 2, 4, 2, 4, 2, 4, 2])));

        var f2 = Facilitator(second.Id);
        var p3 = Participant(second.Id);
        await Write(f2, id => new StartSession(id));
        await RunTask(f2, second.Prompts[1], p3, 50, "success");
        await Write(p3, id => new GiveAnswer(id, second.Prompts[2].Id, new AnswerInput(Rating: 4)));

        var read = _metrics.ForStudy(study.Id);

        Assert.Equal([first.Id, second.Id], read.Select(s => s.SessionId));
        Assert.All(read, s => Assert.Equal([PromptKinds.Task, PromptKinds.Seq, PromptKinds.Sus], s.Prompts.Select(p => p.Kind)));
        Assert.Equal(first.Prompts.Skip(1).Select(p => p.Id), read[0].Prompts.Select(p => p.Id));
        Assert.Equal(
            [EventTypes.TaskEnded, EventTypes.TaskEnded, EventTypes.TaskEnded, EventTypes.Answer, EventTypes.Answer],
            read[0].Events.Select(e => e.Type));
        Assert.All(read.SelectMany(s => s.Events), e => Assert.NotEqual(first.Prompts[0].Id, e.PromptId));
        Assert.True(read[0].Events.Zip(read[0].Events.Skip(1)).All(pair => pair.First.Seq < pair.Second.Seq));

        // Pooled: p1's last outcome (success, 30 s), p2 gave up, p3 succeeded in 50 s; SEQ 6 and 4; one SUS of 75.
        var metrics = StudyMetrics.Compute(read);
        var task = Assert.Single(metrics.Tasks);
        Assert.Equal("Buy a blue mug", task.Text);
        Assert.Equal((2, 3), (task.Completion!.Successes, task.Completion.Attempts));
        Assert.Equal(Math.Sqrt(30 * 50), task.Time!.GeometricMean, 6);
        Assert.Equal(5, Assert.Single(task.Seqs).Mean!.Mean, 9);
        var sus = Assert.Single(metrics.Sus);
        Assert.Equal(2, sus.SessionCount);
        Assert.Equal(75, sus.Result!.Mean, 9);
    }

    [Fact]
    public void ForStudy_NoSessionsOrUnknownStudy_IsEmpty()
    {
        var study = _studies.Create(new ValidStudy("Empty", null));

        Assert.Empty(_metrics.ForStudy(study.Id));
        Assert.Empty(_metrics.ForStudy(Guid.NewGuid()));
    }
}

public sealed class MetricsStoreTestsOnSqlite() : MetricsStoreTests(StorageProvider.Sqlite);

public sealed class MetricsStoreTestsOnPostgres() : MetricsStoreTests(StorageProvider.Postgres);
