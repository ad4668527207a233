using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>The affinity board over HTTP on a real server (/api/studies/{id}/themes, cards and theme-suggestions), with notes written over the hub.</summary>
public sealed class ThemesApiTests(LiveServer server) : IClassFixture<LiveServer>
{
    private sealed record Setup(Session Session, Guid StudyId, Dictionary<string, long> Seqs);

    /// <summary>A session whose notes fall into two clear groups (pricing, the export button), plus an odd one out and a reaction.</summary>
    private async Task<Setup> StudyWithNotesAsync()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
        var seqs = new Dictionary<string, long>();
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
        seqs["answer"] = (await p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "The price is too expensive for us"))).Seq;
        seqs["reaction"] = (await p.Invoke("React", Guid.NewGuid(), "delight")).Seq;
        foreach (var text in new[]
        {
            "Monthly price too expensive", "Expensive price again", "Export button hidden", "Could not find the export button",
            "The export button is hidden", "Loves the colours",
        })
        {
            seqs[text] = (await o.Invoke("AddNote", Guid.NewGuid(), text, Array.Empty<string>(), null)).Seq;
        }
        return new Setup(session, session.StudyId, seqs);
    }

    private async Task<JsonElement> CreateThemeAsync(Guid studyId, string name)
    {
        var response = await server.Http.PostAsJsonAsync($"/api/studies/{studyId}/themes", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var theme = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/studies/{studyId}/themes/{theme.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        return theme;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), problem.ToString());
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }
    }

    [Fact]
    public async Task Board_CreateMoveRenameMergeDelete_RoundTrip()
    {
        var s = await StudyWithNotesAsync();
        var board = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/themes");
        Assert.Equal(0, board.GetProperty("themes").GetArrayLength());
        Assert.Equal(7, board.GetProperty("poolTotal").GetInt32());
        var answer = board.GetProperty("pool").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "answer");
        Assert.Equal("The price is too expensive for us", answer.GetProperty("text").GetString());
        Assert.Equal("P1", answer.GetProperty("actorCode").GetString());
        Assert.Equal(s.Session.Id, answer.GetProperty("sessionId").GetGuid());
        Assert.Equal("Live", answer.GetProperty("sessionTitle").GetString());
        Assert.Equal(1, answer.GetProperty("promptPosition").GetInt32());

        var pricing = await CreateThemeAsync(s.StudyId, "  Pricing ");
        Assert.Equal("Pricing", pricing.GetProperty("name").GetString());
        var pricingId = pricing.GetProperty("id").GetGuid();
        var exportTheme = await CreateThemeAsync(s.StudyId, "Export");
        var exportId = exportTheme.GetProperty("id").GetGuid();

        var moved = await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{pricingId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs["answer"] });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        moved = await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{pricingId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs["Monthly price too expensive"], position = 1 });
        var theme = await moved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["Monthly price too expensive", "The price is too expensive for us"], theme.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
        await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{exportId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs["Export button hidden"] });

        var renamed = await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{pricingId}", new { name = "Price worries" });
        Assert.Equal("Price worries", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());

        var merged = await server.Http.PostAsJsonAsync($"/api/studies/{s.StudyId}/themes/{exportId}/merge", new { into = pricingId });
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal(3, (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cards").GetArrayLength());

        var back = await server.Http.DeleteAsync($"/api/studies/{s.StudyId}/cards/{s.Session.Id}/{s.Seqs["answer"]}");
        Assert.Equal(HttpStatusCode.NoContent, back.StatusCode);
        board = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/themes");
        var only = Assert.Single(board.GetProperty("themes").EnumerateArray().ToList());
        Assert.Equal(2, only.GetProperty("cards").GetArrayLength());
        Assert.Equal(5, board.GetProperty("poolTotal").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync($"/api/studies/{s.StudyId}/themes/{pricingId}")).StatusCode);
        board = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/themes");
        Assert.Equal(0, board.GetProperty("themes").GetArrayLength());
        Assert.Equal(7, board.GetProperty("poolTotal").GetInt32());
    }

    [Fact]
    public async Task Refusals_AreProblemDetails_WithTheRightStatus()
    {
        var s = await StudyWithNotesAsync();
        var themeId = (await CreateThemeAsync(s.StudyId, "Pricing")).GetProperty("id").GetGuid();
        var themes = $"/api/studies/{s.StudyId}/themes";

        await AssertProblemAsync(await server.Http.PostAsJsonAsync(themes, new { name = "" }), HttpStatusCode.BadRequest, "name");
        await AssertProblemAsync(await server.Http.PostAsJsonAsync(themes, new { name = new string('x', 81) }), HttpStatusCode.BadRequest, "name");
        await AssertProblemAsync(await server.Http.PostAsJsonAsync(themes, new { name = "PRICING" }), HttpStatusCode.Conflict);
        await AssertProblemAsync(await server.Http.PostJson(themes, """{"name": "A", "colour": "red"}"""), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await server.Http.PostAsJsonAsync($"/api/studies/{Guid.NewGuid()}/themes", new { name = "A" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{Guid.NewGuid()}", new { name = "A" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.PostAsJsonAsync($"{themes}/{themeId}/merge", new { into = themeId }), HttpStatusCode.BadRequest, "into");
        await AssertProblemAsync(await server.Http.PostAsJsonAsync($"{themes}/{themeId}/merge", new { }), HttpStatusCode.BadRequest, "into");
        await AssertProblemAsync(await server.Http.PostAsJsonAsync($"{themes}/{themeId}/merge", new { into = Guid.NewGuid() }), HttpStatusCode.NotFound);
        // Cards: only notes and answers with text, of this study, at a position that exists.
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{themeId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs["reaction"] }), HttpStatusCode.BadRequest, "seq");
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{themeId}/cards", new { sessionId = s.Session.Id, seq = 9999 }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{themeId}/cards", new { sessionId = s.Session.Id }), HttpStatusCode.BadRequest, "seq");
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{themeId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs["answer"], position = 5 }), HttpStatusCode.BadRequest, "position");
        var other = await StudyWithNotesAsync();
        await AssertProblemAsync(await server.Http.PutAsJsonAsync($"{themes}/{themeId}/cards", new { sessionId = other.Session.Id, seq = other.Seqs["answer"] }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.DeleteAsync($"/api/studies/{s.StudyId}/cards/{other.Session.Id}/{other.Seqs["answer"]}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.GetAsync($"/api/studies/{Guid.NewGuid()}/themes"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await server.Http.GetAsync($"/api/studies/{s.StudyId}/themes/not-a-guid/cards"), HttpStatusCode.NotFound);

        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(themes)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(themes, new { name = "X" })).StatusCode);
        var member = await server.MemberAsync(s.Session.Id, Roles.Observer);
        using var asMember = new HttpRequestMessage(HttpMethod.Get, themes);
        asMember.Headers.Authorization = new("Bearer", member.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(asMember)).StatusCode);

        // Nothing of the refused requests was stored.
        var board = await server.Http.GetFromJsonAsync<JsonElement>(themes);
        var theme = Assert.Single(board.GetProperty("themes").EnumerateArray().ToList());
        Assert.Equal(0, theme.GetProperty("cards").GetArrayLength());
    }

    [Fact]
    public async Task Suggestions_GroupClearlyAlikeNotes_WithTopTerms_Deterministically()
    {
        var s = await StudyWithNotesAsync();

        var suggestions = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/theme-suggestions");

        var groups = suggestions.EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        var texts = groups.Select(g => g.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("text").GetString()!).Order(StringComparer.Ordinal).ToList()).ToList();
        Assert.Contains(texts, t => t.SequenceEqual(["Could not find the export button", "Export button hidden", "The export button is hidden"]));
        Assert.Contains(texts, t => t.SequenceEqual(["Expensive price again", "Monthly price too expensive", "The price is too expensive for us"]));
        Assert.All(groups, g =>
        {
            Assert.Equal(3, g.GetProperty("count").GetInt32());
            Assert.InRange(g.GetProperty("topTerms").GetArrayLength(), 1, 3);
            Assert.False(string.IsNullOrWhiteSpace(g.GetProperty("name").GetString()));
        });
        var export = groups.Single(g => g.GetProperty("cards")[0].GetProperty("text").GetString()!.Contains("xport", StringComparison.Ordinal));
        Assert.Contains("export", export.GetProperty("topTerms").EnumerateArray().Select(t => t.GetString()));
        var again = await server.Http.GetStringAsync($"/api/studies/{s.StudyId}/theme-suggestions");
        Assert.Equal(suggestions.GetRawText(), JsonDocument.Parse(again).RootElement.GetRawText());

        // At threshold 1 only notes with the same words (stop words aside) group.
        var strict = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/theme-suggestions?threshold=1");
        Assert.Equal(["Export button hidden", "The export button is hidden"],
            Assert.Single(strict.EnumerateArray().ToList()).GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("text").GetString()));

        // A suggestion's cards made into a theme leave the pool and the suggestions.
        var themeId = (await CreateThemeAsync(s.StudyId, export.GetProperty("name").GetString()!)).GetProperty("id").GetGuid();
        foreach (var card in export.GetProperty("cards").EnumerateArray())
        {
            var put = await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{themeId}/cards", new { sessionId = card.GetProperty("sessionId").GetGuid(), seq = card.GetProperty("seq").GetInt64() });
            put.EnsureSuccessStatusCode();
        }
        var rest = await server.Http.GetFromJsonAsync<JsonElement>($"/api/studies/{s.StudyId}/theme-suggestions?threshold=0.3");
        Assert.Equal(1, rest.GetArrayLength());
        Assert.Contains("price", rest[0].GetProperty("topTerms").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task JsonExport_CarriesTheThemesHoldingTheSessionsCards()
    {
        var s = await StudyWithNotesAsync();
        var before = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{s.Session.Id}/export?format=json");
        Assert.False(before.TryGetProperty("themes", out _), "no themes yet: the field is left out");

        var pricingId = (await CreateThemeAsync(s.StudyId, "Pricing")).GetProperty("id").GetGuid();
        await CreateThemeAsync(s.StudyId, "Empty");
        foreach (var key in new[] { "Expensive price again", "answer" })
        {
            (await server.Http.PutAsJsonAsync($"/api/studies/{s.StudyId}/themes/{pricingId}/cards", new { sessionId = s.Session.Id, seq = s.Seqs[key] })).EnsureSuccessStatusCode();
        }

        var export = await server.Http.GetFromJsonAsync<JsonElement>($"/api/sessions/{s.Session.Id}/export?format=json");
        var theme = Assert.Single(export.GetProperty("themes").EnumerateArray().ToList());
        Assert.Equal(pricingId, theme.GetProperty("id").GetGuid());
        Assert.Equal("Pricing", theme.GetProperty("name").GetString());
        Assert.Equal([s.Seqs["Expensive price again"], s.Seqs["answer"]], theme.GetProperty("seqs").EnumerateArray().Select(x => x.GetInt64()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    [InlineData("NaN")]
    public async Task Suggestions_ThresholdOutOfRange_Is400(string threshold)
    {
        var s = await StudyWithNotesAsync();
        await AssertProblemAsync(await server.Http.GetAsync($"/api/studies/{s.StudyId}/theme-suggestions?threshold={threshold}"), HttpStatusCode.BadRequest, "threshold");
    }

    [Fact]
    public async Task Suggestions_NotANumber_Is400_UnknownStudy_Is404()
    {
        var s = await StudyWithNotesAsync();
        var response = await server.Http.GetAsync($"/api/studies/{s.StudyId}/theme-suggestions?threshold=abc");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertProblemAsync(await server.Http.GetAsync($"/api/studies/{Guid.NewGuid()}/theme-suggestions"), HttpStatusCode.NotFound);
    }
}

/// <summary>The in-process fan-out that keeps open boards in step: per study, every subscriber, until disposed.</summary>
public sealed class BoardChangesTests
{
    [Fact]
    public void Publish_ReachesTheStudysSubscribersOnly_UntilTheyDispose_AndOneFailingDoesNotStopTheOthers()
    {
        var changes = new SessionRoom.Web.Realtime.BoardChanges(Microsoft.Extensions.Logging.Abstractions.NullLogger<SessionRoom.Web.Realtime.BoardChanges>.Instance);
        var (study, other) = (Guid.NewGuid(), Guid.NewGuid());
        var seen = new List<string>();
        using var failing = changes.Subscribe(study, _ => throw new InvalidOperationException("a broken page"));
        var first = changes.Subscribe(study, c => seen.Add("first " + c.What));
        using var second = changes.Subscribe(study, c => seen.Add("second " + c.What));
        using var elsewhere = changes.Subscribe(other, c => seen.Add("elsewhere " + c.What));

        changes.Publish(new SessionRoom.Web.Realtime.BoardChange(study, "card-moved"));
        first.Dispose();
        changes.Publish(new SessionRoom.Web.Realtime.BoardChange(study, "theme-created"));

        Assert.Equal(["first card-moved", "second card-moved", "second theme-created"], seen.Order(StringComparer.Ordinal));
        Assert.Equal(2, changes.SubscriberCount(study));
    }
}
