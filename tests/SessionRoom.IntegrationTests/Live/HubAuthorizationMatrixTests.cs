using System.Net.Http.Json;
using System.Reflection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Hardening;
using SessionRoom.Web.Hubs;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>
/// The hub's authorization matrix, from one table: every hub method called by seven kinds of caller
/// (no token, a wrong token, a revoked member's token, a participant, an observer, the facilitator,
/// a member of another session), each answer asserted. A hub method missing from the table fails.
/// </summary>
public sealed class HubAuthorizationMatrixTests(LiveServer server) : IClassFixture<LiveServer>
{
    /// <summary>Who may call each hub method. The one table: the hub itself does not decide (LiveSessions does).</summary>
    internal static readonly Dictionary<string, string[]> AllowedRoles = new()
    {
        ["GetState"] = [Roles.Facilitator, Roles.Observer, Roles.Participant],
        ["GetEventsSince"] = [Roles.Facilitator, Roles.Observer, Roles.Participant],
        ["StartSession"] = [Roles.Facilitator],
        ["ShowPrompt"] = [Roles.Facilitator],
        ["EndSession"] = [Roles.Facilitator],
        ["StartTask"] = [Roles.Facilitator],
        ["EndTask"] = [Roles.Facilitator],
        ["PauseTask"] = [Roles.Facilitator],
        ["ResumeTask"] = [Roles.Facilitator],
        ["Answer"] = [Roles.Participant],
        ["React"] = [Roles.Participant, Roles.Observer],
        ["AddNote"] = [Roles.Observer, Roles.Facilitator],
        ["MessageBackroom"] = [Roles.Observer, Roles.Facilitator],
    };

    public enum Caller
    {
        Anonymous,
        WrongToken,
        RevokedToken,
        Participant,
        Observer,
        Facilitator,
        OtherSessionMember,
    }

    [Fact]
    public void Table_CoversEveryHubMethod()
    {
        var methods = typeof(SessionHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal);
        Assert.Equal(methods, AllowedRoles.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, Caller> Cases()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var method in AllowedRoles.Keys)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(method, caller);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Method_AsCaller_AnswersAsTheTableSays(string method, Caller caller)
    {
        var answer = "?";
        try
        {
            answer = await CallAsync(method, caller);
        }
        finally
        {
            ReliabilityLog.Record("authorization", "hub: every method x 7 callers", 1, answer == "?" ? "fail" : "pass",
                new Dictionary<string, object> { ["answers"] = answer });
        }
    }

    /// <summary>Makes the call in a session set up for it and checks the answer; returns what it was, for the report.</summary>
    private async Task<string> CallAsync(string method, Caller caller)
    {
        var session = await server.CreateSessionAsync();
        var (participant, _) = await server.JoinAsync(session.Id, Roles.Participant);
        var before = await server.AllEventsAsync(session.Id);

        if (caller is Caller.Anonymous or Caller.WrongToken or Caller.RevokedToken)
        {
            var token = caller switch
            {
                Caller.Anonymous => null,
                Caller.WrongToken => "not-a-member-token-0123456789abcdef",
                _ => await RevokedTokenAsync(session.Id),
            };
            // The WebSocket upgrade is refused before any method can be called.
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(token));
            Assert.Contains("401", refused.Message, StringComparison.Ordinal);
            Assert.Equal(Writes(before), Writes(await server.AllEventsAsync(session.Id)));
            return "401";
        }

        if (caller == Caller.OtherSessionMember)
        {
            // The strongest role the method allows, in another session, naming this session's prompt and participant.
            var other = await server.CreateSessionAsync();
            var role = AllowedRoles[method][0];
            await using var f = await server.ConnectAsync(await server.FacilitatorAsync(other.Id));
            await f.Invoke("StartSession", Guid.NewGuid());
            await using var outsider = role == Roles.Facilitator ? null : await server.ConnectAsync(await server.MemberAsync(other.Id, role));
            var connection = (outsider ?? f).Connection;
            string answer;
            try
            {
                var result = await connection.InvokeCoreAsync(method, ReturnType(method), Arguments(method, session, participant.MemberId));
                // Whatever it did, it did in its own session: its state and events are the other session's.
                if (result is LiveState state)
                {
                    Assert.Equal(other.Id, state.Session.Id);
                }
                if (result is IReadOnlyList<SessionEvent> events)
                {
                    Assert.Empty(events.Select(e => e.Id).Intersect(before.Select(e => e.Id)));
                }
                answer = "own session only";
            }
            catch (HubException)
            {
                answer = "HubException";
            }
            Assert.Equal(Writes(before), Writes(await server.AllEventsAsync(session.Id)));
            return answer;
        }

        var callerRole = caller switch
        {
            Caller.Participant => Roles.Participant,
            Caller.Observer => Roles.Observer,
            _ => Roles.Facilitator,
        };
        await using var facilitator = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await PrepareAsync(facilitator, method, session, participant.MemberId);
        await using var client = callerRole == Roles.Facilitator
            ? null
            : await server.ConnectAsync(callerRole == Roles.Participant ? participant : await server.MemberAsync(session.Id, callerRole));
        var me = client ?? facilitator;
        var prepared = Writes(await server.AllEventsAsync(session.Id));
        if (AllowedRoles[method].Contains(callerRole))
        {
            var result = await me.Connection.InvokeCoreAsync(method, ReturnType(method), Arguments(method, session, participant.MemberId));
            if (result is Ack ack)
            {
                Assert.False(ack.Duplicate);
                Assert.Contains(await server.AllEventsAsync(session.Id), e => e.Seq == ack.Seq && e.ActorId == me.Member.MemberId);
            }
            return "allowed";
        }
        var denied = await Assert.ThrowsAsync<HubException>(() => me.Connection.InvokeCoreAsync(method, ReturnType(method), Arguments(method, session, participant.MemberId)));
        Assert.Contains($"A {callerRole} cannot", denied.Message, StringComparison.Ordinal);
        Assert.Equal(prepared, Writes(await server.AllEventsAsync(session.Id)));
        Assert.Equal(session.Id, (await me.Connection.InvokeAsync<LiveState>("GetState")).Session.Id);
        return "HubException";
    }

