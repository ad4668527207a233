using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests;

/// <summary><c>SessionRoom:Metrics:PartialCountsAsSuccess</c>: off by default (API.md), and when set the exports count "partial" as completed.</summary>
public sealed class PartialCountsAsSuccessTests
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData("false", 1)]
    [InlineData("true", 2)]
    public async Task ExportMetrics_CountPartialOnlyWhenConfigured(string? setting, int expectedSuccesses)
    {
        var settings = setting is null ? null : new Dictionary<string, string> { ["SessionRoom:Metrics:PartialCountsAsSuccess"] = setting };
        await using var factory = new SessionRoomFactory(null, SessionRoomFactory.Key, settings);
        using var client = factory.CreateFacilitatorClient();
        var studyId = await client.CreateStudy("Partial");
        var session = (await client.CreateSession(studyId,
            """{"title":"Partial","mode":"usability","prompts":[{"kind":"task","text":"Buy a mug"}]}""")).Deserialize<Session>(JsonSerializerOptions.Web)!;
        var members = factory.Services.GetRequiredService<MemberStore>();
        var live = factory.Services.GetRequiredService<LiveService>();
        var f = members.FacilitatorMember(session.Id, "Facilitator");
        var facilitator = new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName);
        await live.WriteAsync(facilitator, new StartSession(Guid.NewGuid()));
        foreach (var outcome in new[] { "success", "partial", "fail" })
        {
            var m = members.Join(members.CreateInvite(session.Id, Roles.Participant, null).Token, null)!;
            await live.WriteAsync(facilitator, new StartTask(Guid.NewGuid(), session.Prompts[0].Id, m.MemberId));
            await live.WriteAsync(facilitator, new EndTask(Guid.NewGuid(), session.Prompts[0].Id, m.MemberId, outcome));
        }

        var export = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.Id}/export?format=json");

        var metrics = export.GetProperty("metrics");
        Assert.Equal(setting == "true", metrics.GetProperty("partialCountsAsSuccess").GetBoolean());
        var task = metrics.GetProperty("tasks")[0];
        Assert.Equal(expectedSuccesses, task.GetProperty("successes").GetInt32());
        Assert.Equal(CompletionRate.AdjustedWald(expectedSuccesses, 3).Lower, task.GetProperty("low").GetDouble(), 12);
    }
}
