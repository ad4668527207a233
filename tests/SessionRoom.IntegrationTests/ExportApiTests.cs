using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Realtime;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

/// <summary>
/// <c>GET /api/sessions/{id}/export</c> over a session run through the real live engine (event writer, presence,
/// SQLite file): every format, names kept out unless asked for, formula injection, and refusals.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ExportApiTests(SessionRoomFactory factory)
{
    // Distinctive names, so their absence from a whole body means something.
    private const string AliceName = "Alicezed Quimby";
    private const string BobName = "Bobzed Yarrow";
    private const string CarolName = "Carolzed Uxley";
    private const string OscarName = "Oscarzed Vantablack";
    private const string Injection = "=cmd|' /C calc'!A0";

    private static readonly string[] AllNames = [AliceName, BobName, CarolName, OscarName];

    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    /// <summary>A usability session that has run: three participants and an observer joined, answered, did a task (2 of 3 succeeded), took notes.</summary>
    private sealed record Scenario(Guid SessionId, Session Session, Caller Observer, IReadOnlyList<Caller> Participants);

    private async Task<Scenario> RunSessionAsync()
    {
        var services = factory.Services;
        var members = services.GetRequiredService<MemberStore>();
        var live = services.GetRequiredService<LiveService>();
        var studyId = await _client.CreateStudy("Export study");
        var created = await _client.CreateSession(studyId,
            """
            {"title":"Checkout test, round 1","mode":"usability","tags":["confused","pricing"],"prompts":[
              {"kind":"question","text":"What do you use today?"},
              {"kind":"poll","text":"Which plan?","options":["Free","Pro"]},
              {"kind":"task","text":"Buy a blue mug","successCriteria":"Order confirmation shown"},
              {"kind":"seq","text":"How easy was that?"},
              {"kind":"sus","text":"System Usability Scale"}]}
            """);
        var session = created.Deserialize<Session>(JsonSerializerOptions.Web)!;
        var (question, poll, task, seq, sus) = (session.Prompts[0].Id, session.Prompts[1].Id, session.Prompts[2].Id, session.Prompts[3].Id, session.Prompts[4].Id);

        var f = CallerOf(members.FacilitatorMember(session.Id, "Facilitator"));
        var participants = new[] { AliceName, BobName, CarolName }.Select(name => Join(members, session.Id, Roles.Participant, name)).ToList();
        var observer = Join(members, session.Id, Roles.Observer, OscarName);
        // Presence writes member-joined, whose data carries the display name.
        foreach (var member in participants.Append(observer))
        {
            await live.ConnectedAsync(member, "connection-" + member.Code, () => { });
        }

        await live.WriteAsync(f, new StartSession(Guid.NewGuid()));
        await live.WriteAsync(f, new ShowPrompt(Guid.NewGuid(), question));
        await live.WriteAsync(participants[0], new GiveAnswer(Guid.NewGuid(), question, new AnswerInput(Text: "A spreadsheet, mostly")));
        await live.WriteAsync(participants[0], new React(Guid.NewGuid(), "confused"));
        await live.WriteAsync(observer, new AddNote(Guid.NewGuid(), Injection, ["pricing"], participants[0].MemberId));
        await live.WriteAsync(observer, new MessageBackroom(Guid.NewGuid(), "Ask about <b>plans</b> next"));
        await live.WriteAsync(f, new ShowPrompt(Guid.NewGuid(), poll));
        await live.WriteAsync(participants[1], new GiveAnswer(Guid.NewGuid(), poll, new AnswerInput(Choices: [1])));
        await live.WriteAsync(f, new ShowPrompt(Guid.NewGuid(), task));
        var outcomes = new[] { "success", "fail", "success" };
        for (var i = 0; i < participants.Count; i++)
        {
            await live.WriteAsync(f, new StartTask(Guid.NewGuid(), task, participants[i].MemberId));
            await live.WriteAsync(f, new EndTask(Guid.NewGuid(), task, participants[i].MemberId, outcomes[i]));
        }
        await live.WriteAsync(f, new ShowPrompt(Guid.NewGuid(), seq));
        await live.WriteAsync(participants[0], new GiveAnswer(Guid.NewGuid(), seq, new AnswerInput(Rating: 6)));
        await live.WriteAsync(f, new ShowPrompt(Guid.NewGuid(), sus));
        // SUS scores 72.5 and 70.0: mean 71.25.
        await live.WriteAsync(participants[0], new GiveAnswer(Guid.NewGuid(), sus, new AnswerInput(Items: [4, 2, 4, 2, 4, 2, 4, 2, 4, 3])));
        await live.WriteAsync(participants[1], new GiveAnswer(Guid.NewGuid(), sus, new AnswerInput(Items: [4, 2, 4, 2, 4, 2, 4, 2, 3, 3])));
        await live.WriteAsync(observer, new AddNote(Guid.NewGuid(), "Wraps up --> quickly\n\n\nsecond line", ["confused"], null));
        await live.WriteAsync(f, new EndSession(Guid.NewGuid()));
        await live.DisconnectedAsync(participants[2], "connection-" + participants[2].Code);
        return new Scenario(session.Id, session, observer, participants);
    }

    private static Caller Join(MemberStore members, Guid sessionId, string role, string name)
    {
        var (_, token) = members.CreateInvite(sessionId, role, null);
        return CallerOf(members.Join(token, name)!);
    }

    private static Caller CallerOf(Member m) => new(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName);

    private async Task<List<JsonElement>> EventsAsync(Guid sessionId) =>
        (await Expect(await _client.GetAsync($"/api/sessions/{sessionId}/events"), HttpStatusCode.OK)).EnumerateArray().ToList();

    private async Task<(HttpResponseMessage Response, byte[] Body)> ExportAsync(Guid sessionId, string query)
    {
        var response = await _client.GetAsync($"/api/sessions/{sessionId}/export?{query}");
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        return (response, body);
    }

    private static string Text(byte[] body) => new UTF8Encoding(false).GetString(body).TrimStart('\uFEFF');

    internal static List<Dictionary<string, string>> ParseCsv(byte[] body)
    {
        using var reader = CsvReader.Create(new MemoryStream(body), new CsvReaderOptions { Separator = ',' }, leaveOpen: false);
        var rows = new List<Dictionary<string, string>>();
        var headers = reader.Headers.ToArray();
        while (reader.Read())
        {
            Assert.Equal(headers.Length, reader.FieldCount);
            rows.Add(headers.Select((h, i) => (h, v: reader.GetString(i))).ToDictionary(x => x.h, x => x.v));
        }
        return rows;
    }

    [Theory]
    [InlineData("csv", "text/csv")]
    [InlineData("json", "application/json")]
    [InlineData("md", "text/markdown")]
    [InlineData("vtt", "text/vtt")]
    public async Task Export_EachFormat_IsAnAttachmentWithItsContentTypeAndName(string format, string mediaType)
    {
        var s = await RunSessionAsync();

        var (response, body) = await ExportAsync(s.SessionId, $"format={format}");

        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        if (format != "json")
        {
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        }
        var disposition = response.Content.Headers.GetValues("Content-Disposition").Single();
        var match = FileNamePattern().Match(disposition);
        Assert.True(match.Success, disposition);
        Assert.Equal(format, match.Groups["ext"].Value);
        // The session's date, the day it started (today, in UTC, give or take a midnight during the test).
        var date = DateTime.ParseExact(match.Groups["date"].Value, "yyyyMMdd", CultureInfo.InvariantCulture);
        Assert.InRange((DateTime.UtcNow.Date - date).TotalDays, 0, 1);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.NotEmpty(body);
    }

    [Fact]
    public async Task Csv_OneRowPerEventOfEveryAudience_WithCodesAndNoNames()
    {
        var s = await RunSessionAsync();
        var events = await EventsAsync(s.SessionId);

        var (_, body) = await ExportAsync(s.SessionId, "format=csv");
        var rows = ParseCsv(body);

        Assert.Equal(ExportCsv.Header(includeNames: false), rows[0].Keys);
        Assert.Equal(events.Select(e => e.GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["seq"]));
        Assert.Equal(events.Select(e => e.GetProperty("type").GetString()), rows.Select(r => r["type"]));
        Assert.Equal(["backroom", "room"], rows.Select(r => r["audience"]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["F1", "O1", "P1", "P2", "P3"], rows.Select(r => r["actorCode"]).Distinct().Order(StringComparer.Ordinal));

        var answer = rows.Single(r => r["type"] == "answer" && r["promptKind"] == "question");
        Assert.Equal(("1", "P1", "A spreadsheet, mostly"), (answer["promptPosition"], answer["participantCode"], answer["text"]));
        Assert.Equal("""{"text":"A spreadsheet, mostly"}""", answer["data"]);
        var joined = rows.First(r => r["type"] == "member-joined");
        Assert.Equal("""{"role":"participant","code":"P1"}""", joined["data"]);
        var text = Text(body);
        Assert.All(AllNames, name => Assert.DoesNotContain(name, text, StringComparison.Ordinal));
        Assert.DoesNotContain("displayName", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_FormulaInNote_IsNeutralisedWithAnApostrophe()
    {
        var s = await RunSessionAsync();

        var (_, body) = await ExportAsync(s.SessionId, "format=csv");
        var note = ParseCsv(body).Single(r => r["type"] == "note" && r["tags"] == "pricing");

        Assert.Equal("'" + Injection, note["text"]);
        Assert.Equal(("O1", "P1"), (note["actorCode"], note["participantCode"]));
        var text = Text(body);
        Assert.Contains("\"'=cmd|' /C calc'!A0\"", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(^|,)""?=cmd", text);
    }

    [Fact]
    public async Task IncludeNames_EveryFormatShowsThem()
    {
        var s = await RunSessionAsync();

        var csv = ParseCsv((await ExportAsync(s.SessionId, "format=csv&includeNames=true")).Body);
        var json = JsonDocument.Parse((await ExportAsync(s.SessionId, "format=json&includeNames=true")).Body).RootElement;
        var md = Text((await ExportAsync(s.SessionId, "format=md&includeNames=true")).Body);
        var vtt = Text((await ExportAsync(s.SessionId, "format=vtt&includeNames=true")).Body);

        Assert.Equal(ExportCsv.Header(includeNames: true), csv[0].Keys);
        Assert.Contains(csv, r => r["actorCode"] == "O1" && r["actorName"] == OscarName);
        Assert.Contains(csv, r => r["participantCode"] == "P1" && r["participantName"] == AliceName);
        Assert.Contains(csv, r => r["type"] == "member-joined" && r["data"].Contains(BobName, StringComparison.Ordinal));
        Assert.Contains(json.GetProperty("members").EnumerateArray(), m => m.GetProperty("code").GetString() == "P3" && m.GetProperty("displayName").GetString() == CarolName);
        Assert.Contains($"P1 ({AliceName})", md, StringComparison.Ordinal);
        Assert.Contains($"O1 ({OscarName}): ", vtt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutIncludeNames_NoFormatContainsAParticipantOrObserverName()
    {
        var s = await RunSessionAsync();

        foreach (var query in new[] { "format=csv", "format=json", "format=md", "format=vtt", "format=json&includeNames=false" })
        {
            var text = Text((await ExportAsync(s.SessionId, query)).Body);
            Assert.All(AllNames, name => Assert.DoesNotContain(name, text, StringComparison.Ordinal));
            Assert.DoesNotContain("displayName", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Json_RoundTrips_EventsMatchTheEventsEndpoint_AndMetricsComeFromCore()
    {
        var s = await RunSessionAsync();
        var events = await EventsAsync(s.SessionId);

        var (_, body) = await ExportAsync(s.SessionId, "format=json");
        var root = JsonDocument.Parse(body).RootElement;
        var export = JsonSerializer.Deserialize<SessionExport>(body, JsonSerializerOptions.Web)!;

        AssertProperties(root, "session", "prompts", "members", "events", "metrics");
        Assert.Equal("Checkout test, round 1", export.Session.Title);
        Assert.Equal("Export study", export.Session.StudyName);
        Assert.Equal(s.Session.Prompts.Select(p => p.Id), export.Prompts.Select(p => p.Id));
        Assert.Equal(["F1", "O1", "P1", "P2", "P3"], export.Members.Select(m => m.Code).Order(StringComparer.Ordinal));
        Assert.All(root.GetProperty("members").EnumerateArray(), m => AssertProperties(m, "memberId", "role", "code"));
        Assert.Equal(events.Select(e => e.GetProperty("seq").GetInt64()), export.Events.Select(e => e.Seq));
        // Every event as on the wire; member events lose only their displayName.
        var exported = root.GetProperty("events").EnumerateArray().ToList();
        for (var i = 0; i < events.Count; i++)
        {
            var type = events[i].GetProperty("type").GetString();
            if (type is EventTypes.MemberJoined or EventTypes.MemberLeft)
            {
                Assert.Equal(events[i].GetProperty("data").GetProperty("code").GetString(), exported[i].GetProperty("data").GetProperty("code").GetString());
                AssertProperties(exported[i].GetProperty("data"), "role", "code");
            }
            else
            {
                Assert.Equal(events[i].GetRawText(), exported[i].GetRawText());
            }
        }

        var metrics = export.Metrics;
        Assert.False(metrics.PartialCountsAsSuccess);
        var task = Assert.Single(metrics.Tasks);
        var expected = CompletionRate.AdjustedWald(2, 3);
        Assert.Equal((s.Session.Prompts[2].Id, 3, 2, 3), (task.PromptId, task.Position, task.Successes, task.Attempts));
        Assert.Equal(2.0 / 3, task.Rate!.Value, 12);
        Assert.Equal(expected.Lower, task.Low!.Value, 12);
        Assert.Equal(expected.Upper, task.High!.Value, 12);
        var seq = Assert.Single(metrics.Seq);
        Assert.Equal((1, 6.0), (seq.N, seq.Mean));
        var sus = Assert.Single(metrics.Sus);
        // Unrounded in JSON.
        Assert.Equal((2, 71.25), (sus.N, sus.Mean));
        Assert.Equal(71.25, root.GetProperty("metrics").GetProperty("sus")[0].GetProperty("mean").GetDouble());
        AssertProperties(root.GetProperty("metrics").GetProperty("tasks")[0],
            "promptId", "position", "text", "successes", "attempts", "rate", "low", "high", "timeOnTask");
    }

    [Fact]
    public async Task Markdown_HasGuideAnswersNotesAndMetricsTable_WithSusToOneDecimal()
    {
        var s = await RunSessionAsync();

        var md = Text((await ExportAsync(s.SessionId, "format=md")).Body);

        Assert.StartsWith("# Checkout test, round 1\n", md, StringComparison.Ordinal);
        Assert.Contains("- Study: Export study\n", md, StringComparison.Ordinal);
        Assert.Contains("3. **Usability task:** Buy a blue mug\n", md, StringComparison.Ordinal);
        Assert.Contains("**P1**\n\n> A spreadsheet, mostly\n", md, StringComparison.Ordinal);
        Assert.Contains("| Pro | 1 |", md, StringComparison.Ordinal);
        Assert.Contains("**O1** message: Ask about &lt;b&gt;plans&lt;/b&gt; next", md, StringComparison.Ordinal);
        Assert.Contains("**O1** note about P1 [pricing]: \\=cmd\\|' /C calc'!A0", md, StringComparison.Ordinal);
        Assert.Contains("| Task | Success | Rate | 95% interval | Time on task (geometric mean) |", md, StringComparison.Ordinal);
        var interval = CompletionRate.AdjustedWald(2, 3);
        Assert.Contains($"| 3. Buy a blue mug | 2 of 3 | 67% | {interval.Lower * 100:0}%–{interval.Upper * 100:0}% |", md, StringComparison.Ordinal);
        Assert.Contains("| 5. SUS | 2 | 71.3 |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("71.25", md, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vtt_NotesAndMessagesAsCues_ShiftedByOffset()
    {
        var s = await RunSessionAsync();
        var events = await EventsAsync(s.SessionId);
        var notes = events.Where(e => e.GetProperty("type").GetString() is "note" or "backroom-message").ToList();

        var vtt = Text((await ExportAsync(s.SessionId, "format=vtt&offsetMs=5000")).Body);

        Assert.StartsWith("WEBVTT\n\n", vtt, StringComparison.Ordinal);
        var cues = vtt.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(c => c.Split('\n')).ToList();
        Assert.Equal(notes.Count, cues.Count);
        for (var i = 0; i < notes.Count; i++)
        {
            var start = notes[i].GetProperty("atMs").GetInt64() + 5000;
            Assert.Equal(notes[i].GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture), cues[i][0]);
            Assert.StartsWith(WebVtt.Timestamp(start) + " --> ", cues[i][1], StringComparison.Ordinal);
        }
        Assert.Equal($"O1: {Injection} [pricing]", cues[0][2]);
        Assert.Equal("O1: Ask about &lt;b&gt;plans&lt;/b&gt; next", cues[1][2]);
        Assert.Equal(["O1: Wraps up --&gt; quickly", "second line [confused]"], cues[2][2..]);
    }

    [Theory]
    [InlineData("", "format")]
    [InlineData("format=xlsx", "format")]
    [InlineData("format=", "format")]
    [InlineData("format=csv&format=json", "format")]
    [InlineData("format=csv&includeNames=yes", "includeNames")]
    [InlineData("format=csv&includeNames=1", "includeNames")]
    [InlineData("format=vtt&offsetMs=86400001", "offsetMs")]
    [InlineData("format=vtt&offsetMs=-86400001", "offsetMs")]
    [InlineData("format=vtt&offsetMs=soon", "offsetMs")]
    [InlineData("format=vtt&offsetMs=1e3", "offsetMs")]
    public async Task Export_BadQuery_Is400NamingTheField(string query, string field)
    {
        var sessionId = (await _client.CreateSession(await _client.CreateStudy())).GetProperty("id").GetGuid();

        var problem = await ExpectProblem(await _client.GetAsync($"/api/sessions/{sessionId}/export?{query}"), HttpStatusCode.BadRequest);

        var messages = FieldErrors(problem, field);
        if (field == "format")
        {
            Assert.Contains("csv, json, md, vtt", messages[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Export_UnknownSession_Is404() =>
        await ExpectProblem(await _client.GetAsync($"/api/sessions/{Guid.NewGuid()}/export?format=csv"), HttpStatusCode.NotFound);

    [Fact]
    public async Task Export_NotAGuid_Is404() =>
        await ExpectProblem(await _client.GetAsync("/api/sessions/nope/export?format=csv"), HttpStatusCode.NotFound);

    [Fact]
    public async Task Export_WithoutCredentials_Is401_AndWithAMemberToken_Is403()
    {
        var sessionId = (await _client.CreateSession(await _client.CreateStudy())).GetProperty("id").GetGuid();
        var invite = await _client.CreateInvite(sessionId);
        var member = await Expect(await factory.CreateClient().PostAsJsonAsync("/api/join", new { token = invite.GetProperty("token").GetString() }), HttpStatusCode.OK);

        await ExpectProblem(await factory.CreateClient().GetAsync($"/api/sessions/{sessionId}/export?format=csv"), HttpStatusCode.Unauthorized);
        var asMember = factory.CreateClient().WithBearer(member.GetProperty("accessToken").GetString()!);
        await ExpectProblem(await asMember.GetAsync($"/api/sessions/{sessionId}/export?format=json&includeNames=true"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Export_DraftSessionWithoutEvents_GivesHeaderOnlyFiles()
    {
        var sessionId = (await _client.CreateSession(await _client.CreateStudy())).GetProperty("id").GetGuid();

        var csv = ParseCsv((await ExportAsync(sessionId, "format=csv")).Body);
        var vtt = Text((await ExportAsync(sessionId, "format=vtt")).Body);
        var json = JsonDocument.Parse((await ExportAsync(sessionId, "format=json")).Body).RootElement;

        Assert.Empty(csv);
        Assert.Equal("WEBVTT\n\n", vtt);
        Assert.Equal(0, json.GetProperty("events").GetArrayLength());
    }

    [GeneratedRegex("""^attachment; filename="checkout-test-round-1-(?<date>\d{8})\.(?<ext>[a-z]+)"$""")]
    private static partial Regex FileNamePattern();
}
