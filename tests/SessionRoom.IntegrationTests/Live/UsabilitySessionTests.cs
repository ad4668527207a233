using System.Net.Http.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>
/// A usability session run over the hub end to end: three participants, two tasks, an SEQ after
/// each and SUS at the end; the metrics computed from the stored events are the hand-worked ones.
/// </summary>
public sealed class UsabilitySessionTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task ThreeParticipantsTwoTasks_MetricsMatchTheHandWorkedFigures()
    {
        var session = await CreateAsync();
        var (taskA, seqA, taskB, seqB, sus) = (session.Prompts[0], session.Prompts[1], session.Prompts[2], session.Prompts[3], session.Prompts[4]);
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var people = new List<LiveClient>();
        for (var i = 0; i < 3; i++)
        {
            people.Add(await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant)));
        }
        var (p1, p2, p3) = (people[0].Member.MemberId, people[1].Member.MemberId, people[2].Member.MemberId);
        await f.Invoke("StartSession", Guid.NewGuid());

        // Task A: P1 fails once and then succeeds (the last attempt counts), P2 succeeds, P3 fails.
        await f.Invoke("ShowPrompt", Guid.NewGuid(), taskA.Id);
        await RunAsync(f, taskA, p1, "fail", 50);
        await RunAsync(f, taskA, p1, "success", 120);
        await RunAsync(f, taskA, p2, "success", 240);
        await RunAsync(f, taskA, p3, "fail", 60);
        await AnswerSeqAsync(people, seqA, 6, 5, 2);

        // Task B: P1 succeeds with a pause in the middle, P2 partial (not a success by default), P3 gives up.
        await f.Invoke("ShowPrompt", Guid.NewGuid(), taskB.Id);
        await f.Invoke("StartTask", Guid.NewGuid(), taskB.Id, p1);
        await Task.Delay(100);
        await f.Invoke("PauseTask", Guid.NewGuid(), taskB.Id, p1);
        await Task.Delay(600);
        await f.Invoke("ResumeTask", Guid.NewGuid(), taskB.Id, p1);
        await Task.Delay(100);
        await f.Invoke("EndTask", Guid.NewGuid(), taskB.Id, p1, "success");
        await RunAsync(f, taskB, p2, "partial", 80);
        await RunAsync(f, taskB, p3, "gave-up", 80);
        await AnswerSeqAsync(people, seqB, 7, 3, 1);

        await f.Invoke("ShowPrompt", Guid.NewGuid(), sus.Id);
        await people[0].Invoke("Answer", Guid.NewGuid(), sus.Id, new AnswerInput(Items: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]));
        await people[1].Invoke("Answer", Guid.NewGuid(), sus.Id, new AnswerInput(Items: [5, 1, 5, 1, 5, 1, 5, 1, 5, 1]));
        await people[2].Invoke("Answer", Guid.NewGuid(), sus.Id, new AnswerInput(Items: [4, 2, 4, 2, 4, 2, 4, 2, 4, 2]));
        await f.Invoke("EndSession", Guid.NewGuid());

        var events = await server.AllEventsAsync(session.Id);

        // Adjusted Wald, z = 1.96 (Sauro and Lewis 2005), worked by hand:
        // 2 of 3: p' = (2 + 1.9208) / 6.8416 = 0.5731, se = sqrt(p'(1-p')/6.8416) = 0.1891, 0.5731 -/+ 0.3707.
        var a = SessionMetrics.ForTask(events, taskA);
        Assert.Equal((2, 3), (a.Completion!.Successes, a.Completion.Attempts));
        Assert.Equal(0.2024, a.Completion.Interval.Lower, 3);
        Assert.Equal(0.9437, a.Completion.Interval.Upper, 3);
        // 1 of 3: p' = 2.9208 / 6.8416 = 0.4269, the same se: 0.4269 -/+ 0.3707.
        var b = SessionMetrics.ForTask(events, taskB);
        Assert.Equal((1, 3), (b.Completion!.Successes, b.Completion.Attempts));
        Assert.Equal(0.0563, b.Completion.Interval.Lower, 3);
        Assert.Equal(0.7976, b.Completion.Interval.Upper, 3);
        Assert.Equal((2, 3), (SessionMetrics.ForTask(events, taskB, partialCountsAsSuccess: true).Completion!.Successes, 3));

        // Time on task: the successes' server-clock durations; P1's 600 ms pause is not in task B's time.
        var successesA = Durations(events, taskA, "success");
        Assert.Equal(2, a.Time!.Count);
        Assert.Equal(Math.Sqrt(successesA[0] * successesA[1]) / 1000, a.Time.GeometricMean, 6);
        Assert.InRange(successesA.Min(), 100, successesA.Max());
        var timeB = Assert.Single(Durations(events, taskB, "success"));
        Assert.InRange(timeB, 180, 650);
        Assert.Equal(timeB / 1000.0, b.Time!.GeometricMean, 6);

        // SEQ means (each participant's answer): (6 + 5 + 2) / 3 and (7 + 3 + 1) / 3.
        Assert.Equal(13 / 3.0, SessionMetrics.ForSeq(events, seqA)!.Mean, 9);
        Assert.Equal(11 / 3.0, SessionMetrics.ForSeq(events, seqB)!.Mean, 9);

        // SUS: all 3s score 50, the best answers 100, the 4/2 pattern 75; mean 75, sd 25, t(2) = 4.303.
        var s = SessionMetrics.ForSus(events, sus)!;
        Assert.Equal([50.0, 75.0, 100.0], s.Scores.Order());
        Assert.Equal(75, s.Mean, 9);
        Assert.Equal(3, s.Count);

        foreach (var p in people)
        {
            Assert.DoesNotContain(p.Events, e => e.Audience == Audiences.Backroom);
            await p.DisposeAsync();
        }
    }

    private static List<long> Durations(IEnumerable<SessionEvent> events, Prompt task, string outcome) =>
        events.Where(e => e.Type == EventTypes.TaskEnded && e.PromptId == task.Id && e.Data.GetProperty("outcome").GetString() == outcome)
            .Select(e => e.Data.GetProperty("durationMs").GetInt64()).ToList();

    private static async Task RunAsync(LiveClient f, Prompt task, Guid participant, string outcome, int ms)
    {
        await f.Invoke("StartTask", Guid.NewGuid(), task.Id, participant);
        await Task.Delay(ms);
        await f.Invoke("EndTask", Guid.NewGuid(), task.Id, participant, outcome);
    }

    private static async Task AnswerSeqAsync(List<LiveClient> people, Prompt seq, params int[] ratings)
    {
        for (var i = 0; i < people.Count; i++)
        {
            await people[i].Invoke("Answer", Guid.NewGuid(), seq.Id, new AnswerInput(Rating: ratings[i]));
        }
    }

    private async Task<Session> CreateAsync()
    {
        var study = await server.Http.PostAsJsonAsync("/api/studies", new { name = "Usability end to end" });
        var studyId = (await study.Content.ReadFromJsonAsync<IdOnly>())!.Id;
        var response = await server.Http.PostAsJsonAsync($"/api/studies/{studyId}/sessions", new
        {
            title = "Checkout, round 1",
            mode = "usability",
            prompts = new object[]
            {
                new { kind = "task", text = "Find a blue mug", successCriteria = "Mug in basket" },
                new { kind = "seq", text = "How easy was finding the mug?" },
                new { kind = "task", text = "Pay by card", successCriteria = "Confirmation shown" },
                new { kind = "seq", text = "How easy was paying?" },
                new { kind = "sus", text = "System Usability Scale" },
            },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Session>())!;
    }

    private sealed record IdOnly(Guid Id);
}
