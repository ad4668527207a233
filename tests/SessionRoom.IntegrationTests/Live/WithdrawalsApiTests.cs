using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>DELETE /api/sessions/{id}/members/{memberId} on a real server: refusals, the connected participant is cut off, nothing of theirs is left.</summary>
public sealed class WithdrawalsApiTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task Withdraw_AfterTheSession_DeletesTheirEvents_ClosesTheirConnection_AndIsListed()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var (member, _) = await server.JoinAsync(session.Id, Roles.Participant);
        var p = await server.ConnectAsync(member);
        var closed = new TaskCompletionSource();
        p.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await f.Invoke("StartSession", Guid.NewGuid());
        await p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "Quixotic answer"));

        var whileLive = await server.Http.DeleteAsync($"/api/sessions/{session.Id}/members/{member.MemberId}");
        Assert.Equal(HttpStatusCode.Conflict, whileLive.StatusCode);
        Assert.Contains("End the session first", await whileLive.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await f.Invoke("EndSession", Guid.NewGuid());
        var response = await server.Http.DeleteAsync($"/api/sessions/{session.Id}/members/{member.MemberId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var withdrawal = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(member.Code, withdrawal.GetProperty("memberCode").GetString());
        Assert.True(withdrawal.GetProperty("eventsDeleted").GetInt32() >= 2);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        var events = await server.AllEventsAsync(session.Id);
        Assert.DoesNotContain(events, e => e.ActorId == member.MemberId || e.ParticipantId == member.MemberId);
        Assert.DoesNotContain(events, e => e.Text == "Quixotic answer");
        var listed = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/withdrawals");
        Assert.Equal(member.Code, Assert.Single(listed.EnumerateArray().ToList()).GetProperty("memberCode").GetString());
        var again = await server.Http.DeleteAsync($"/api/sessions/{session.Id}/members/{member.MemberId}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await p.DisposeAsync();
    }

    [Fact]
    public async Task Withdraw_Refusals_AreProblemDetails()
    {
        var session = await server.CreateSessionAsync();
        var observer = await server.MemberAsync(session.Id, Roles.Observer);
        var observerResponse = await server.Http.DeleteAsync($"/api/sessions/{session.Id}/members/{observer.MemberId}");
        Assert.Equal(HttpStatusCode.BadRequest, observerResponse.StatusCode);
        Assert.Equal("application/problem+json", observerResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync($"/api/sessions/{session.Id}/members/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/sessions/{Guid.NewGuid()}/withdrawals")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"/api/sessions/{session.Id}/members/{observer.MemberId}")).StatusCode);
    }
}
