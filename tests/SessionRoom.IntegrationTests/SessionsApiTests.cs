using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Data;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class SessionsApiTests(SessionRoomFactory factory)
{
    private const string FullGuide =
        """
        { "title": "Checkout test, round 1",
          "mode": "usability",
          "tags": ["confused", "delight", "pricing"],
          "prompts": [
            { "kind": "question", "text": "What do you use today?" },
            { "kind": "poll",     "text": "Which plan?", "options": ["Free", "Pro"], "multiple": false },
            { "kind": "rating",   "text": "How likely...", "scaleMax": 10 },
            { "kind": "task",     "text": "Buy a blue mug", "successCriteria": "Order confirmation shown" },
            { "kind": "stimulus", "text": "New landing page", "url": "https://example.test/a.png" },
            { "kind": "seq",      "text": "Overall, how easy was that task?" },
            { "kind": "sus",      "text": "System Usability Scale" } ] }
        """;

    private static readonly HashSet<string> RequiredSessionFields = ["id", "studyId", "title", "mode", "status", "tags", "prompts"];
    private static readonly HashSet<string> AllowedSessionFields = [.. RequiredSessionFields, "currentPromptId", "blind"];

    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    private async Task<(Guid StudyId, Guid SessionId, JsonElement Session)> NewSession(string? json = null)
    {
        var studyId = await _client.CreateStudy();
        var session = json is null ? await _client.CreateSession(studyId) : await _client.CreateSession(studyId, json);
        return (studyId, session.GetProperty("id").GetGuid(), session);
    }

    private static Guid PromptId(JsonElement session, int index) => session.GetProperty("prompts")[index].GetProperty("id").GetGuid();

    [Fact]
    public async Task CreateSession_ContractExample_Returns201WithSessionShape()
    {
        var studyId = await _client.CreateStudy();

        var response = await _client.PostJson($"/api/studies/{studyId}/sessions", FullGuide);

        var session = await Expect(response, HttpStatusCode.Created);
        var id = session.GetProperty("id").GetGuid();
        Assert.Equal($"/api/sessions/{id}", response.Headers.Location?.OriginalString);
        var names = PropertyNames(session).ToHashSet();
        Assert.Superset(RequiredSessionFields, names);
        Assert.Subset(AllowedSessionFields, names);
        Assert.Equal(studyId, session.GetProperty("studyId").GetGuid());
        Assert.Equal("Checkout test, round 1", session.GetProperty("title").GetString());
        Assert.Equal("usability", session.GetProperty("mode").GetString());
        Assert.Equal("draft", session.GetProperty("status").GetString());
        Assert.Equal(["confused", "delight", "pricing"], session.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        if (session.TryGetProperty("currentPromptId", out var current))
        {
            Assert.Equal(JsonValueKind.Null, current.ValueKind);
        }

        var prompts = session.GetProperty("prompts").EnumerateArray().ToList();
        Assert.Equal(["question", "poll", "rating", "task", "stimulus", "seq", "sus"], prompts.Select(p => p.GetProperty("kind").GetString()));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], prompts.Select(p => p.GetProperty("position").GetInt32()));
        Assert.All(prompts, p => Assert.NotEqual(Guid.Empty, p.GetProperty("id").GetGuid()));
        AssertProperties(prompts[0], "id", "position", "kind", "text");
        AssertProperties(prompts[1], "id", "position", "kind", "text", "options", "multiple");
        Assert.Equal(["Free", "Pro"], prompts[1].GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.False(prompts[1].GetProperty("multiple").GetBoolean());
        AssertProperties(prompts[2], "id", "position", "kind", "text", "scaleMax");
        Assert.Equal(10, prompts[2].GetProperty("scaleMax").GetInt32());
        AssertProperties(prompts[3], "id", "position", "kind", "text", "successCriteria", "showCriteria");
        Assert.False(prompts[3].GetProperty("showCriteria").GetBoolean());
        Assert.Equal("Order confirmation shown", prompts[3].GetProperty("successCriteria").GetString());
        AssertProperties(prompts[4], "id", "position", "kind", "text", "url");
        Assert.Equal("https://example.test/a.png", prompts[4].GetProperty("url").GetString());
        AssertProperties(prompts[5], "id", "position", "kind", "text", "scaleMax");
        Assert.Equal(7, prompts[5].GetProperty("scaleMax").GetInt32());
        AssertProperties(prompts[6], "id", "position", "kind", "text");
    }

    [Fact]
    public async Task GetSession_AfterCreate_ReturnsSameSession()
    {
        var studyId = await _client.CreateStudy();
        var created = await _client.CreateSession(studyId, FullGuide);
        var id = created.GetProperty("id").GetGuid();

        var read = await Expect(await _client.GetAsync($"/api/sessions/{id}"), HttpStatusCode.OK);

        Assert.Equal(created.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task UpdateSession_Valid_ChangesDetailsAndKeepsPrompts()
    {
        var (_, sessionId, _) = await NewSession();

        var json = await Expect(await _client.PutJson($"/api/sessions/{sessionId}",
            """{"title":"Renamed","mode":"usability","tags":["trust","pricing"]}"""), HttpStatusCode.OK);

        Assert.Equal("Renamed", json.GetProperty("title").GetString());
        Assert.Equal("usability", json.GetProperty("mode").GetString());
        Assert.Equal(["trust", "pricing"], json.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, json.GetProperty("prompts").GetArrayLength());
        var read = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.OK);
        Assert.Equal(json.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task UpdateSession_BadMode_Returns400()
    {
        var (_, sessionId, _) = await NewSession();
        var problem = await ExpectProblem(await _client.PutJson($"/api/sessions/{sessionId}", """{"title":"x","mode":"party","tags":[]}"""), HttpStatusCode.BadRequest);
        FieldErrors(problem, "mode");
    }

    [Fact]
    public async Task AddPrompt_Valid_Returns201AtNextPosition()
    {
        var (_, sessionId, _) = await NewSession();

        var response = await _client.PostJson($"/api/sessions/{sessionId}/prompts", """{"kind":"poll","text":"Pick","options":["A","B","C"],"multiple":true}""");

        var prompt = await Expect(response, HttpStatusCode.Created);
        var id = prompt.GetProperty("id").GetGuid();
        Assert.Equal($"/api/sessions/{sessionId}/prompts/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(3, prompt.GetProperty("position").GetInt32());
        Assert.True(prompt.GetProperty("multiple").GetBoolean());
        var session = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.OK);
        Assert.Equal(id, PromptId(session, 2));
    }

    [Fact]
    public async Task AddPrompt_BadScale_Returns400WithPromptField()
    {
        var (_, sessionId, _) = await NewSession();
        var problem = await ExpectProblem(await _client.PostJson($"/api/sessions/{sessionId}/prompts", """{"kind":"rating","text":"Rate","scaleMax":11}"""), HttpStatusCode.BadRequest);
        FieldErrors(problem, "prompt.scaleMax");
    }

    [Fact]
    public async Task UpdatePrompt_Valid_ReplacesPrompt()
    {
        var (_, sessionId, session) = await NewSession();
        var promptId = PromptId(session, 0);

        var prompt = await Expect(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{promptId}",
            """{"kind":"stimulus","text":"Look at this","url":"https://example.test/b.png"}"""), HttpStatusCode.OK);

        Assert.Equal(promptId, prompt.GetProperty("id").GetGuid());
        Assert.Equal(1, prompt.GetProperty("position").GetInt32());
        Assert.Equal("stimulus", prompt.GetProperty("kind").GetString());
        Assert.Equal("https://example.test/b.png", prompt.GetProperty("url").GetString());
    }

    [Fact]
    public async Task UpdatePrompt_UnknownPrompt_Returns404()
    {
        var (_, sessionId, _) = await NewSession();
        await ExpectProblem(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{Guid.NewGuid()}", """{"kind":"question","text":"x"}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MovePrompt_ToFirst_ReturnsRenumberedGuide()
    {
        var (_, sessionId, session) = await NewSession();
        var second = PromptId(session, 1);

        var guide = await Expect(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{second}/position", """{"position":1}"""), HttpStatusCode.OK);

        Assert.Equal([second, PromptId(session, 0)], guide.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        Assert.Equal([1, 2], guide.EnumerateArray().Select(p => p.GetProperty("position").GetInt32()));
    }

    [Theory]
    [InlineData("""{"position":0}""")]
    [InlineData("""{"position":3}""")]
    [InlineData("""{}""")]
    [InlineData("""{"position":"first"}""")]
    public async Task MovePrompt_BadPosition_Returns400(string body)
    {
        var (_, sessionId, session) = await NewSession();
        await ExpectProblem(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{PromptId(session, 0)}/position", body), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task DeletePrompt_First_Returns204AndRenumbers()
    {
        var (_, sessionId, session) = await NewSession();

        var response = await _client.DeleteAsync($"/api/sessions/{sessionId}/prompts/{PromptId(session, 0)}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var read = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.OK);
        var remaining = Assert.Single(read.GetProperty("prompts").EnumerateArray().ToList());
        Assert.Equal(PromptId(session, 1), remaining.GetProperty("id").GetGuid());
        Assert.Equal(1, remaining.GetProperty("position").GetInt32());
    }

    [Fact]
    public async Task DeletePrompt_UsedInEvents_Returns409()
    {
        var (_, sessionId, session) = await NewSession();
        var promptId = PromptId(session, 0);
        using (var c = factory.Services.GetRequiredService<Db>().Open())
        {
            c.Execute(
                """
                INSERT INTO events (session_id, seq, id, client_event_id, type, audience, prompt_id, at_ms, created_utc)
                VALUES (@sessionId, 1, @id, @clientEventId, 'prompt-shown', 'room', @promptId, 0, '2026-11-23T10:15:02.1200000Z')
                """,
                new { sessionId = sessionId.ToString(), id = Guid.NewGuid().ToString(), clientEventId = Guid.NewGuid().ToString(), promptId = promptId.ToString() });
        }

        await ExpectProblem(await _client.DeleteAsync($"/api/sessions/{sessionId}/prompts/{promptId}"), HttpStatusCode.Conflict);

        var read = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.OK);
        Assert.Equal(2, read.GetProperty("prompts").GetArrayLength());
    }

    [Fact]
    public async Task EditGuide_EndedSession_Returns409()
    {
        var (_, sessionId, session) = await NewSession();
        using (var c = factory.Services.GetRequiredService<Db>().Open())
        {
            c.Execute("UPDATE sessions SET status = 'ended' WHERE id = @id", new { id = sessionId.ToString() });
        }
        var promptId = PromptId(session, 0);

        await ExpectProblem(await _client.PostJson($"/api/sessions/{sessionId}/prompts", """{"kind":"question","text":"late"}"""), HttpStatusCode.Conflict);
        await ExpectProblem(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{promptId}", """{"kind":"question","text":"x"}"""), HttpStatusCode.Conflict);
        await ExpectProblem(await _client.PutJson($"/api/sessions/{sessionId}/prompts/{promptId}/position", """{"position":2}"""), HttpStatusCode.Conflict);
        await ExpectProblem(await _client.DeleteAsync($"/api/sessions/{sessionId}/prompts/{promptId}"), HttpStatusCode.Conflict);
        var read = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.OK);
        Assert.Equal("ended", read.GetProperty("status").GetString());
        Assert.Equal(session.GetProperty("prompts").GetRawText(), read.GetProperty("prompts").GetRawText());
    }

    [Theory]
    [InlineData("participant")]
    [InlineData("observer")]
    public async Task CreateInvite_NoPublicUrl_Returns201WithAbsoluteUrlFromRequestHost(string role)
    {
        var (_, sessionId, _) = await NewSession();

        var response = await _client.PostJson($"/api/sessions/{sessionId}/invites", $$"""{"role":"{{role}}","name":"Ana"}""");

        var invite = await Expect(response, HttpStatusCode.Created);
        AssertProperties(invite, "token", "url", "role");
        var token = invite.GetProperty("token").GetString()!;
        Assert.Equal(43, token.Length);
        Assert.Equal(role, invite.GetProperty("role").GetString());
        var url = new Uri(invite.GetProperty("url").GetString()!, UriKind.Absolute);
        Assert.Equal(_client.BaseAddress!.Scheme, url.Scheme);
        Assert.Equal(_client.BaseAddress.Authority, url.Authority);
        Assert.EndsWith(token, url.AbsolutePath, StringComparison.Ordinal);
        Assert.StartsWith($"/api/sessions/{sessionId}/invites/", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateInvite_PublicUrlConfigured_BuildsUrlFromIt()
    {
        using var withPublicUrl = factory.WithWebHostBuilder(b => b.UseSetting("SessionRoom:PublicUrl", "https://research.example.org/"));
        var client = withPublicUrl.CreateClient().WithBearer(SessionRoomFactory.Key);
        var studyId = await client.CreateStudy();
        var sessionId = (await client.CreateSession(studyId)).GetProperty("id").GetGuid();

        var invite = await client.CreateInvite(sessionId, "observer");

        var token = invite.GetProperty("token").GetString()!;
        Assert.Equal($"https://research.example.org/join/{token}", invite.GetProperty("url").GetString());
    }

    [Fact]
    public async Task ListInvites_AfterJoinAndRevoke_ShowsStateButNoToken()
    {
        var (_, sessionId, _) = await NewSession();
        var joined = await _client.CreateInvite(sessionId, "participant", "Ana");
        var pending = await _client.CreateInvite(sessionId, "observer");
        await Expect(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token = joined.GetProperty("token").GetString() }), HttpStatusCode.OK);

        var list = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}/invites"), HttpStatusCode.OK);

        Assert.Equal(2, list.GetArrayLength());
        var text = list.GetRawText();
        Assert.DoesNotContain(joined.GetProperty("token").GetString()!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(pending.GetProperty("token").GetString()!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);
        var first = list.EnumerateArray().Single(i => i.GetProperty("role").GetString() == "participant");
        Assert.Equal("P1", first.GetProperty("memberCode").GetString());
        Assert.Equal("Ana", first.GetProperty("name").GetString());
        Assert.False(first.GetProperty("isRevoked").GetBoolean());

        var inviteId = first.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/sessions/{sessionId}/invites/{inviteId}")).StatusCode);

        var after = await Expect(await _client.GetAsync($"/api/sessions/{sessionId}/invites"), HttpStatusCode.OK);
        var revoked = after.EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == inviteId);
        Assert.True(revoked.GetProperty("isRevoked").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedUtc").ValueKind);
    }

    [Fact]
    public async Task RevokeInvite_UnknownInvite_Returns404()
    {
        var (_, sessionId, _) = await NewSession();
        await ExpectProblem(await _client.DeleteAsync($"/api/sessions/{sessionId}/invites/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FacilitatorMember_TwoCalls_SameMemberF1()
    {
        var (_, sessionId, _) = await NewSession();

        var first = await Expect(await _client.PostAsync($"/api/sessions/{sessionId}/facilitator", null), HttpStatusCode.OK);
        var second = await Expect(await _client.PostAsync($"/api/sessions/{sessionId}/facilitator", null), HttpStatusCode.OK);

        AssertProperties(first, "accessToken", "memberId", "sessionId", "role", "displayName", "code");
        Assert.Equal("facilitator", first.GetProperty("role").GetString());
        Assert.Equal("F1", first.GetProperty("code").GetString());
        Assert.Equal(sessionId, first.GetProperty("sessionId").GetGuid());
        Assert.Equal(first.GetProperty("memberId").GetGuid(), second.GetProperty("memberId").GetGuid());
        Assert.NotEqual(first.GetProperty("accessToken").GetString(), second.GetProperty("accessToken").GetString());
    }

    [Fact]
    public async Task Join_ValidToken_ReturnsMemberAnonymously()
    {
        var (_, sessionId, _) = await NewSession();
        var participant = await _client.CreateInvite(sessionId, "participant");
        var observer = await _client.CreateInvite(sessionId, "observer");
        var anonymous = factory.CreateClient();

        var p = await Expect(await anonymous.PostJson("/api/join", $$"""{"token":"{{participant.GetProperty("token").GetString()}}","displayName":" Ana "}"""), HttpStatusCode.OK);
        var o = await Expect(await anonymous.PostJson("/api/join", $$"""{"token":"{{observer.GetProperty("token").GetString()}}"}"""), HttpStatusCode.OK);

        AssertProperties(p, "accessToken", "memberId", "sessionId", "role", "displayName", "code");
        Assert.Equal("participant", p.GetProperty("role").GetString());
        Assert.Equal("P1", p.GetProperty("code").GetString());
        Assert.Equal("Ana", p.GetProperty("displayName").GetString());
        Assert.Equal(sessionId, p.GetProperty("sessionId").GetGuid());
        Assert.Equal(43, p.GetProperty("accessToken").GetString()!.Length);
        Assert.Equal("observer", o.GetProperty("role").GetString());
        Assert.Equal("O1", o.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Join_SameTokenTwice_ResumesMember()
    {
        var (_, sessionId, _) = await NewSession();
        var token = (await _client.CreateInvite(sessionId)).GetProperty("token").GetString();
        var anonymous = factory.CreateClient();

        var first = await Expect(await anonymous.PostAsJsonAsync("/api/join", new { token }), HttpStatusCode.OK);
        var second = await Expect(await anonymous.PostAsJsonAsync("/api/join", new { token }), HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("memberId").GetGuid(), second.GetProperty("memberId").GetGuid());
        Assert.NotEqual(first.GetProperty("accessToken").GetString(), second.GetProperty("accessToken").GetString());
    }

    [Fact]
    public async Task Join_RevokedInvite_Returns401()
    {
        var (_, sessionId, _) = await NewSession();
        var token = (await _client.CreateInvite(sessionId)).GetProperty("token").GetString();
        var inviteId = (await Expect(await _client.GetAsync($"/api/sessions/{sessionId}/invites"), HttpStatusCode.OK))[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/sessions/{sessionId}/invites/{inviteId}")).StatusCode);

        await ExpectProblem(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Join_UnknownToken_Returns401()
    {
        await ExpectProblem(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token = "no-such-invite-token-0000000000000000000000" }), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"token":""}""")]
    [InlineData("""{"token":"   "}""")]
    [InlineData("""{}""")]
    [InlineData("""{"displayName":"Ana"}""")]
    public async Task Join_EmptyToken_Returns400(string body)
    {
        var problem = await ExpectProblem(await factory.CreateClient().PostJson("/api/join", body), HttpStatusCode.BadRequest);
        FieldErrors(problem, "token");
    }
}
