using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Realtime;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

/// <summary><c>GET /api/studies/{id}/export</c>: every session of the study in one file, codes not names, VTT refused.</summary>
[Collection(ApiCollection.Name)]
public sealed class StudyExportApiTests(SessionRoomFactory factory)
{
    private const string SecretName = "Quentinzed Orbison";
    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    private async Task<(Guid StudyId, List<Session> Sessions)> StudyWithTwoSessionsAsync()
    {
        var members = factory.Services.GetRequiredService<MemberStore>();
        var live = factory.Services.GetRequiredService<LiveService>();
        var studyId = await _client.CreateStudy("Study export");
        var sessions = new List<Session>();
        foreach (var title in new[] { "Round one", "Round two" })
        {
            var session = (await _client.CreateSession(studyId,
                $$"""{"title":"{{title}}","mode":"focus-group","prompts":[{"kind":"question","text":"Why?"}]}""")).Deserialize<Session>(JsonSerializerOptions.Web)!;
            var f = members.FacilitatorMember(session.Id, "Facilitator");
            var facilitator = new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName);
            var p = members.Join(members.CreateInvite(session.Id, Roles.Participant, null).Token, SecretName)!;
            var participant = new Caller(p.MemberId, session.Id, p.Role, p.Code, p.DisplayName);
            await live.WriteAsync(facilitator, new StartSession(Guid.NewGuid()));
            await live.WriteAsync(facilitator, new ShowPrompt(Guid.NewGuid(), session.Prompts[0].Id));
            await live.WriteAsync(participant, new GiveAnswer(Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: $"Because of {title}")));
            await live.WriteAsync(facilitator, new EndSession(Guid.NewGuid()));
            sessions.Add(session);
        }
        return (studyId, sessions);
    }

    [Fact]
    public async Task Csv_HasEveryEventOfEverySession_WithTheSessionColumn()
    {
        var (studyId, sessions) = await StudyWithTwoSessionsAsync();

        var response = await _client.GetAsync($"/api/studies/{studyId}/export?format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("attachment; filename=\"study-export-", response.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        var body = await response.Content.ReadAsByteArrayAsync();
        var rows = ExportApiTests.ParseCsv(body);

        Assert.Equal(["Round one", "Round two"], rows.Select(r => r["session"]).Distinct());
        foreach (var session in sessions)
        {
            var events = (await Expect(await _client.GetAsync($"/api/sessions/{session.Id}/events"), HttpStatusCode.OK)).EnumerateArray().ToList();
            Assert.Equal(events.Select(e => e.GetProperty("seq").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                rows.Where(r => r["session"] == session.Title).Select(r => r["seq"]));
        }
        Assert.Contains(rows, r => r["text"] == "Because of Round two");
        Assert.DoesNotContain(SecretName, Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonAndMarkdown_HoldEverySession()
    {
        var (studyId, sessions) = await StudyWithTwoSessionsAsync();

        var json = await Expect(await _client.GetAsync($"/api/studies/{studyId}/export?format=json"), HttpStatusCode.OK);
        Assert.Equal("Study export", json.GetProperty("name").GetString());
        Assert.Equal(sessions.Select(s => s.Id), json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("session").GetProperty("id").GetGuid()));
        Assert.DoesNotContain(SecretName, json.GetRawText(), StringComparison.Ordinal);

        var md = await (await _client.GetAsync($"/api/studies/{studyId}/export?format=md&includeNames=true")).Content.ReadAsStringAsync();
        Assert.StartsWith("# Study export", md, StringComparison.Ordinal);
        Assert.Contains("Round one", md, StringComparison.Ordinal);
        Assert.Contains("Because of Round two", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vtt_BadFormat_AndUnknownStudy_AreRefused()
    {
        var studyId = await _client.CreateStudy("Refusals");
        var vtt = await _client.GetAsync($"/api/studies/{studyId}/export?format=vtt");
        Assert.Equal(HttpStatusCode.BadRequest, vtt.StatusCode);
        Assert.Contains("per session", await vtt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/api/studies/{studyId}/export?format=xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/studies/{Guid.NewGuid()}/export?format=csv")).StatusCode);
        var empty = await _client.GetAsync($"/api/studies/{studyId}/export?format=md");
        Assert.Contains("no sessions yet", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
