using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.IntegrationTests.Hardening;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

/// <summary>
/// Who may call which HTTP endpoint, from one table: every endpoint of the app is called as seven kinds of
/// caller and the answer checked (401 without valid credentials, 403 for members on facilitator endpoints,
/// never a 500). An endpoint the app maps but the table does not know fails the test, so a new endpoint
/// cannot ship without a decision about who may call it. (The hub's table is HubAuthorizationMatrixTests.AllowedRoles.)
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthorizationMatrixTests(SessionRoomFactory factory)
{
    /// <summary>Who an endpoint is for.</summary>
    public enum Access
    {
        /// <summary>Anyone: health, joining with an invite token (the token in the body is the credential), signing in.</summary>
        Public,

        /// <summary>The facilitator key (bearer) or the facilitator's sign-in cookie.</summary>
        Facilitator,
    }

    public enum Caller
    {
        Anonymous,
        WrongKey,
        RevokedToken,
        Participant,
        Observer,
        OtherSessionMember,
        FacilitatorKey,
    }

    /// <summary>The table: "METHOD route pattern" as the app maps it.</summary>
    public static readonly IReadOnlyDictionary<string, Access> Table = new Dictionary<string, Access>
    {
        ["GET /healthz"] = Access.Public,
        ["POST /auth/signin"] = Access.Public,
        ["POST /auth/signout"] = Access.Public,
        ["POST /api/join"] = Access.Public,
        ["POST /api/join/preview"] = Access.Public,
        ["POST /api/studies/"] = Access.Facilitator,
        ["GET /api/studies/"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}"] = Access.Facilitator,
        ["PUT /api/studies/{studyId:guid}"] = Access.Facilitator,
        ["PUT /api/studies/{studyId:guid}/codebook"] = Access.Facilitator,
        ["POST /api/studies/{studyId:guid}/sessions"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/sessions"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/search"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/export"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/"] = Access.Facilitator,
        ["PUT /api/sessions/{sessionId:guid}/"] = Access.Facilitator,
        ["POST /api/sessions/{sessionId:guid}/prompts"] = Access.Facilitator,
        ["PUT /api/sessions/{sessionId:guid}/prompts/{promptId:guid}"] = Access.Facilitator,
        ["PUT /api/sessions/{sessionId:guid}/prompts/{promptId:guid}/position"] = Access.Facilitator,
        ["DELETE /api/sessions/{sessionId:guid}/prompts/{promptId:guid}"] = Access.Facilitator,
        ["POST /api/sessions/{sessionId:guid}/invites"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/invites"] = Access.Facilitator,
        ["DELETE /api/sessions/{sessionId:guid}/invites/{inviteId:guid}"] = Access.Facilitator,
        ["POST /api/sessions/{sessionId:guid}/facilitator"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/events"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/export"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/timeline"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/agreement"] = Access.Facilitator,
        ["DELETE /api/sessions/{sessionId:guid}/members/{memberId:guid}"] = Access.Facilitator,
        ["GET /api/sessions/{sessionId:guid}/withdrawals"] = Access.Facilitator,
        ["PUT /api/sessions/{sessionId:guid}/events/{seq:long}/star"] = Access.Facilitator,
        ["DELETE /api/sessions/{sessionId:guid}/events/{seq:long}/star"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/highlights"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/matrix"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/matrix.csv"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/themes"] = Access.Facilitator,
        ["POST /api/studies/{studyId:guid}/themes"] = Access.Facilitator,
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}"] = Access.Facilitator,
        ["DELETE /api/studies/{studyId:guid}/themes/{themeId:guid}"] = Access.Facilitator,
        ["POST /api/studies/{studyId:guid}/themes/{themeId:guid}/merge"] = Access.Facilitator,
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}/position"] = Access.Facilitator,
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}/cards"] = Access.Facilitator,
        ["DELETE /api/studies/{studyId:guid}/cards/{sessionId:guid}/{seq:long}"] = Access.Facilitator,
        ["GET /api/studies/{studyId:guid}/theme-suggestions"] = Access.Facilitator,
    };

    [Fact]
    public void Table_CoversEveryMappedEndpoint_AndNothingElse()
    {
        var mapped = factory.MappedEndpoints();
        var missing = mapped.Except(Table.Keys).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an access decision in AuthorizationMatrixTests.Table: " + string.Join(", ", missing));
        var stale = Table.Keys.Except(mapped).ToList();
        Assert.True(stale.Count == 0, "Table entries the app no longer maps: " + string.Join(", ", stale));
    }

    public static TheoryData<string, Caller> Cases()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var endpoint in Table.Keys)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(endpoint, caller);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_AsCaller_AnswersAsTheTableSays(string endpoint, Caller caller)
    {
        var world = await WorldAsync();
        var (method, pattern) = (endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)], endpoint[(endpoint.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var token = caller switch
        {
            Caller.WrongKey => "not-the-key-and-not-a-token-0123456789",
            Caller.RevokedToken => world.RevokedToken,
            Caller.Participant => world.ParticipantToken,
            Caller.Observer => world.ObserverToken,
            Caller.OtherSessionMember => world.OtherSessionToken,
            Caller.FacilitatorKey => SessionRoomFactory.Key,
            _ => null,
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), Fill(pattern, world));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        ReliabilityLog.Record("authorization", "http: every endpoint x 7 callers", 1, status < 500 ? "pass" : "fail",
            new Dictionary<string, object> { ["answers"] = status is 401 or 403 ? status.ToString(CultureInfo.InvariantCulture) : status < 500 ? "allowed" : "5xx" });

        Assert.True(status < 500, $"{endpoint} as {caller}: {status} {await response.Content.ReadAsStringAsync()}");
        var expected = Table[endpoint] switch
        {
            Access.Public => status != 403,
            _ => caller switch
            {
                Caller.Anonymous or Caller.WrongKey or Caller.RevokedToken => status == 401,
                Caller.Participant or Caller.Observer or Caller.OtherSessionMember => status == 403,
                _ => status is not (401 or 403),
            },
        };
        Assert.True(expected, $"{endpoint} as {caller}: got {status}, which the table does not allow ({Table[endpoint]}).");
        if (status is 401 or 403)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private sealed record World(Guid StudyId, Guid SessionId, Guid PromptId, Guid InviteId, Guid MemberId,
        string ParticipantToken, string ObserverToken, string RevokedToken, string OtherSessionToken);

    /// <summary>A fresh study and session per case, so a facilitator's DELETE in one case cannot change another.</summary>
    private async Task<World> WorldAsync()
    {
        using var client = factory.CreateFacilitatorClient();
        var members = factory.Services.GetRequiredService<MemberStore>();
        var studyId = await client.CreateStudy("Matrix");
        var session = (await client.CreateSession(studyId)).Deserialize<Session>(JsonSerializerOptions.Web)!;
        var other = (await client.CreateSession(studyId)).Deserialize<Session>(JsonSerializerOptions.Web)!;
        var (invite, inviteToken) = members.CreateInvite(session.Id, Roles.Participant, null);
        var participant = members.Join(inviteToken, null)!;
        var observer = members.Join(members.CreateInvite(session.Id, Roles.Observer, null).Token, null)!;
        var (revokedInvite, revokedToken) = members.CreateInvite(session.Id, Roles.Participant, null);
        var revoked = members.Join(revokedToken, null)!;
        members.RevokeInvite(session.Id, revokedInvite.Id);
        var outsider = members.Join(members.CreateInvite(other.Id, Roles.Participant, null).Token, null)!;
        return new World(studyId, session.Id, session.Prompts[0].Id, invite.Id, participant.MemberId,
            participant.AccessToken, observer.AccessToken, revoked.AccessToken, outsider.AccessToken);
    }

    private static string Fill(string pattern, World w) => pattern
        .Replace("{studyId:guid}", w.StudyId.ToString(), StringComparison.Ordinal)
        .Replace("{sessionId:guid}", w.SessionId.ToString(), StringComparison.Ordinal)
        .Replace("{promptId:guid}", w.PromptId.ToString(), StringComparison.Ordinal)
        .Replace("{inviteId:guid}", w.InviteId.ToString(), StringComparison.Ordinal)
        .Replace("{memberId:guid}", w.MemberId.ToString(), StringComparison.Ordinal)
        .Replace("{themeId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{seq:long}", "1", StringComparison.Ordinal);
}
