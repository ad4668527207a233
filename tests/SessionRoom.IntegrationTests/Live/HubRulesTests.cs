using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Refusals (roles: HubAuthorizationMatrixTests): session state, ids of other sessions, bad values. Each says why, stores nothing, and leaves the connection usable.</summary>
public sealed class HubRulesTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task Writes_BeforeStartAndAfterEnd_AreRefused()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var early = await Assert.ThrowsAsync<HubException>(() => f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id));
        Assert.Contains("not started", early.Message, StringComparison.Ordinal);

        await f.Invoke("StartSession", Guid.NewGuid());
        var twice = await Assert.ThrowsAsync<HubException>(() => f.Invoke("StartSession", Guid.NewGuid()));
        Assert.Contains("already started", twice.Message, StringComparison.Ordinal);
        await f.Invoke("EndSession", Guid.NewGuid());

        var late = await Assert.ThrowsAsync<HubException>(() => f.Invoke("AddNote", Guid.NewGuid(), "after", Array.Empty<string>(), null));
        Assert.Contains("ended", late.Message, StringComparison.Ordinal);
        var restart = await Assert.ThrowsAsync<HubException>(() => f.Invoke("StartSession", Guid.NewGuid()));
        Assert.Contains("ended", restart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameClientEventIdTwice_StoresOneEventAndSaysDuplicate()
    {
        var (session, f, participant) = await LiveSessionAsync();
        var id = Guid.NewGuid();
        var first = await participant.Invoke("Answer", id, session.Prompts[1].Id, new AnswerInput(Choices: [2]));
        var second = await participant.Invoke("Answer", id, session.Prompts[1].Id, new AnswerInput(Choices: [2]));

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.Seq, second.Seq);
        Assert.Single(await server.AllEventsAsync(session.Id), e => e.ClientEventId == id);
        await participant.DisposeAsync();
        await f.DisposeAsync();
    }

    public static TheoryData<string, string> BadCalls() => new()
    {
        { "long-note", "limit is 4,000" },
        { "empty-note", "Text is required" },
        { "unknown-tag", "not one of this session's tags" },
        { "too-many-tags", "at most 10 tags" },
        { "unknown-prompt", "not in this session's guide" },
        { "other-sessions-prompt", "not in this session's guide" },
        { "other-sessions-participant", "participant is not in this session" },
        { "poll-choice-out-of-range", "from 0 to 2" },
        { "poll-two-choices", "takes one choice" },
        { "rating-out-of-range", "from 1 to 5" },
        { "seq-out-of-range", "from 1 to 7" },
        { "sus-nine-items", "exactly ten scores" },
        { "text-for-a-poll", "choice of options only" },
        { "null-answer", "Send an answer" },
        { "end-task-not-started", "not running" },
        { "end-task-bad-outcome", "Outcome must be one of" },
        { "task-on-a-question", "not a usability task" },
        { "pause-task-not-started", "not running" },
        { "resume-task-not-paused", "not running" },
        { "empty-client-event-id", "not the empty GUID" },
        { "negative-since", "cannot be negative" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task BadInput_IsRefusedClearly_StoresNothing_AndTheConnectionStillWorks(string call, string expected)
    {
        var (session, f, participant) = await LiveSessionAsync();
        var (other, otherF, otherParticipant) = await LiveSessionAsync();
        await using var observer = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        var before = await WritesAsync(session.Id);
        var p = participant.Member.MemberId;
        var prompts = session.Prompts;

        Func<Task> act = call switch
        {
            "long-note" => () => observer.Invoke("AddNote", Guid.NewGuid(), new string('x', 4_001), Array.Empty<string>(), null),
            "empty-note" => () => observer.Invoke("AddNote", Guid.NewGuid(), null, Array.Empty<string>(), null),
            "unknown-tag" => () => observer.Invoke("AddNote", Guid.NewGuid(), "note", new[] { "pricing" }, null),
            "too-many-tags" => () => observer.Invoke("AddNote", Guid.NewGuid(), "note", Enumerable.Repeat("confused", 11).ToArray(), null),
            "unknown-prompt" => () => f.Invoke("ShowPrompt", Guid.NewGuid(), Guid.NewGuid()),
            "other-sessions-prompt" => () => f.Invoke("ShowPrompt", Guid.NewGuid(), other.Prompts[0].Id),
            "other-sessions-participant" => () => observer.Invoke("AddNote", Guid.NewGuid(), "note", Array.Empty<string>(), otherParticipant.Member.MemberId),
            "poll-choice-out-of-range" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[1].Id, new AnswerInput(Choices: [3])),
            "poll-two-choices" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[1].Id, new AnswerInput(Choices: [0, 1])),
            "rating-out-of-range" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[2].Id, new AnswerInput(Rating: 6)),
            "seq-out-of-range" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[4].Id, new AnswerInput(Rating: 8)),
            "sus-nine-items" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[5].Id, new AnswerInput(Items: [1, 2, 3, 4, 5, 1, 2, 3, 4])),
            "text-for-a-poll" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[1].Id, new AnswerInput(Text: "A")),
            "null-answer" => () => participant.Invoke("Answer", Guid.NewGuid(), prompts[0].Id, null),
            "end-task-not-started" => () => f.Invoke("EndTask", Guid.NewGuid(), prompts[3].Id, p, "success"),
            "end-task-bad-outcome" => () => f.Invoke("EndTask", Guid.NewGuid(), prompts[3].Id, p, "great"),
            "task-on-a-question" => () => f.Invoke("StartTask", Guid.NewGuid(), prompts[0].Id, p),
            "pause-task-not-started" => () => f.Invoke("PauseTask", Guid.NewGuid(), prompts[3].Id, p),
            "resume-task-not-paused" => () => f.Invoke("ResumeTask", Guid.NewGuid(), prompts[3].Id, p),
            "empty-client-event-id" => () => observer.Invoke("MessageBackroom", Guid.Empty, "hi"),
            "negative-since" => () => observer.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", -1L),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        var refused = await Assert.ThrowsAsync<HubException>(act);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await WritesAsync(session.Id));
        var works = await observer.Invoke("MessageBackroom", Guid.NewGuid(), "still here");
        Assert.True(works.Seq > 0);
        foreach (var c in new[] { f, participant, otherF, otherParticipant })
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task MalformedArguments_AreRefusedAndTheConnectionStillWorks()
    {
        var (session, f, participant) = await LiveSessionAsync();
        await Assert.ThrowsAsync<HubException>(() => f.Connection.InvokeCoreAsync<Ack>("ShowPrompt", [Guid.NewGuid(), "not-a-guid"]));
        await Assert.ThrowsAsync<HubException>(() => f.Connection.InvokeCoreAsync<Ack>("ShowPrompt", [Guid.NewGuid()]));
        await Assert.ThrowsAsync<HubException>(() => f.Connection.InvokeCoreAsync<Ack>("NoSuchMethod", []));
        await Assert.ThrowsAsync<HubException>(() => participant.Connection.InvokeCoreAsync<Ack>("Answer", [Guid.NewGuid(), session.Prompts[2].Id, new { rating = "five" }]));

        var ok = await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
        Assert.True(ok.Seq > 0);
        await participant.DisposeAsync();
        await f.DisposeAsync();
    }

    [Fact]
    public async Task UsabilityTask_StartThenEnd_RecordsOutcomeAndDuration()
    {
        var (session, f, participant) = await LiveSessionAsync();
        var p = participant.Member.MemberId;
        await f.Invoke("StartTask", Guid.NewGuid(), session.Prompts[3].Id, p);
        var again = await Assert.ThrowsAsync<HubException>(() => f.Invoke("StartTask", Guid.NewGuid(), session.Prompts[3].Id, p));
        Assert.Contains("already running", again.Message, StringComparison.Ordinal);
        await Task.Delay(200);
        var ended = await f.Invoke("EndTask", Guid.NewGuid(), session.Prompts[3].Id, p, "partial");

        var e = (await server.AllEventsAsync(session.Id)).Single(x => x.Seq == ended.Seq);
        Assert.Equal(EventTypes.TaskEnded, e.Type);
        Assert.Equal(Audiences.Backroom, e.Audience);
        Assert.Equal("partial", e.Data.GetProperty("outcome").GetString());
        Assert.InRange(e.Data.GetProperty("durationMs").GetInt64(), 150, 10_000);
        await participant.DisposeAsync();
        await f.DisposeAsync();
    }

    [Fact]
    public async Task UsabilityTask_PausedTime_IsNotCountedAsTimeOnTask()
    {
        var (session, f, participant) = await LiveSessionAsync();
        var p = participant.Member.MemberId;
        var task = session.Prompts[3].Id;
        await f.Invoke("StartTask", Guid.NewGuid(), task, p);
        await Task.Delay(100);
        await f.Invoke("PauseTask", Guid.NewGuid(), task, p);
        var twice = await Assert.ThrowsAsync<HubException>(() => f.Invoke("PauseTask", Guid.NewGuid(), task, p));
        Assert.Contains("already paused", twice.Message, StringComparison.Ordinal);
        await Task.Delay(700);
        await f.Invoke("ResumeTask", Guid.NewGuid(), task, p);
        var notPaused = await Assert.ThrowsAsync<HubException>(() => f.Invoke("ResumeTask", Guid.NewGuid(), task, p));
        Assert.Contains("not paused", notPaused.Message, StringComparison.Ordinal);
        await Task.Delay(100);
        var ended = await f.Invoke("EndTask", Guid.NewGuid(), task, p, "success");

        var events = await server.AllEventsAsync(session.Id);
        var e = events.Single(x => x.Seq == ended.Seq);
        var started = events.Single(x => x.Type == EventTypes.TaskStarted);
        var wall = e.AtMs - started.AtMs;
        var duration = e.Data.GetProperty("durationMs").GetInt64();
        var paused = e.Data.GetProperty("pausedMs").GetInt64();
        var pausedAt = events.Single(x => x.Type == EventTypes.TaskPaused).AtMs;
        var resumedAt = events.Single(x => x.Type == EventTypes.TaskResumed).AtMs;
        // Exact on the server's own clock, however slow the machine: the pause is what lies between its two events.
        Assert.Equal(resumedAt - pausedAt, paused);
        Assert.Equal(pausedAt - started.AtMs + (e.AtMs - resumedAt), duration);
        Assert.Equal(wall, duration + paused);
        // The test slept 700 ms between the pause's acknowledgement and the resume.
        Assert.InRange(paused, 650, wall);
        Assert.Equal([EventTypes.TaskPaused, EventTypes.TaskResumed], events.Where(x => x.Type is EventTypes.TaskPaused or EventTypes.TaskResumed).Select(x => x.Type));
        Assert.All(events.Where(x => x.Type is EventTypes.TaskPaused or EventTypes.TaskResumed), x => Assert.Equal(Audiences.Backroom, x.Audience));
        await participant.DisposeAsync();
        await f.DisposeAsync();
    }

    [Fact]
    public async Task UsabilityTask_EndedWhilePaused_CountsTimeUpToThePause()
    {
        var (session, f, participant) = await LiveSessionAsync();
        var p = participant.Member.MemberId;
        var task = session.Prompts[3].Id;
        await f.Invoke("StartTask", Guid.NewGuid(), task, p);
        await Task.Delay(150);
        var pause = await f.Invoke("PauseTask", Guid.NewGuid(), task, p);
        await Task.Delay(500);
        var ended = await f.Invoke("EndTask", Guid.NewGuid(), task, p, "gave-up");

        var events = await server.AllEventsAsync(session.Id);
        var started = events.Single(x => x.Type == EventTypes.TaskStarted);
        var pausedAt = events.Single(x => x.Seq == pause.Seq);
        Assert.Equal(pausedAt.AtMs - started.AtMs, events.Single(x => x.Seq == ended.Seq).Data.GetProperty("durationMs").GetInt64());
        var notRunning = await Assert.ThrowsAsync<HubException>(() => f.Invoke("ResumeTask", Guid.NewGuid(), task, p));
        Assert.Contains("not running", notRunning.Message, StringComparison.Ordinal);
        await participant.DisposeAsync();
        await f.DisposeAsync();
    }

    /// <summary>Events made by calls; presence events are left out, as connections open and close on their own schedule.</summary>
    private async Task<int> WritesAsync(Guid sessionId) =>
        (await server.AllEventsAsync(sessionId)).Count(e => e.Type is not (EventTypes.MemberJoined or EventTypes.MemberLeft));

    private async Task<(Session Session, LiveClient Facilitator, LiveClient Participant)> LiveSessionAsync()
    {
        var session = await server.CreateSessionAsync();
        var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        return (session, f, p);
    }
}

