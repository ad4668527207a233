using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The tag matrix (heat maps whose cells open their events) and highlights (stars given in the timeline, gathered per study).</summary>
public sealed class MatrixTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task Matrix_CellOpensTheFilteredTimeline_WhereAStarredNote_ReachesTheHighlights()
    {
        var studyId = await api.CreateStudyAsync("Checkout study");
        await api.SetCodebookAsync(studyId,
            new { name = "confused", color = "#E53935", hotkey = 1 },
            new { name = "delight", color = "#43A047", hotkey = 2 },
            new { name = "pricing", color = "#FB8C00", hotkey = 3 });
        var session = await api.CreateSessionAsync(studyId, "Checkout, round 1", "focus-group", prompts:
        [
            new { kind = "question", text = "How do you pay for things online?" },
            new { kind = "question", text = "What stopped you today?" },
        ]);
        var observer = await api.JoinAsync(session.SessionId, "observer");
        var p1 = await api.JoinAsync(session.SessionId, "participant");
        var p2 = await api.JoinAsync(session.SessionId, "participant");
        await using (var f = await HubDriver.FacilitatorAsync(fixture, session.SessionId))
        await using (var o = await HubDriver.ConnectAsync(fixture, observer.Token))
        await using (var a = await HubDriver.ConnectAsync(fixture, p1.Token))
        await using (var b = await HubDriver.ConnectAsync(fixture, p2.Token))
        {
            await f.InvokeAsync("StartSession");
            await f.InvokeAsync("ShowPrompt", session.PromptIds[0]);
            await a.InvokeAsync("Answer", session.PromptIds[0], new { text = "By card, saved in the browser" });
            await o.InvokeAsync("AddNote", "Hunts for the basket", new[] { "confused" }, p1.MemberId);
            await a.InvokeAsync("React", "confused");
            await b.InvokeAsync("React", "delight");
            await o.InvokeAsync("AddNote", "Winces at the delivery price", new[] { "pricing", "confused" }, p2.MemberId);
            await f.InvokeAsync("ShowPrompt", session.PromptIds[1]);
            await o.InvokeAsync("AddNote", "Asks what VAT is", new[] { "confused" }, p2.MemberId);
            await o.InvokeAsync("React", "pricing");
            await f.InvokeAsync("EndSession");
        }

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);

        // Nothing starred yet: the highlights page says where stars come from.
        await Pages.GoAsync(page, $"/studies/{studyId}/highlights");
        await Expect(page.Locator("[data-testid=highlights-empty]")).ToContainTextAsync("No highlights yet");
        await Pages.ScreenshotAsync(page, "highlights-empty");

        await Pages.GoAsync(page, $"/studies/{studyId}");
        await Expect(page.Locator("[data-testid=open-highlights]")).ToHaveAttributeAsync("href", $"/studies/{studyId}/highlights");
        await Pages.ScreenshotAsync(page, "matrix-study-page");
        await page.Locator("[data-testid=open-matrix]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=matrix-heading]")).ToBeVisibleAsync();

        // Tags by prompt: prompt 1 has confused 3 (two notes, a reaction), delight 1, pricing 1; prompt 2 confused 1, pricing 1.
        var byPrompt = page.Locator("[data-testid=matrix-prompt] [data-testid=matrix-row]");
        await Expect(byPrompt).ToHaveCountAsync(2);
        await Expect(byPrompt.Nth(0).Locator("th")).ToContainTextAsync("How do you pay for things online?");
        await Expect(byPrompt.Nth(0).Locator("[data-testid=matrix-cell]")).ToHaveTextAsync(["3", "1", "1"]);
        await Expect(byPrompt.Nth(1).Locator("[data-testid=matrix-cell]")).ToHaveTextAsync(["1", "0", "1"]);
        await Expect(page.Locator("[data-testid=matrix-prompt] [data-testid=matrix-totals] td")).ToHaveTextAsync(["4", "1", "2", "7"]);
        // Tags by participant, by code: P1, P2, and the observer's reaction about nobody.
        var byParticipant = page.Locator("[data-testid=matrix-participant] [data-testid=matrix-row]");
        await Expect(byParticipant.Locator("th")).ToContainTextAsync([p1.Code, p2.Code, "(none)"]);
        await Expect(byParticipant.Nth(1).Locator("[data-testid=matrix-cell]")).ToHaveTextAsync(["2", "1", "1"]);
        await Pages.ScreenshotAsync(page, "matrix-study");

        // A "(none)" cell has no one timeline filter: it lists its events in a dialog.
        await byParticipant.Nth(2).Locator("[data-testid=matrix-cell][data-tag=pricing] button").ClickAsync();
        await Expect(page.Locator("[data-testid=matrix-items-title]")).ToHaveTextAsync("pricing · (none)");
        await Expect(page.Locator("[data-testid=matrix-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=matrix-item] [data-testid=feed-actor]")).ToHaveTextAsync(observer.Code);
        await Expect(page.Locator("[data-testid=matrix-item] [data-testid=feed-label]")).ToHaveTextAsync("reacted");
        await Pages.ScreenshotAsync(page, "matrix-dialog");
        await page.Locator("[data-testid=matrix-items-close]").ClickAsync();
        await Expect(page.Locator("[data-testid=matrix-item]")).ToHaveCountAsync(0);

        // Prompt 1 x confused opens the timeline with both filters set: the three events behind the count.
        await byPrompt.Nth(0).Locator("[data-testid=matrix-cell][data-tag=confused] a").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=timeline-heading]")).ToBeVisibleAsync();
        Assert.Contains("tag=confused", page.Url, StringComparison.Ordinal);
        var items = page.Locator("[data-testid=timeline-item]");
        await Expect(items).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=timeline-count]")).ToContainTextAsync("Showing 3 events");
        // The filters show what they filter by (a MudSelect with a ToStringFunc shows it in an input, one without as text).
        await Expect(page.Locator("[data-testid=timeline-tag]")).ToHaveTextAsync("confused");
        await Expect(page.Locator("[data-testid=timeline-prompt]")).ToHaveValueAsync("1. Open question: How do you pay for things online?");
        await Expect(page.Locator("[data-testid=timeline-item]", new() { HasTextString = "Asks what VAT is" })).ToHaveCountAsync(0);

        // Star the note about the delivery price; the reaction has no star.
        var note = page.Locator("li", new() { Has = page.Locator("[data-testid=timeline-item]", new() { HasTextString = "Winces at the delivery price" }) });
        var star = note.Locator("[data-testid=star]");
        await Expect(star).ToHaveAttributeAsync("aria-pressed", "false");
        await star.ClickAsync();
        await Expect(star).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("[data-testid=star]")).ToHaveCountAsync(2);
        await Pages.ScreenshotAsync(page, "matrix-timeline-starred");

        await page.Locator("[data-testid=timeline-highlights]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        var highlight = page.Locator("[data-testid=highlight]");
        await Expect(highlight).ToHaveCountAsync(1);
        await Expect(highlight).ToContainTextAsync("Winces at the delivery price");
        await Expect(highlight).ToContainTextAsync("about " + p2.Code);
        await Expect(highlight.Locator("[data-testid=highlight-prompt]")).ToContainTextAsync("Prompt 1 · How do you pay for things online?");
        await Expect(page.Locator("[data-testid=highlights-session] h2")).ToHaveTextAsync("Checkout, round 1");
        await Pages.ScreenshotAsync(page, "highlights");

        // Its link opens its place in the timeline, still starred.
        await highlight.Locator("[data-testid=highlight-open]").ClickAsync();
        await Pages.WaitForCircuitAsync(page);
        var target = page.Locator(".sr-timeline-target");
        await Expect(target).ToContainTextAsync("Winces at the delivery price");
        await Expect(target.Locator("[data-testid=star]")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Matrix_NarrowedToOneSession_LabelsPromptsByPosition_AndOffersCsv()
    {
        var studyId = await api.CreateStudyAsync("Two rounds");
        var prompts = new object[] { new { kind = "question", text = "What do you use today?" } };
        var first = await api.CreateSessionAsync(studyId, "Round 1", "focus-group", tags: ["confused"], prompts: prompts);
        var second = await api.CreateSessionAsync(studyId, "Round 2", "focus-group", tags: ["confused"], prompts: prompts);
        foreach (var s in new[] { first, second })
        {
            var observer = await api.JoinAsync(s.SessionId, "observer");
            await using var f = await HubDriver.FacilitatorAsync(fixture, s.SessionId);
            await using var o = await HubDriver.ConnectAsync(fixture, observer.Token);
            await f.InvokeAsync("StartSession");
            await f.InvokeAsync("ShowPrompt", s.PromptIds[0]);
            await o.InvokeAsync("AddNote", "Unsure where to start in " + (s == first ? "round 1" : "round 2"), new[] { "confused" }, null);
        }

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}/matrix");

        // The study pools the same wording of both rounds into one row, whose cell lists both notes.
        var rows = page.Locator("[data-testid=matrix-prompt] [data-testid=matrix-row]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("th")).ToContainTextAsync("Round 1, Round 2");
        await rows.Locator("[data-testid=matrix-cell] button").ClickAsync();
        await Expect(page.Locator("[data-testid=matrix-item]")).ToHaveCountAsync(2);
        await page.Locator("[data-testid=matrix-items-close]").ClickAsync();

        await Pages.SelectAsync(page, "matrix-scope", "Round 2");
        await Expect(rows.Locator("th")).ToHaveTextAsync("1. What do you use today?");
        Assert.Contains("session=" + second.SessionId, page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("[data-testid=matrix-prompt-csv]")).ToHaveAttributeAsync("href", $"/api/studies/{studyId}/matrix.csv?by=prompt&session={second.SessionId}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=matrix-prompt-csv]").ClickAsync());
        Assert.EndsWith("-round-2-tags-by-prompt.csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("1. What do you use today?,Round 2,1,1", csv, StringComparison.Ordinal);
        await Pages.ScreenshotAsync(page, "matrix-session");
        await page.Context.CloseAsync();
    }
}