    /// <summary>Puts the session where an allowed call of the method succeeds: live, with a running or paused task when it needs one.</summary>
    private static async Task PrepareAsync(LiveClient facilitator, string method, Session session, Guid participantId)
    {
        if (method == "StartSession")
        {
            return;
        }
        await facilitator.Invoke("StartSession", Guid.NewGuid());
        if (method is "EndTask" or "PauseTask" or "ResumeTask")
        {
            await facilitator.Invoke("StartTask", Guid.NewGuid(), session.Prompts[3].Id, participantId);
        }
        if (method == "ResumeTask")
        {
            await facilitator.Invoke("PauseTask", Guid.NewGuid(), session.Prompts[3].Id, participantId);
        }
    }

    private async Task<string> RevokedTokenAsync(Guid sessionId)
    {
        var invite = await server.Http.PostAsJsonAsync($"/api/sessions/{sessionId}/invites", new { role = Roles.Participant });
        invite.EnsureSuccessStatusCode();
        var token = (await invite.Content.ReadFromJsonAsync<CreatedInvite>())!.Token;
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl) };
        var member = (await (await anonymous.PostAsJsonAsync("/api/join", new { token })).Content.ReadFromJsonAsync<Member>())!;
        var revoke = await server.Http.DeleteAsync(invite.Headers.Location);
        revoke.EnsureSuccessStatusCode();
        return member.AccessToken;
    }

    private async Task ConnectAsync(string? token)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{server.App.BaseUrl}/hubs/session", o =>
            {
                o.AccessTokenProvider = () => Task.FromResult(token);
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        await connection.StartAsync();
    }

    /// <summary>Events made by calls; presence events come and go with connections.</summary>
    private static int Writes(IEnumerable<SessionEvent> events) =>
        events.Count(e => e.Type is not (EventTypes.MemberJoined or EventTypes.MemberLeft));

    private static Type ReturnType(string method) => method switch
    {
        "GetState" => typeof(LiveState),
        "GetEventsSince" => typeof(IReadOnlyList<SessionEvent>),
        _ => typeof(Ack),
    };

    internal static object?[] Arguments(string method, Session session, Guid participantId) => method switch
    {
        "GetState" => [],
        "GetEventsSince" => [0L],
        "StartSession" or "EndSession" => [Guid.NewGuid()],
        "ShowPrompt" => [Guid.NewGuid(), session.Prompts[0].Id],
        "StartTask" => [Guid.NewGuid(), session.Prompts[3].Id, participantId],
        "EndTask" => [Guid.NewGuid(), session.Prompts[3].Id, participantId, "success"],
        "PauseTask" or "ResumeTask" => [Guid.NewGuid(), session.Prompts[3].Id, participantId],
        "Answer" => [Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "hi")],
        "React" => [Guid.NewGuid(), "confused"],
        "AddNote" => [Guid.NewGuid(), "a note", new[] { "confused" }, participantId],
        "MessageBackroom" => [Guid.NewGuid(), "a message"],
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };
}
