using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>GET /api/sessions/{id}/timeline and GET /api/studies/{id}/search on a real server, with events written over the hub.</summary>
public sealed class SynthesisApiTests(LiveServer server) : IClassFixture<LiveServer>
{
    private async Task<(Session Session, Guid StudyId)> SessionWithNotesAsync()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
        await p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "The checkout button was hidden"));
        await o.Invoke("AddNote", Guid.NewGuid(), "Looked for the checkout button for a minute", new[] { "confused" }, null);
        await o.Invoke("AddNote", Guid.NewGuid(), "Likes the colours", new[] { "delight" }, null);
        return (session, session.StudyId);
    }

    [Fact]
    public async Task Timeline_FiltersAndPages()
    {
        var (session, _) = await SessionWithNotesAsync();

        var notes = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/timeline?type=note&tag=confused");
        var events = notes.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("Looked for the checkout button for a minute", Assert.Single(events).GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, notes.GetProperty("nextAfter").ValueKind);

        var first = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/timeline?type=note&type=answer&limit=2");
        Assert.Equal(2, first.GetProperty("events").GetArrayLength());
        var next = first.GetProperty("nextAfter").GetInt64();
        var rest = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/timeline?type=note&type=answer&limit=2&after={next}");
        Assert.Equal("Likes the colours", Assert.Single(rest.GetProperty("events").EnumerateArray().ToList()).GetProperty("text").GetString());

        var found = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/timeline?q=checkout%20butt");
        Assert.Equal(2, found.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Search_ReturnsHitsWithRunsThatMarkTheMatchedWords()
    {
        var (session, studyId) = await SessionWithNotesAsync();

        var hits = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{studyId}/search?q=hidden");

        var hit = Assert.Single(hits.EnumerateArray().ToList());
        Assert.Equal(session.Id, hit.GetProperty("sessionId").GetGuid());
        Assert.Equal("answer", hit.GetProperty("type").GetString());
        Assert.Equal("The checkout button was hidden", hit.GetProperty("snippet").GetString());
        var marked = hit.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("match").GetBoolean()).Select(r => r.GetProperty("text").GetString());
        Assert.Equal(["hidden"], marked);
    }

    [Theory]
    [InlineData("timeline?type=notes", "type")]
    [InlineData("timeline?limit=0", "limit")]
    [InlineData("timeline?limit=501", "limit")]
    [InlineData("timeline?after=-1", "after")]
    [InlineData("timeline?q=%2A%2A%2A", "q")]
    [InlineData("timeline?after=abc", null)]
    [InlineData("timeline?promptId=not-a-guid", null)]
    public async Task Timeline_BadQuery_Is400ProblemDetails(string query, string? field)
    {
        var (session, _) = await SessionWithNotesAsync();
        var response = await server.Http.GetAsync($"/api/sessions/{session.Id}/{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }
    }

    [Fact]
    public async Task Search_BadOrMissingQuery_Is400_UnknownIds_Are404_Anonymous_Is401()
    {
        var (session, studyId) = await SessionWithNotesAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync($"/api/studies/{studyId}/search")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync($"/api/studies/{studyId}/search?q=" + new string('a', 201))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/studies/{Guid.NewGuid()}/search?q=price")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/sessions/{Guid.NewGuid()}/timeline")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/sessions/{session.Id}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/studies/{studyId}/search?q=price")).StatusCode);
    }

    [Fact]
    public async Task Agreement_ReturnsTheObserversAndRows_AndRefusesAnOddWindow()
    {
        var (session, _) = await SessionWithNotesAsync();

        var agreement = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/agreement");
        // One observer tagged: agreement needs two, and the answer says so.
        Assert.Equal(1, agreement.GetProperty("observerCodes").GetArrayLength());
        Assert.Contains("at least two observers", agreement.GetProperty("unavailable").GetString(), StringComparison.Ordinal);
        Assert.Equal(30, agreement.GetProperty("windowSeconds").GetInt32());

        var odd = await server.Http.GetAsync($"/api/sessions/{session.Id}/agreement?windowSeconds=7");
        Assert.Equal(HttpStatusCode.BadRequest, odd.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/sessions/{Guid.NewGuid()}/agreement")).StatusCode);
    }
}
