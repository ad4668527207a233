using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The review after a session: search a study for a phrase, open its place in the timeline, filter the timeline.</summary>
public sealed class ReviewTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task Search_ForAPhrase_OpensItsPlaceInTheTimeline_WhichFilters()
    {
        var studyId = await api.CreateStudyAsync("Checkout review");
        var session = await api.CreateSessionAsync(studyId, "Checkout, round 1", "focus-group", tags: ["confused", "pricing"], prompts:
        [
            new { kind = "question", text = "How do you pay for things online?" },
            new { kind = "question", text = "What stopped you today?" },
        ]);
        var observer = await api.JoinAsync(session.SessionId, "observer");
        var participant = await api.JoinAsync(session.SessionId, "participant");
        await using (var f = await HubDriver.FacilitatorAsync(fixture, session.SessionId))
        await using (var o = await HubDriver.ConnectAsync(fixture, observer.Token))
        await using (var p = await HubDriver.ConnectAsync(fixture, participant.Token))
        {
            await f.InvokeAsync("StartSession");
            await f.InvokeAsync("ShowPrompt", session.PromptIds[0]);
            await p.InvokeAsync("Answer", session.PromptIds[0], new { text = "Card, saved in the browser" });
            for (var i = 1; i <= 12; i++)
            {
                await o.InvokeAsync("AddNote", $"Filler note {i}", Array.Empty<string>(), null);
            }
            await f.InvokeAsync("ShowPrompt", session.PromptIds[1]);
            await p.InvokeAsync("Answer", session.PromptIds[1], new { text = "The delivery cost appeared only at the very end" });
            await o.InvokeAsync("AddNote", "Surprised by the delivery cost at the last step", new[] { "pricing" }, participant.MemberId);
            await o.InvokeAsync("AddNote", "Scrolled past the promo code box", new[] { "confused" }, null);
            await f.InvokeAsync("EndSession");
        }

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}");
        await page.Locator("[data-testid=open-search]").ClickAsync();
        await Expect(page.Locator("[data-testid=search-idle]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=study-search]").FillAsync("\"delivery cost\"");
        await page.Locator("[data-testid=study-search]").PressAsync("Enter");

        await Expect(page.Locator("[data-testid=search-hit]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=search-count]")).ToContainTextAsync("2 matches");
        await Expect(page.Locator("[data-testid=search-snippet] mark").First).ToHaveTextAsync("delivery cost");
        Assert.Contains("q=", page.Url, StringComparison.Ordinal);
        await Pages.ScreenshotAsync(page, "review-search");

        // The note's result opens the timeline at that note, marked, with the events before it for context.
        await page.Locator("[data-testid=search-hit]", new() { HasTextString = "Surprised by" }).ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=timeline-heading]")).ToBeVisibleAsync();
        var target = page.Locator(".sr-timeline-target");
        await Expect(target).ToContainTextAsync("Surprised by the delivery cost at the last step");
        await Expect(target).ToContainTextAsync("about " + participant.Code);
        await Expect(target).ToBeInViewportAsync();
        await Expect(page.Locator("[data-testid=timeline-item]", new() { HasTextString = "Card, saved in the browser" })).ToHaveCountAsync(0);
        await Pages.ScreenshotAsync(page, "review-timeline-target");

        // Filtering starts again from the first event: only the pricing-tagged note.
        await Pages.SelectAsync(page, "timeline-tag", "pricing");
        await Expect(page.Locator("[data-testid=timeline-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=timeline-count]")).ToContainTextAsync("Showing 1 event");
        await page.Locator("[data-testid=timeline-clear]").ClickAsync();
        await Expect(page.Locator("[data-testid=timeline-item]", new() { HasTextString = "Card, saved in the browser" })).ToHaveCountAsync(1);
        await page.Locator("[data-testid=timeline-search]").FillAsync("promo");
        await page.Locator("[data-testid=timeline-search]").PressAsync("Enter");
        await Expect(page.Locator("[data-testid=timeline-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=timeline-item]")).ToContainTextAsync("Scrolled past the promo code box");
        await page.Locator("[data-testid=timeline-search]").FillAsync("nothing-like-this");
        await page.Locator("[data-testid=timeline-search]").PressAsync("Enter");
        await Expect(page.Locator("[data-testid=timeline-empty]")).ToContainTextAsync("No events match these filters");

        // A mistyped link still shows the timeline, from the start.
        await Pages.GoAsync(page, $"/sessions/{session.SessionId}/timeline?seq=abc");
        await Expect(page.Locator("[data-testid=timeline-item]", new() { HasTextString = "Card, saved in the browser" })).ToHaveCountAsync(1);
        await Expect(page.Locator(".sr-timeline-target")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Agreement_ForABlindSession_ShowsKappaPerTagAndPrompt_AndChangesWithTheMomentLength()
    {
        var studyId = await api.CreateStudyAsync("Agreement study");
        var session = await api.CreateSessionAsync(studyId, "Blind round", "focus-group", tags: ["confused", "delight"], prompts:
        [
            new { kind = "question", text = "What do you think of the home page?" },
        ]);
        await api.PutAsync($"/api/sessions/{session.SessionId}", new { title = "Blind round", mode = "focus-group", tags = new[] { "confused", "delight" }, blind = true });
        var o1 = await api.JoinAsync(session.SessionId, "observer");
        var o2 = await api.JoinAsync(session.SessionId, "observer");
        await using (var f = await HubDriver.FacilitatorAsync(fixture, session.SessionId))
        await using (var a = await HubDriver.ConnectAsync(fixture, o1.Token))
        await using (var b = await HubDriver.ConnectAsync(fixture, o2.Token))
        {
            await f.InvokeAsync("StartSession");
            await f.InvokeAsync("ShowPrompt", session.PromptIds[0]);
            // Within the first moment: both tag "confused", only one tags "delight".
            await a.InvokeAsync("AddNote", "Lost on the menu", new[] { "confused" }, null);
            await b.InvokeAsync("AddNote", "Hunting for the menu", new[] { "confused", "delight" }, null);
            await f.InvokeAsync("EndSession");
        }

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/sessions/{session.SessionId}");
        await page.Locator("[data-testid=open-agreement]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=agreement-summary]")).ToContainTextAsync("2 observers (O1, O2) tagged 1 moment");
        var byTag = page.Locator("[data-testid=agreement-by-tag] [data-testid=agreement-row]");
        await Expect(byTag).ToHaveCountAsync(2);
        // One moment, both applied "confused": perfect agreement; "delight" split 1-1: 0% agreement.
        await Expect(byTag.Nth(0)).ToContainTextAsync("100%");
        await Expect(byTag.Nth(1)).ToContainTextAsync("0%");
        await Expect(page.Locator("[data-testid=agreement-by-prompt] [data-testid=agreement-row]")).ToContainTextAsync("What do you think of the home page?");
        await Pages.ScreenshotAsync(page, "review-agreement");
        await Pages.SelectAsync(page, "agreement-window", "120 seconds");
        await Expect(page.Locator("[data-testid=agreement-summary]")).ToContainTextAsync("tagged 1 moment");
        await page.Context.CloseAsync();
    }
}
