using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsvHelper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Highlights and tag matrices over HTTP on a real server, with events written over the hub.</summary>
public sealed class ReviewApiTests(LiveServer server) : IClassFixture<LiveServer>
{
    private const string SecretName = "Alice Secretname";
    private const string FormulaPrompt = "=HYPERLINK(\"http://evil\")";

    private sealed record Setup(Session Session, long NoteAboutP1, long Reaction, long Answer, long PromptShown);

    /// <summary>
    /// A session (tags confused, delight) whose participant P1 is invited by name. At prompt 1: P1 answers, O1 notes
    /// [confused] about P1, P1 reacts delight, O1 reacts confused. At prompt 2: O1 notes [delight, confused] about nobody.
    /// </summary>
    private async Task<Setup> SetupAsync(bool formulaPrompt = false)
    {
        var session = await server.CreateSessionAsync(mode: "focus-group");
        if (formulaPrompt)
        {
            var added = await server.Http.PutAsJsonAsync($"/api/sessions/{session.Id}/prompts/{session.Prompts[1].Id}", new { kind = "question", text = FormulaPrompt });
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }
        var invite = await server.Http.PostAsJsonAsync($"/api/sessions/{session.Id}/invites", new { role = Roles.Participant, name = SecretName });
        var token = (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        var participant = (await (await anonymous.PostAsJsonAsync("/api/join", new { token, displayName = SecretName })).Content.ReadFromJsonAsync<Member>())!;

        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await server.ConnectAsync(participant);
        await f.Invoke("StartSession", Guid.NewGuid());
        var shown = (await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id)).Seq;
        var answer = (await p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "The checkout button was hidden"))).Seq;
        var note = (await o.Invoke("AddNote", Guid.NewGuid(), "Looked for the checkout button", new[] { "confused" }, participant.MemberId)).Seq;
        var reaction = (await p.Invoke("React", Guid.NewGuid(), "delight")).Seq;
        await o.Invoke("React", Guid.NewGuid(), "confused");
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[1].Id);
        await o.Invoke("AddNote", Guid.NewGuid(), "Both at once", new[] { "delight", "confused" }, null);
        return new Setup(session, note, reaction, answer, shown);
    }

    private static string StarPath(Guid sessionId, object seq) => $"/api/sessions/{sessionId}/events/{seq}/star";

    [Fact]
    public async Task StarAndUnstar_Are204EveryTime_AndTheStudyListsTheHighlightWithCodes()
    {
        var s = await SetupAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PutAsync(StarPath(s.Session.Id, s.NoteAboutP1), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PutAsync(StarPath(s.Session.Id, s.NoteAboutP1), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PutAsync(StarPath(s.Session.Id, s.Answer), null)).StatusCode);

        var response = await server.Http.GetAsync($"/api/studies/{s.Session.StudyId}/highlights");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.Equal([s.Answer, s.NoteAboutP1], list.Select(h => h.GetProperty("event").GetProperty("seq").GetInt64()));
        var note = list[1];
        Assert.Equal("Live", note.GetProperty("sessionTitle").GetString());
        Assert.Equal(1, note.GetProperty("promptPosition").GetInt32());
        Assert.Equal("P1", note.GetProperty("participantCode").GetString());
        Assert.Equal("Looked for the checkout button", note.GetProperty("event").GetProperty("text").GetString());
        Assert.Equal(["confused"], note.GetProperty("event").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain(SecretName, body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync(StarPath(s.Session.Id, s.NoteAboutP1))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync(StarPath(s.Session.Id, s.NoteAboutP1))).StatusCode);
        var after = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/highlights");
        Assert.Equal([s.Answer], after.EnumerateArray().Select(h => h.GetProperty("event").GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task Star_OtherEventTypes_Are400_UnknownEventsAndIds_404()
    {
        var s = await SetupAsync();

        foreach (var seq in new[] { s.Reaction, s.PromptShown })
        {
            foreach (var response in new[] { await server.Http.PutAsync(StarPath(s.Session.Id, seq), null), await server.Http.DeleteAsync(StarPath(s.Session.Id, seq)) })
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Contains("Only notes and answers", problem.GetProperty("errors").GetProperty("seq")[0].GetString(), StringComparison.Ordinal);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PutAsync(StarPath(s.Session.Id, 99_999), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync(StarPath(s.Session.Id, 99_999))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PutAsync(StarPath(Guid.NewGuid(), s.NoteAboutP1), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PutAsync(StarPath(s.Session.Id, "abc"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/studies/{Guid.NewGuid()}/highlights")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_Is401_AndAMemberToken_403_OnEveryReviewEndpoint()
    {
        var s = await SetupAsync();
        var member = await server.MemberAsync(s.Session.Id, Roles.Observer);
        (HttpMethod Method, string Path)[] endpoints =
        [
            (HttpMethod.Put, StarPath(s.Session.Id, s.NoteAboutP1)),
            (HttpMethod.Delete, StarPath(s.Session.Id, s.NoteAboutP1)),
            (HttpMethod.Get, $"/api/studies/{s.Session.StudyId}/highlights"),
            (HttpMethod.Get, $"/api/studies/{s.Session.StudyId}/matrix?by=prompt"),
            (HttpMethod.Get, $"/api/studies/{s.Session.StudyId}/matrix.csv?by=participant"),
        ];
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        using var observer = new HttpClient { BaseAddress = server.Http.BaseAddress };
        observer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", member.AccessToken);
        foreach (var (method, path) in endpoints)
        {
            using var unsigned = new HttpRequestMessage(method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(unsigned)).StatusCode);
            using var asMember = new HttpRequestMessage(method, path);
            Assert.Equal(HttpStatusCode.Forbidden, (await observer.SendAsync(asMember)).StatusCode);
        }
        // Nothing was starred by them.
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/highlights")).EnumerateArray());
    }

    [Theory]
    [InlineData("matrix", "by")]
    [InlineData("matrix?by=tags", "by")]
    [InlineData("matrix?by=", "by")]
    [InlineData("matrix.csv?by=prompts", "by")]
    [InlineData("matrix.csv", "by")]
    [InlineData("matrix?by=prompt&session=not-a-guid", null)]
    public async Task Matrix_BadQuery_Is400ProblemDetails(string query, string? field)
    {
        var s = await SetupAsync();
        var response = await server.Http.GetAsync($"/api/studies/{s.Session.StudyId}/{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("by is prompt or participant.", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        }
    }

    [Fact]
    public async Task Matrix_UnknownStudy_OrASessionOfAnotherStudy_Is404()
    {
        var s = await SetupAsync();
        var other = await server.CreateSessionAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/studies/{Guid.NewGuid()}/matrix?by=prompt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/studies/{s.Session.StudyId}/matrix?by=prompt&session={other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/studies/{s.Session.StudyId}/matrix.csv?by=prompt&session={Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task Matrix_Json_HasTheHandCountedCells()
    {
        var s = await SetupAsync();

        var byPrompt = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/matrix?by=prompt&session={s.Session.Id}");
        Assert.Equal("prompt", byPrompt.GetProperty("by").GetString());
        Assert.Equal(["confused", "delight"], byPrompt.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var rows = byPrompt.GetProperty("rows").EnumerateArray().ToList();
        // Every prompt of the guide has a row; prompt 1: the note and O1's reaction (confused), P1's reaction (delight).
        Assert.Equal(6, rows.Count);
        Assert.Equal("1. What do you think?", rows[0].GetProperty("label").GetString());
        Assert.Equal([2, 1], rows[0].GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal(s.Session.Prompts[0].Id, rows[0].GetProperty("promptId").GetGuid());
        Assert.Equal([1, 1], rows[1].GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal([3, 2], byPrompt.GetProperty("tagTotals").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal(5, byPrompt.GetProperty("total").GetInt32());

        var byParticipant = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/matrix?by=PARTICIPANT");
        var people = byParticipant.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["P1", "(none)"], people.Select(r => r.GetProperty("label").GetString()));
        Assert.Equal([1, 1], people[0].GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal([2, 1], people[1].GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal("none", people[1].GetProperty("key").GetString());
        Assert.DoesNotContain(SecretName, byParticipant.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prompt", false)]
    [InlineData("participant", false)]
    [InlineData("prompt", true)]
    [InlineData("participant", true)]
    public async Task MatrixCsv_ParsesBackToTheJsonTable(string by, bool oneSession)
    {
        var s = await SetupAsync();
        var query = $"by={by}" + (oneSession ? $"&session={s.Session.Id}" : "");

        var json = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/matrix?{query}");
        var response = await server.Http.GetAsync($"/api/studies/{s.Session.StudyId}/matrix.csv?{query}");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith($"tags-by-{by}.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretName, Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        var (header, lines) = ParseCsv(body);
        var tags = json.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal([by, "sessions", .. tags, "total"], header);
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Count + 1, lines.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(
                [rows[i].GetProperty("label").GetString()!, string.Join("; ", rows[i].GetProperty("sessions").EnumerateArray().Select(x => x.GetString())),
                 .. rows[i].GetProperty("counts").EnumerateArray().Select(c => c.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                 rows[i].GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)],
                lines[i]);
        }
        Assert.Equal(
            ["total", "", .. json.GetProperty("tagTotals").EnumerateArray().Select(c => c.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)), "5"],
            lines[^1]);
    }

    [Fact]
    public async Task MatrixCsv_AFormulaInAPrompt_IsNeutralisedWithAnApostrophe()
    {
        var s = await SetupAsync(formulaPrompt: true);

        // In one session a prompt's label starts with its position, so it is no formula; at study level it is the wording alone.
        var session = ParseCsv(await server.Http.GetByteArrayAsync($"/api/studies/{s.Session.StudyId}/matrix.csv?by=prompt&session={s.Session.Id}")).Lines;
        Assert.Equal("2. " + FormulaPrompt, session[1][0]);
        var json = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.Session.StudyId}/matrix?by=prompt");
        Assert.Equal(FormulaPrompt, json.GetProperty("rows")[1].GetProperty("label").GetString());

        var body = await server.Http.GetByteArrayAsync($"/api/studies/{s.Session.StudyId}/matrix.csv?by=prompt");

        Assert.Equal("'" + FormulaPrompt, ParseCsv(body).Lines[1][0]);
        Assert.DoesNotMatch("(^|\n|,)\"?=HYPERLINK", Encoding.UTF8.GetString(body));
    }

    private static (string[] Header, List<string[]> Lines) ParseCsv(byte[] body)
    {
        using var reader = CsvReader.Create(new MemoryStream(body), new CsvReaderOptions { Separator = ',' }, leaveOpen: false);
        var header = reader.Headers.ToArray();
        var lines = new List<string[]>();
        while (reader.Read())
        {
            Assert.Equal(header.Length, reader.FieldCount);
            lines.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }
        return (header, lines);
    }
}
