using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class StudiesApiTests(SessionRoomFactory factory)
{
    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    [Fact]
    public async Task Healthz_Anonymous_Returns200()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task App_Started_UsesConfiguredDataDirectory()
    {
        await _client.CreateStudy();
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, SessionRoom.Data.Db.FileName)));
    }

    [Fact]
    public async Task CreateStudy_Valid_Returns201WithLocationAndCamelCaseBody()
    {
        var response = await _client.PostJson("/api/studies", """{"name":"  Checkout redesign ","goal":"Why people abandon"}""");

        var json = await Expect(response, HttpStatusCode.Created);
        AssertProperties(json, "id", "name", "goal");
        var id = json.GetProperty("id").GetGuid();
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal("Checkout redesign", json.GetProperty("name").GetString());
        Assert.Equal("Why people abandon", json.GetProperty("goal").GetString());
        Assert.Equal($"/api/studies/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task CreateStudy_NoGoal_ReturnsNullGoal()
    {
        var json = await Expect(await _client.PostJson("/api/studies", """{"name":"Only a name"}"""), HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("goal").ValueKind);
    }

    [Fact]
    public async Task ListStudies_AfterCreatingSessions_IncludesSessionCount()
    {
        var studyId = await _client.CreateStudy("Listed study");
        await _client.CreateSession(studyId);
        await _client.CreateSession(studyId);

        var list = await Expect(await _client.GetAsync("/api/studies"), HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        var item = list.EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == studyId);
        AssertProperties(item, "id", "name", "goal", "sessionCount");
        Assert.Equal("Listed study", item.GetProperty("name").GetString());
        Assert.Equal(2, item.GetProperty("sessionCount").GetInt32());
    }

    [Fact]
    public async Task GetStudy_Existing_ReturnsCodebookAndSessions()
    {
        var studyId = await _client.CreateStudy("Detailed");
        await Expect(await _client.PutJson($"/api/studies/{studyId}/codebook", """[{"name":"confused","color":"#e53935","hotkey":1}]"""), HttpStatusCode.OK);
        var session = await _client.CreateSession(studyId);

        var json = await Expect(await _client.GetAsync($"/api/studies/{studyId}"), HttpStatusCode.OK);

        AssertProperties(json, "id", "name", "goal", "consentText", "codebook", "sessions");
        Assert.Equal("Detailed", json.GetProperty("name").GetString());
        var tag = Assert.Single(json.GetProperty("codebook").EnumerateArray().ToList());
        AssertProperties(tag, "name", "color", "hotkey");
        Assert.Equal("#E53935", tag.GetProperty("color").GetString());
        var summary = Assert.Single(json.GetProperty("sessions").EnumerateArray().ToList());
        AssertProperties(summary, "id", "studyId", "title", "mode", "status", "promptCount", "createdUtc");
        Assert.Equal(session.GetProperty("id").GetGuid(), summary.GetProperty("id").GetGuid());
        Assert.Equal(2, summary.GetProperty("promptCount").GetInt32());
    }

    [Fact]
    public async Task UpdateStudy_Valid_ChangesNameAndGoal()
    {
        var studyId = await _client.CreateStudy("Before");

        var json = await Expect(await _client.PutJson($"/api/studies/{studyId}", """{"name":"After","goal":"New goal"}"""), HttpStatusCode.OK);

        AssertProperties(json, "id", "name", "goal");
        Assert.Equal("After", json.GetProperty("name").GetString());
        var read = await Expect(await _client.GetAsync($"/api/studies/{studyId}"), HttpStatusCode.OK);
        Assert.Equal("After", read.GetProperty("name").GetString());
        Assert.Equal("New goal", read.GetProperty("goal").GetString());
    }

    [Fact]
    public async Task SetCodebook_Valid_ReturnsTagsInOrder()
    {
        var studyId = await _client.CreateStudy();

        var json = await Expect(await _client.PutJson($"/api/studies/{studyId}/codebook",
            """[{"name":"pricing","color":"#FB8C00","hotkey":3},{"name":"delight","color":"#43A047","hotkey":null}]"""), HttpStatusCode.OK);

        Assert.Equal(["pricing", "delight"], json.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(3, json[0].GetProperty("hotkey").GetInt32());
        Assert.Equal(JsonValueKind.Null, json[1].GetProperty("hotkey").ValueKind);
    }

    [Fact]
    public async Task SetCodebook_DuplicateHotkey_Returns400WithField()
    {
        var studyId = await _client.CreateStudy();

        var problem = await ExpectProblem(await _client.PutJson($"/api/studies/{studyId}/codebook",
            """[{"name":"a","color":"#000000","hotkey":1},{"name":"b","color":"#000000","hotkey":1}]"""), HttpStatusCode.BadRequest);

        FieldErrors(problem, "tags[1].hotkey");
    }

    [Fact]
    public async Task SetCodebook_NullBody_Returns400()
    {
        var studyId = await _client.CreateStudy();
        await ExpectProblem(await _client.PutJson($"/api/studies/{studyId}/codebook", "null"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateSession_TagsOmitted_UsesCodebookNames()
    {
        var studyId = await _client.CreateStudy();
        await Expect(await _client.PutJson($"/api/studies/{studyId}/codebook",
            """[{"name":"confused","color":"#E53935","hotkey":1},{"name":"delight","color":"#43A047","hotkey":2}]"""), HttpStatusCode.OK);

        var session = await _client.CreateSession(studyId, """{"title":"No tags","mode":"usability"}""");

        Assert.Equal(["confused", "delight"], session.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Empty(session.GetProperty("prompts").EnumerateArray());
    }

    [Fact]
    public async Task ListSessions_Study_ReturnsItsSessionsOnly()
    {
        var studyId = await _client.CreateStudy();
        var otherId = await _client.CreateStudy();
        var a = await _client.CreateSession(studyId);
        await _client.CreateSession(otherId);

        var list = await Expect(await _client.GetAsync($"/api/studies/{studyId}/sessions"), HttpStatusCode.OK);

        var item = Assert.Single(list.EnumerateArray().ToList());
        Assert.Equal(a.GetProperty("id").GetGuid(), item.GetProperty("id").GetGuid());
        Assert.Equal(studyId, item.GetProperty("studyId").GetGuid());
        Assert.Equal("draft", item.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ListSessions_EmptyStudy_ReturnsEmptyArray()
    {
        var studyId = await _client.CreateStudy();
        var list = await Expect(await _client.GetAsync($"/api/studies/{studyId}/sessions"), HttpStatusCode.OK);
        Assert.Empty(list.EnumerateArray());
    }

    [Fact]
    public async Task CreateStudy_SerializedRecord_RoundTripsThroughGet()
    {
        var created = await _client.PostAsJsonAsync("/api/studies", new { name = "Typed", goal = (string?)null });
        var id = (await Expect(created, HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var read = await Expect(await _client.GetAsync($"/api/studies/{id}"), HttpStatusCode.OK);

        Assert.Equal(id, read.GetProperty("id").GetGuid());
        Assert.Empty(read.GetProperty("codebook").EnumerateArray());
        Assert.Empty(read.GetProperty("sessions").EnumerateArray());
    }
}
