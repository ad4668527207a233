using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The study-level metrics page pools two usability sessions that share a task's wording.</summary>
public sealed class StudyMetricsTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task MetricsPage_TwoSessionsWithTheSameTask_PoolsThem_DrawsTheInterval_AndPlansForTheChosenMargin()
    {
        var studyId = await api.CreateStudyAsync("Returns study");
        var first = await api.CreateSessionAsync(studyId, "Round 1", "usability", prompts:
        [
            new { kind = "task", text = "Find the returns policy", successCriteria = "Policy page open" },
            new { kind = "seq", text = "How easy was that?" },
            new { kind = "sus", text = "System Usability Scale" },
        ]);
        // Worded the same apart from capitals and spaces: pooled with the first session's task.
        var second = await api.CreateSessionAsync(studyId, "Round 2", "usability", prompts:
        [
            new { kind = "task", text = "find the  RETURNS policy" },
            new { kind = "seq", text = "How easy was that?" },
        ]);

        // Round 1: P1 succeeds after about 2 s, P2 fails. Round 2: P1 (another person) succeeds after about 3 s.
        var (p1Token, p1, _) = await api.JoinAsync(first.SessionId, "participant");
        var (p2Token, p2, _) = await api.JoinAsync(first.SessionId, "participant");
        var (p3Token, p3, _) = await api.JoinAsync(second.SessionId, "participant");
        await using (var facilitator = await HubDriver.FacilitatorAsync(fixture, first.SessionId))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("StartTask", first.PromptIds[0], p1);
            await facilitator.InvokeAsync("StartTask", first.PromptIds[0], p2);
            await Task.Delay(2_000);
            await facilitator.InvokeAsync("EndTask", first.PromptIds[0], p1, "success");
            await facilitator.InvokeAsync("EndTask", first.PromptIds[0], p2, "fail");
        }
        await using (var facilitator = await HubDriver.FacilitatorAsync(fixture, second.SessionId))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("StartTask", second.PromptIds[0], p3);
            await Task.Delay(3_000);
            await facilitator.InvokeAsync("EndTask", second.PromptIds[0], p3, "success");
        }
        await using (var participant = await HubDriver.ConnectAsync(fixture, p1Token))
        {
            await participant.InvokeAsync("Answer", first.PromptIds[1], new { rating = 6 });
            await participant.InvokeAsync("Answer", first.PromptIds[2], new { items = new[] { 4, 2, 4, 2, 4, 2, 4, 2, 4, 2 } });
        }
        await using (var participant = await HubDriver.ConnectAsync(fixture, p2Token))
        {
            await participant.InvokeAsync("Answer", first.PromptIds[1], new { rating = 3 });
            await participant.InvokeAsync("Answer", first.PromptIds[2], new { items = new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 } });
        }
        await using (var participant = await HubDriver.ConnectAsync(fixture, p3Token))
        {
            await participant.InvokeAsync("Answer", second.PromptIds[1], new { rating = 5 });
        }

        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1280, 900);
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}");
        await Pages.ScreenshotAsync(page, "study-metrics-link");
        await page.Locator("[data-testid=open-metrics]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);

        var task = page.Locator("[data-testid=study-task]");
        await Expect(task).ToHaveCountAsync(1);
        await Expect(task).ToContainTextAsync("Find the returns policy");
        await Expect(task).ToContainTextAsync("In 2 sessions");
        await Expect(task.Locator("[data-testid=task-completion]")).ToHaveTextAsync("2 of 3 succeeded (67%)");
        // Adjusted Wald for 2 of 3: 0.2024 to 0.9437.
        await Expect(task.Locator("[data-testid=task-interval-sentence]"))
            .ToHaveTextAsync("We can be 95% confident that between 20% and 94% of all users would complete this task.");
        await Expect(task.Locator("svg[role=img]").First)
            .ToHaveAttributeAsync("aria-label", "Completion rate 67%, 95% confidence interval 20% to 94%, on a scale from 0% to 100%.");
        await Expect(task.Locator("[data-testid=task-time-sentence]")).ToContainTextAsync("A typical successful attempt takes about");
        await Expect(task.Locator("[data-testid=task-seq]")).ToContainTextAsync("4.7 of 7");
        await Expect(page.Locator("[data-testid=sus-score]")).ToContainTextAsync("62.5 of 100");

        // ±10 points around 2 of 3 takes 83 participants; ±20 points takes 19 (the adjusted-Wald search of SampleSize).
        var plan = task.Locator("[data-testid=task-sample-size]");
        await Expect(plan).ToHaveTextAsync("To narrow this interval to ±10 points, test about 83 participants in total (80 more).");
        await Pages.ScreenshotAsync(page, "study-metrics-desktop");
        await Pages.SelectAsync(page, "margin-select", "±20 points");
        await Expect(plan).ToHaveTextAsync("To narrow this interval to ±20 points, test about 19 participants in total (16 more).");

        await page.SetViewportSizeAsync(390, 844);
        await Expect(task.Locator("[data-testid=task-completion]")).ToBeVisibleAsync();
        await Pages.ScreenshotAsync(page, "study-metrics-phone");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task MetricsPage_NoSessions_ThenATaskNotRunYet_ShowTheirEmptyStates()
    {
        var studyId = await api.CreateStudyAsync("Not started yet");
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1280, 900);
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}/metrics");
        await Expect(page.Locator("[data-testid=metrics-empty]")).ToContainTextAsync("No sessions yet.");
        await Pages.ScreenshotAsync(page, "study-metrics-empty");

        await api.CreateSessionAsync(studyId, "Round 1", "usability", prompts: [new { kind = "task", text = "Change the delivery address" }]);
        await Pages.GoAsync(page, $"/studies/{studyId}/metrics");
        var task = page.Locator("[data-testid=study-task]");
        await Expect(task.Locator("[data-testid=task-not-run]")).ToHaveTextAsync("No attempts ended yet.");
        await Expect(task.Locator("[data-testid=task-sample-size]"))
            .ToHaveTextAsync("For an interval of ±10 points, plan on about 93 participants (assuming about half succeed).");
        await Pages.ScreenshotAsync(page, "study-metrics-not-run");
        await page.Context.CloseAsync();
    }
}
