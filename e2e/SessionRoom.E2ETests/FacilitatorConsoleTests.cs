using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The facilitator runs a session from the console while a participant answers over the hub.</summary>
public sealed class FacilitatorConsoleTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task Console_StartShowNext_SeesAnswersArriveAsBars_AndEnds()
    {
        var studyId = await api.CreateStudyAsync("Console study");
        var session = await api.CreateSessionAsync(studyId, "Pricing focus group", "focus-group", tags: ["pricing"], prompts:
        [
            new { kind = "question", text = "How do you pay for software today?" },
            new { kind = "poll", text = "Which plan would you pick?", options = new[] { "Free", "Pro", "Team" } },
        ]);
        var sessionId = session.SessionId;
        var pollId = session.PromptIds[1];
        var (participantToken, _, participantCode) = await api.JoinAsync(sessionId, "participant");
        var (observerToken, _, _) = await api.JoinAsync(sessionId, "observer");

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/sessions/{sessionId}");
        await page.Locator("[data-testid=open-console]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=start-session]")).ToBeVisibleAsync();

        await using var participant = await HubDriver.ConnectAsync(fixture, participantToken);
        await using var observer = await HubDriver.ConnectAsync(fixture, observerToken);
        // The facilitator's own console counts as online too.
        await Expect(page.Locator("[data-testid=console-online]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=console-online]", new() { HasTextString = participantCode })).ToBeVisibleAsync();

        await page.Locator("[data-testid=start-session]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Start session" }).ClickAsync();
        await Expect(page.Locator("[data-testid=current-prompt-text]")).ToHaveTextAsync("How do you pay for software today?");
        await Expect(page.Locator(".sr-guide-current")).ToContainTextAsync("How do you pay");

        await participant.InvokeAsync("Answer", session.PromptIds[0], new { text = "A card, monthly" });
        await Expect(page.Locator("[data-testid=console-answer]")).ToContainTextAsync("A card, monthly");
        await Expect(page.Locator("[data-testid=console-answer]")).ToContainTextAsync(participantCode);

        await page.Locator("[data-testid=console]").FocusAsync();
        await page.Keyboard.PressAsync("n");
        await Expect(page.Locator("[data-testid=current-prompt-text]")).ToHaveTextAsync("Which plan would you pick?");
        await Expect(page.Locator("[data-testid=not-answered]")).ToContainTextAsync($"Waiting for {participantCode}");
        await participant.InvokeAsync("Answer", pollId, new { choices = new[] { 1 } });
        await Expect(page.Locator("[data-testid=answer-count]")).ToHaveTextAsync("1");
        await Expect(page.Locator(".sr-bar-row", new() { HasTextString = "Pro" })).ToContainTextAsync("1");
        await Expect(page.Locator("[data-testid=not-answered]")).ToContainTextAsync("Everyone online has answered");

        await observer.InvokeAsync("MessageBackroom", "Ask why not Team?");
        await observer.InvokeAsync("AddNote", "Hesitated on price", new[] { "pricing" }, null);
        await Expect(page.Locator("[data-testid=console-feed-item]")).ToHaveCountAsync(2);
        await Expect(page.Locator(".sr-feed-message")).ToContainTextAsync("Ask why not Team?");
        await Expect(page.Locator("[data-testid=unread]")).ToHaveTextAsync("2 new");
        await Pages.ScreenshotAsync(page, "console-live");
        await page.Locator("[data-testid=unread]").ClickAsync();
        await Expect(page.Locator("[data-testid=unread]")).ToHaveCountAsync(0);

        await page.Locator("[data-testid=end-session]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Expect(page.Locator("[data-testid=status-chip]").First).ToHaveTextAsync("Ended");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Console_UsabilityTask_StartPauseSuccess_UpdatesCompletionRateAndIntervalForFacilitatorAndObserver()
    {
        var studyId = await api.CreateStudyAsync("Usability study");
        var session = await api.CreateSessionAsync(studyId, "Checkout test", "usability", prompts:
        [
            new { kind = "task", text = "Buy a blue mug", successCriteria = "Confirmation shown" },
            new { kind = "seq", text = "How easy was that?" },
        ]);
        var (participantToken, _, participantCode) = await api.JoinAsync(session.SessionId, "participant");
        await using var participant = await HubDriver.ConnectAsync(fixture, participantToken);
        var observer = await api.JoinAsync(session.SessionId, "observer");
        var observerPage = await Pages.OpenObserverRoomAsync(fixture, session.SessionId, observer.Token);

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/sessions/{session.SessionId}/live");
        await page.Locator("[data-testid=start-session]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Start session" }).ClickAsync();
        await Expect(page.Locator("[data-testid=metric-task]")).ToContainTextAsync("No attempt ended yet");

        var row = page.Locator("[data-testid=task-row]", new() { HasTextString = participantCode });
        await row.Locator("[data-testid=start-task]").ClickAsync();
        await Expect(row).ToContainTextAsync("Running");
        await row.Locator("[data-testid=pause-task]").ClickAsync();
        await Expect(row.Locator("[data-testid=task-timer]")).ToContainTextAsync("Paused at");
        await Expect(row.Locator("[data-testid=pause-task]")).ToHaveTextAsync("Resume");
        await row.Locator("[data-testid=pause-task]").ClickAsync();
        await Expect(row.Locator("[data-testid=task-timer]")).ToContainTextAsync("Running");
        await Expect(observerPage.Locator("[data-testid=metric-task]")).ToContainTextAsync("No attempt ended yet");
        await row.GetByRole(AriaRole.Button, new() { Name = "success" }).ClickAsync();

        // 1 of 1 by adjusted Wald: p = 2.9208 / 4.8416 = 0.603, half-width 1.96 * sqrt(0.603 * 0.397 / 4.8416) = 0.436, so 17% to 100%.
        await Expect(page.Locator("[data-testid=metric-task]")).ToContainTextAsync("1 of 1 succeeded (100%)");
        await Expect(page.Locator("[data-testid=metric-task] [data-testid=metric-interval]")).ToContainTextAsync("17%–100%");
        await Expect(page.Locator("[data-testid=metric-plan]")).ToContainTextAsync("±10 points needs about");
        // The observers' room shows the same figures, live.
        await Expect(observerPage.Locator("[data-testid=metric-task]")).ToContainTextAsync("1 of 1 succeeded (100%)");
        await Expect(observerPage.Locator("[data-testid=metric-task] [data-testid=metric-interval]")).ToContainTextAsync("17%–100%");

        await page.Locator("[data-testid=next-prompt]").ClickAsync();
        await participant.InvokeAsync("Answer", session.PromptIds[1], new { rating = 6 });
        await Expect(page.Locator("[data-testid=metric-seq]")).ToContainTextAsync("mean 6.0 of 7");
        await Expect(observerPage.Locator("[data-testid=metric-seq]")).ToContainTextAsync("mean 6.0 of 7");
        await Pages.ScreenshotAsync(page, "console-usability");
        await Pages.ScreenshotAsync(observerPage, "observer-usability");
        await observerPage.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
