using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Who receives what: facilitator, two observers and three participants connected at once.</summary>
public sealed class HubFanOutTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task Events_ReachExactlyTheirAudience()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var observers = new List<LiveClient>();
        var participants = new List<LiveClient>();
        for (var i = 0; i < 2; i++)
        {
            observers.Add(await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer)));
        }
        for (var i = 0; i < 3; i++)
        {
            participants.Add(await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant)));
        }
        var everyone = observers.Concat(participants).Append(f).ToList();

        await f.Invoke("StartSession", Guid.NewGuid());
        var shown = await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
        var note = await observers[0].Invoke("AddNote", Guid.NewGuid(), "P1 hesitates", new[] { "confused" }, participants[0].Member.MemberId);
        var answer = await participants[0].Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "I like it"));
        var reaction = await participants[1].Invoke("React", Guid.NewGuid(), "delight");

        foreach (var client in everyone)
        {
            await client.WaitForAsync(es => es.Any(e => e.Seq == shown.Seq && e.Type == EventTypes.PromptShown), "prompt-shown");
            await client.WaitForAsync(es => es.Any(e => e.Seq == reaction.Seq), "the participant's reaction (a room event)");
        }
        foreach (var client in observers.Append(f))
        {
            await client.WaitForAsync(es => es.Any(e => e.Seq == note.Seq && e.Text == "P1 hesitates" && e.Tags.SequenceEqual(["confused"])), "the note");
            await client.WaitForAsync(es => es.Any(e => e.Seq == answer.Seq && e.Type == EventTypes.Answer), "the answer");
        }
        await Task.Delay(300);
        foreach (var participant in participants)
        {
            Assert.All(participant.Events, e => Assert.Equal(Audiences.Room, e.Audience));
            Assert.DoesNotContain(participant.Events, e => e.Seq == note.Seq || e.Seq == answer.Seq);
        }

        var shownEvent = f.Events.Single(e => e.Seq == shown.Seq);
        Assert.Equal(session.Prompts[0].Id, shownEvent.PromptId);
        Assert.Equal("What do you think?", shownEvent.Data.GetProperty("prompt").GetProperty("text").GetString());
        Assert.Equal("F1", shownEvent.ActorCode);
        var answerEvent = f.Events.Single(e => e.Seq == answer.Seq);
        Assert.Equal(participants[0].Member.MemberId, answerEvent.ParticipantId);
        Assert.Equal("I like it", answerEvent.Data.GetProperty("text").GetString());

        foreach (var client in everyone)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetState_ListsOnlineMembersToBackroomOnly_AndLastSeqOfTheCallersAudience()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        var note = await o.Invoke("MessageBackroom", Guid.NewGuid(), "Ask about pricing");

        var backroom = await f.Connection.InvokeAsync<LiveState>("GetState");
        var room = await p.Connection.InvokeAsync<LiveState>("GetState");

        Assert.Equal(SessionStatuses.Live, backroom.Session.Status);
        Assert.Equal(["F1", "O1", "P1"], backroom.Members!.Select(m => m.Code).Order().ToArray());
        Assert.Null(room.Members);
        Assert.Equal(note.Seq, backroom.LastSeq);
        Assert.True(room.LastSeq < note.Seq, "the participant's lastSeq must not count backroom events");
        var started = (await p.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L)).Single(e => e.Type == EventTypes.SessionStarted);
        Assert.Equal(started.Seq, room.LastSeq);
    }

    [Fact]
    public async Task GetState_ForAParticipant_ListsOnlyPromptsAlreadyShown()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        Assert.Empty((await p.Connection.InvokeAsync<LiveState>("GetState")).Session.Prompts);

        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[2].Id);

        var room = await p.Connection.InvokeAsync<LiveState>("GetState");
        Assert.Equal([session.Prompts[2].Id], room.Session.Prompts.Select(x => x.Id));
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[3].Id);
        await p.WaitForAsync(es => es.Any(e => e.PromptId == session.Prompts[3].Id), "the task shown");
        var task = p.Events.Single(e => e.PromptId == session.Prompts[3].Id).Data.GetProperty("prompt");
        Assert.Equal("Do it", task.GetProperty("text").GetString());
        Assert.False(task.TryGetProperty("successCriteria", out _), "success criteria must not reach the room");
        Assert.DoesNotContain((await p.Connection.InvokeAsync<LiveState>("GetState")).Session.Prompts, x => x.SuccessCriteria is not null);
        Assert.Equal(session.Prompts[2].Id, room.Session.CurrentPromptId);
        Assert.Equal(session.Prompts.Count, (await f.Connection.InvokeAsync<LiveState>("GetState")).Session.Prompts.Count);
    }

    [Fact]
    public async Task TaskWithShowCriteria_SendsTheCriteriaToTheRoom()
    {
        var session = await server.CreateSessionAsync();
        var task = session.Prompts[3];
        var update = await server.Http.PutAsJsonAsync($"/api/sessions/{session.Id}/prompts/{task.Id}",
            new { kind = "task", text = task.Text, successCriteria = "The basket shows one mug", showCriteria = true });
        update.EnsureSuccessStatusCode();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), task.Id);

        await p.WaitForAsync(es => es.Any(e => e.PromptId == task.Id), "the task shown");
        var shown = p.Events.Single(e => e.PromptId == task.Id).Data.GetProperty("prompt");
        Assert.Equal("The basket shows one mug", shown.GetProperty("successCriteria").GetString());
        Assert.True(shown.GetProperty("showCriteria").GetBoolean());
        Assert.Equal("The basket shows one mug", (await p.Connection.InvokeAsync<LiveState>("GetState")).Session.Prompts.Single().SuccessCriteria);
    }

    [Fact]
    public async Task BlindMode_ObserversSeeOnlyTheirOwnNotesUntilTheEnd_FacilitatorSeesAll()
    {
        var session = await server.CreateSessionAsync(blind: true);
        Assert.True(session.Blind);
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o1 = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var o2 = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await f.Invoke("StartSession", Guid.NewGuid());
        var mine = await o1.Invoke("AddNote", Guid.NewGuid(), "O1 thinks: confused", new[] { "confused" }, null);
        var reaction = await o1.Invoke("React", Guid.NewGuid(), "delight");
        var chat = await o1.Invoke("MessageBackroom", Guid.NewGuid(), "chat stays visible");
        var theirs = await o2.Invoke("AddNote", Guid.NewGuid(), "O2 thinks: delight", new[] { "delight" }, null);

        await f.WaitForAsync(es => es.Any(e => e.Seq == theirs.Seq) && es.Any(e => e.Seq == mine.Seq) && es.Any(e => e.Seq == reaction.Seq), "both notes");
        await o2.WaitForAsync(es => es.Any(e => e.Seq == chat.Seq) && es.Any(e => e.Seq == theirs.Seq), "the chat and its own note");
        await o1.WaitForAsync(es => es.Any(e => e.Seq == mine.Seq), "its own note");
        await Task.Delay(300);
        Assert.DoesNotContain(o2.Events, e => e.Seq == mine.Seq || e.Seq == reaction.Seq);
        Assert.DoesNotContain(o1.Events, e => e.Seq == theirs.Seq);
        var o2Since = await o2.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L);
        Assert.DoesNotContain(o2Since, e => e.Seq == mine.Seq || e.Seq == reaction.Seq);
        Assert.Contains(o2Since, e => e.Seq == chat.Seq);

        await f.Invoke("EndSession", Guid.NewGuid());
        var afterEnd = await o2.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L);
        Assert.Contains(afterEnd, e => e.Seq == mine.Seq && e.Text == "O1 thinks: confused");
        Assert.Contains(afterEnd, e => e.Seq == reaction.Seq);
    }

    [Fact]
    public async Task NotesMessagesAndReactions_AreStampedWithTheCurrentPrompt()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await f.Invoke("StartSession", Guid.NewGuid());
        var before = await o.Invoke("AddNote", Guid.NewGuid(), "before any prompt", Array.Empty<string>(), null);
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[1].Id);
        var note = await o.Invoke("AddNote", Guid.NewGuid(), "during the poll", Array.Empty<string>(), null);
        var message = await o.Invoke("MessageBackroom", Guid.NewGuid(), "ask about B");
        var reaction = await o.Invoke("React", Guid.NewGuid(), "confused");

        var events = (await server.AllEventsAsync(session.Id)).ToDictionary(e => e.Seq);
        Assert.Null(events[before.Seq].PromptId);
        Assert.All(new[] { note, message, reaction }, a => Assert.Equal(session.Prompts[1].Id, events[a.Seq].PromptId));
    }

    [Fact]
    public async Task Presence_FirstConnectionJoinsAndLastOneLeaves()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var observer = await server.MemberAsync(session.Id, Roles.Observer);
        var first = await server.ConnectAsync(observer);
        var second = await server.ConnectAsync(observer);

        await f.WaitForAsync(es => es.Any(e => e.Type == EventTypes.MemberJoined && e.Data.GetProperty("code").GetString() == "O1"), "O1 joined");
        await first.DisposeAsync();
        await Task.Delay(300);
        Assert.DoesNotContain(f.Events, e => e.Type == EventTypes.MemberLeft);
        await second.DisposeAsync();
        await f.WaitForAsync(es => es.Any(e => e.Type == EventTypes.MemberLeft && e.Data.GetProperty("role").GetString() == "observer"), "O1 left");
        Assert.Single(f.Events, e => e.Type == EventTypes.MemberJoined && e.ActorId == observer.MemberId);
    }

    [Fact]
    public async Task Revoke_DisconnectsTheMemberAndRefusesTheirToken()
    {
        var session = await server.CreateSessionAsync();
        var invite = await server.Http.PostAsync($"/api/sessions/{session.Id}/invites", System.Net.Http.Json.JsonContent.Create(new { role = "observer" }));
        var location = invite.Headers.Location!.ToString();
        var token = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<CreatedInvite>(invite.Content))!.Token;
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl) };
        var member = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Member>(
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(anonymous, "/api/join", new { token })).Content))!;
        var client = await server.ConnectAsync(member);
        var closed = new TaskCompletionSource();
        client.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        var revoke = await server.Http.DeleteAsync(location);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, revoke.StatusCode);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var again = new LiveClient(member, server.App.BaseUrl);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => again.Connection.StartAsync());
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        await again.DisposeAsync();
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    public async Task Connect_WithoutAValidToken_IsRefusedWith401(string? token)
    {
        var fake = new Member(token ?? "", Guid.NewGuid(), Guid.NewGuid(), Roles.Observer, "x", "O9");
        await using var client = new LiveClient(fake with { AccessToken = token! }, server.App.BaseUrl);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.Connection.StartAsync());
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithTheFacilitatorKeyInsteadOfAMemberToken_IsRefused()
    {
        var fake = new Member(SessionRoom.Testing.AppServer.FacilitatorKey, Guid.NewGuid(), Guid.NewGuid(), Roles.Facilitator, "x", "F9");
        await using var client = new LiveClient(fake, server.App.BaseUrl);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.Connection.StartAsync());
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionClock_AtMsCountsFromTheStart()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await f.Invoke("StartSession", Guid.NewGuid());
        await Task.Delay(400);
        var note = await f.Invoke("AddNote", Guid.NewGuid(), "later", Array.Empty<string>(), null);

        var events = await server.AllEventsAsync(session.Id);
        Assert.Equal(0, events.Single(e => e.Type == EventTypes.SessionStarted).AtMs);
        Assert.InRange(events.Single(e => e.Seq == note.Seq).AtMs, 350, 10_000);
    }
}