/// <summary>The per-connection call limit, at its default of 20 calls per second.</summary>
public sealed class HubRateLimitTests : IClassFixture<HubRateLimitTests.DefaultLimitServer>
{
    private readonly DefaultLimitServer _server;

    public HubRateLimitTests(DefaultLimitServer server) => _server = server;

    public sealed class DefaultLimitServer() : LiveServer(null);

    [Fact]
    public async Task Calls_OverTwentyPerSecond_AreRefusedThenAcceptedAgain()
    {
        var session = await _server.CreateSessionAsync();
        await using var f = await _server.ConnectAsync(await _server.FacilitatorAsync(session.Id));
        await f.Invoke("StartSession", Guid.NewGuid());

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            try
            {
                await f.Invoke("MessageBackroom", Guid.NewGuid(), $"message {i}");
                return null;
            }
            catch (HubException e)
            {
                return e.Message;
            }
        }));

        var refused = results.Where(r => r is not null).ToList();
        Assert.InRange(refused.Count, 10, 30);
        Assert.All(refused, m => Assert.Contains("Too many calls", m, StringComparison.Ordinal));
        await Task.Delay(1_100);
        Assert.True((await f.Invoke("MessageBackroom", Guid.NewGuid(), "after a pause")).Seq > 0);
    }
}
