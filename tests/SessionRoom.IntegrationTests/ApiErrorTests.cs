using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

/// <summary>Bad input, unknown ids and missing or wrong credentials: each a problem-details answer with the right status.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiErrorTests(SessionRoomFactory factory)
{
    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    private async Task<string> SessionsUrl() => $"/api/studies/{await _client.CreateStudy()}/sessions";

    private static string SessionWithPrompt(string prompt) => $$"""{"title":"T","mode":"focus-group","prompts":[{{prompt}}]}""";

    [Fact]
    public async Task CreateStudy_MissingName_Returns400WithNameError()
    {
        var problem = await ExpectProblem(await _client.PostJson("/api/studies", """{"goal":"no name"}"""), HttpStatusCode.BadRequest);
        FieldErrors(problem, "name");
    }

    [Fact]
    public async Task CreateStudy_BlankName_Returns400WithNameError()
    {
        var problem = await ExpectProblem(await _client.PostJson("/api/studies", """{"name":"   "}"""), HttpStatusCode.BadRequest);
        FieldErrors(problem, "name");
    }

    [Fact]
    public async Task CreateStudy_10000CharName_Returns400()
    {
        var problem = await ExpectProblem(await _client.PostAsJsonAsync("/api/studies", new { name = new string('n', 10_000) }), HttpStatusCode.BadRequest);
        FieldErrors(problem, "name");
    }

    [Fact]
    public async Task CreateSession_UnknownPromptKind_Returns400()
    {
        var problem = await ExpectProblem(await _client.PostJson(await SessionsUrl(), SessionWithPrompt("""{"kind":"essay","text":"x"}""")), HttpStatusCode.BadRequest);
        Assert.Contains(FieldErrors(problem, "prompts[0].kind"), m => m.Contains("essay"));
    }

    [Fact]
    public async Task CreateSession_PollWithoutOptions_Returns400()
    {
        var problem = await ExpectProblem(await _client.PostJson(await SessionsUrl(), SessionWithPrompt("""{"kind":"poll","text":"Which?"}""")), HttpStatusCode.BadRequest);
        FieldErrors(problem, "prompts[0].options");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    public async Task CreateSession_ScaleMaxOutOfRange_Returns400(int scaleMax)
    {
        var problem = await ExpectProblem(
            await _client.PostJson(await SessionsUrl(), SessionWithPrompt($$"""{"kind":"rating","text":"Rate","scaleMax":{{scaleMax}}}""")),
            HttpStatusCode.BadRequest);
        FieldErrors(problem, "prompts[0].scaleMax");
    }

    [Fact]
    public async Task CreateSession_10000CharTitle_Returns400()
    {
        var problem = await ExpectProblem(
            await _client.PostAsJsonAsync(await SessionsUrl(), new { title = new string('t', 10_000), mode = "usability" }),
            HttpStatusCode.BadRequest);
        FieldErrors(problem, "title");
    }

    [Fact]
    public async Task CreateSession_SeveralProblems_ListsEachField()
    {
        var problem = await ExpectProblem(
            await _client.PostJson(await SessionsUrl(), """{"title":"","mode":"x","prompts":[{"kind":"question","text":""},{"kind":"poll","text":"p","options":["a"]}]}"""),
            HttpStatusCode.BadRequest);
        FieldErrors(problem, "title");
        FieldErrors(problem, "mode");
        FieldErrors(problem, "prompts[0].text");
        FieldErrors(problem, "prompts[1].options");
    }

    [Fact]
    public async Task CreateStudy_MalformedJson_Returns400()
    {
        await ExpectProblem(await _client.PostJson("/api/studies", """{"name": "unterminated"""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateStudy_WrongJsonType_Returns400NamingTheField()
    {
        var problem = await ExpectProblem(await _client.PostJson("/api/studies", """{"name": 42}"""), HttpStatusCode.BadRequest);
        Assert.Contains("name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_WrongJsonType_Returns400()
    {
        await ExpectProblem(await _client.PostJson(await SessionsUrl(), """{"title":"T","mode":"usability","prompts":{"kind":"question"}}"""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateStudy_UnknownJsonField_Returns400NamingTheField()
    {
        var problem = await ExpectProblem(await _client.PostJson("/api/studies", """{"name":"x","colour":"red"}"""), HttpStatusCode.BadRequest);
        Assert.Contains("colour", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_UnknownPromptField_Returns400()
    {
        var problem = await ExpectProblem(
            await _client.PostJson(await SessionsUrl(), SessionWithPrompt("""{"kind":"question","text":"x","hint":"y"}""")),
            HttpStatusCode.BadRequest);
        Assert.Contains("hint", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStudy_EmptyBody_Returns400()
    {
        await ExpectProblem(await _client.PostJson("/api/studies", ""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateSession_EmptyBody_Returns400()
    {
        await ExpectProblem(await _client.PostJson(await SessionsUrl(), ""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateStudy_JsonNull_Returns400()
    {
        await ExpectProblem(await _client.PostJson("/api/studies", "null"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateStudy_NotJsonContentType_Returns415()
    {
        var response = await _client.PostAsync("/api/studies", new StringContent("""{"name":"x"}""", Encoding.UTF8, "text/plain"));
        await ExpectProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task FacilitatorEndpoints_UnknownStudy_Return404()
    {
        var id = Guid.NewGuid();
        await ExpectProblem(await _client.GetAsync($"/api/studies/{id}"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PutJson($"/api/studies/{id}", """{"name":"x"}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PutJson($"/api/studies/{id}/codebook", "[]"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.GetAsync($"/api/studies/{id}/sessions"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PostJson($"/api/studies/{id}/sessions", """{"title":"T","mode":"usability"}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FacilitatorEndpoints_UnknownSession_Return404()
    {
        var id = Guid.NewGuid();
        var promptId = Guid.NewGuid();
        await ExpectProblem(await _client.GetAsync($"/api/sessions/{id}"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PutJson($"/api/sessions/{id}", """{"title":"T","mode":"usability","tags":[]}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PostJson($"/api/sessions/{id}/prompts", """{"kind":"question","text":"x"}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PutJson($"/api/sessions/{id}/prompts/{promptId}", """{"kind":"question","text":"x"}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PutJson($"/api/sessions/{id}/prompts/{promptId}/position", """{"position":1}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.DeleteAsync($"/api/sessions/{id}/prompts/{promptId}"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PostJson($"/api/sessions/{id}/invites", """{"role":"observer"}"""), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.GetAsync($"/api/sessions/{id}/invites"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.DeleteAsync($"/api/sessions/{id}/invites/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ExpectProblem(await _client.PostAsync($"/api/sessions/{id}/facilitator", null), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/sessions/not-a-guid")]
    [InlineData("/api/sessions/12345")]
    [InlineData("/api/studies/not-a-guid")]
    [InlineData("/api/studies/not-a-guid/sessions")]
    public async Task Get_NonGuidId_Returns404(string path)
    {
        await ExpectProblem(await _client.GetAsync(path), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostSession_NonGuidStudyId_Returns404()
    {
        await ExpectProblem(await _client.PostJson("/api/studies/not-a-guid/sessions", """{"title":"T","mode":"usability"}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreateInvite_FacilitatorRole_Returns400()
    {
        var session = await _client.CreateSession(await _client.CreateStudy());
        var problem = await ExpectProblem(
            await _client.PostJson($"/api/sessions/{session.GetProperty("id").GetGuid()}/invites", """{"role":"facilitator"}"""),
            HttpStatusCode.BadRequest);
        FieldErrors(problem, "role");
    }

    public static TheoryData<string, string> FacilitatorEndpoints => new()
    {
        { "GET", "/api/studies" },
        { "POST", "/api/studies" },
        { "GET", $"/api/studies/{Guid.NewGuid()}" },
        { "POST", $"/api/studies/{Guid.NewGuid()}/sessions" },
        { "GET", $"/api/sessions/{Guid.NewGuid()}" },
        { "POST", $"/api/sessions/{Guid.NewGuid()}/invites" },
        { "POST", $"/api/sessions/{Guid.NewGuid()}/facilitator" },
    };

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "GET" ? null : JsonBody("""{"name":"x","title":"T","mode":"usability","role":"observer"}"""),
    };

    [Theory]
    [MemberData(nameof(FacilitatorEndpoints))]
    public async Task FacilitatorEndpoint_NoKey_Returns401(string method, string path)
    {
        await ExpectProblem(await factory.CreateClient().SendAsync(Request(method, path)), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(FacilitatorEndpoints))]
    public async Task FacilitatorEndpoint_WrongKey_Returns401(string method, string path)
    {
        var client = factory.CreateClient().WithBearer(SessionRoomFactory.Key + "x");
        await ExpectProblem(await client.SendAsync(Request(method, path)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task FacilitatorEndpoint_OverlongToken_Returns401()
    {
        var client = factory.CreateClient().WithBearer(new string('k', 5_000));
        await ExpectProblem(await client.GetAsync("/api/studies"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task FacilitatorEndpoint_OtherScheme_Returns401()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:" + SessionRoomFactory.Key)));
        await ExpectProblem(await client.GetAsync("/api/studies"), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("participant")]
    [InlineData("observer")]
    public async Task FacilitatorEndpoint_MemberAccessToken_Returns403(string role)
    {
        var session = await _client.CreateSession(await _client.CreateStudy());
        var sessionId = session.GetProperty("id").GetGuid();
        var token = (await _client.CreateInvite(sessionId, role)).GetProperty("token").GetString();
        var member = await Expect(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token }), HttpStatusCode.OK);
        var asMember = factory.CreateClient().WithBearer(member.GetProperty("accessToken").GetString()!);

        await ExpectProblem(await asMember.GetAsync("/api/studies"), HttpStatusCode.Forbidden);
        await ExpectProblem(await asMember.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.Forbidden);
        await ExpectProblem(await asMember.PostJson($"/api/sessions/{sessionId}/invites", """{"role":"observer"}"""), HttpStatusCode.Forbidden);
        await ExpectProblem(await asMember.PostAsync($"/api/sessions/{sessionId}/facilitator", null), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task FacilitatorEndpoint_FacilitatorMemberToken_Returns403()
    {
        var session = await _client.CreateSession(await _client.CreateStudy());
        var sessionId = session.GetProperty("id").GetGuid();
        var member = await Expect(await _client.PostAsync($"/api/sessions/{sessionId}/facilitator", null), HttpStatusCode.OK);

        var asMember = factory.CreateClient().WithBearer(member.GetProperty("accessToken").GetString()!);

        await ExpectProblem(await asMember.GetAsync($"/api/sessions/{sessionId}"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task FacilitatorEndpoint_RevokedMemberToken_Returns401()
    {
        var session = await _client.CreateSession(await _client.CreateStudy());
        var sessionId = session.GetProperty("id").GetGuid();
        var token = (await _client.CreateInvite(sessionId, "observer")).GetProperty("token").GetString();
        var member = await Expect(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token }), HttpStatusCode.OK);
        var inviteId = (await Expect(await _client.GetAsync($"/api/sessions/{sessionId}/invites"), HttpStatusCode.OK))[0].GetProperty("id").GetGuid();
        await _client.DeleteAsync($"/api/sessions/{sessionId}/invites/{inviteId}");

        var asMember = factory.CreateClient().WithBearer(member.GetProperty("accessToken").GetString()!);

        await ExpectProblem(await asMember.GetAsync("/api/studies"), HttpStatusCode.Unauthorized);
    }

    // API.md: every error is problem details and bad input never yields a 500 — whatever the client
    // puts in its Accept header (curl -H "Accept: text/html", XML-first HTTP libraries, ...).
    private async Task<HttpResponseMessage> SendAccepting(string accept, Func<HttpClient, Task<HttpResponseMessage>> send, bool withKey = true)
    {
        var client = withKey ? factory.CreateFacilitatorClient() : factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);
        try
        {
            return await send(client);
        }
        catch (InvalidOperationException e)
        {
            // TestServer rethrows what the app failed to handle; Kestrel would answer 500.
            Assert.Fail($"The app threw instead of answering (a 500 over Kestrel): {e.Message}");
            throw;
        }
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    public async Task GetStudy_UnknownIdAndClientAcceptsNoJson_Returns404Problem(string accept)
    {
        var response = await SendAccepting(accept, c => c.GetAsync($"/api/studies/{Guid.NewGuid()}"));
        await ExpectProblem(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    public async Task CreateStudy_MissingNameAndClientAcceptsNoJson_Returns400Problem(string accept)
    {
        var response = await SendAccepting(accept, c => c.PostJson("/api/studies", "{}"));
        FieldErrors(await ExpectProblem(response, HttpStatusCode.BadRequest), "name");
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    public async Task ListStudies_NoKeyAndClientAcceptsNoJson_Returns401Problem(string accept)
    {
        var response = await SendAccepting(accept, c => c.GetAsync("/api/studies"), withKey: false);
        await ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateStudy_AcceptJson_Returns400Problem()
    {
        var response = await SendAccepting("application/json", c => c.PostJson("/api/studies", "{}"));
        FieldErrors(await ExpectProblem(response, HttpStatusCode.BadRequest), "name");
    }
}
