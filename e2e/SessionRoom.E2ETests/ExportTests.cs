using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The facilitator downloads a session's export from the session page's Export menu.</summary>
public sealed class ExportTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task ExportMenu_Csv_DownloadsOneRowPerEventByCode()
    {
        var studyId = await api.CreateStudyAsync("Export study");
        var session = await api.CreateSessionAsync(studyId, "Checkout test, round 1", "usability", tags: ["pricing"], prompts:
        [
            new { kind = "question", text = "What do you use today?" },
        ]);
        var inviteToken = await api.InviteAsync(session.SessionId, "participant");
        var participant = await api.SendAsync(HttpMethod.Post, "/api/join", new { token = inviteToken, displayName = "Zelda Quarterfield" }, asFacilitator: false);
        await using (var facilitator = await HubDriver.FacilitatorAsync(fixture, session.SessionId))
        await using (var phone = await HubDriver.ConnectAsync(fixture, participant.GetProperty("accessToken").GetString()!))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("ShowPrompt", session.PromptIds[0]);
            await phone.InvokeAsync("Answer", session.PromptIds[0], new { text = "=SUM(A1:A9) and paper" });
            await facilitator.InvokeAsync("AddNote", "Mentions paper", new[] { "pricing" }, null);
        }
        // Closing the two connections writes member-left for each; wait for them so the export and this count agree.
        var stored = await api.EventsAsync(session.SessionId);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); stored.Count(e => Events.Type(e) == "member-left") < 2; stored = await api.EventsAsync(session.SessionId))
        {
            Assert.True(DateTime.UtcNow < deadline, "The member-left events were not stored within 10 s.");
            await Task.Delay(100);
        }

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/sessions/{session.SessionId}");
        await page.Locator("[data-testid=export-menu] button").First.ClickAsync();
        await Expect(page.Locator("[data-testid=export-csv]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=export-include-names]")).ToBeVisibleAsync();
        await WaitForMenuShownAsync(page);
        await Pages.ScreenshotAsync(page, "export-menu");

        var csvLink = page.Locator("[data-testid=export-csv]");
        await Expect(csvLink).ToHaveAttributeAsync("download", "");
        await Expect(csvLink).ToHaveAttributeAsync("href", $"/api/sessions/{session.SessionId}/export?format=csv");
        var download = await page.RunAndWaitForDownloadAsync(() => csvLink.ClickAsync());

        Assert.Equal($"checkout-test-round-1-{DateTime.UtcNow:yyyyMMdd}.csv", download.SuggestedFilename);
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");
        await download.SaveAsAsync(path);
        var text = await File.ReadAllTextAsync(path);
        File.Delete(path);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,type,audience,atMs,createdUtc,actorCode,promptPosition,promptKind,participantCode,tags,text,data", lines[0]);
        // One row per stored event (member-joined and -left included), by code and never by name.
        Assert.Equal(stored.Count, lines.Length - 1);
        Assert.DoesNotContain("Zelda", text, StringComparison.Ordinal);
        Assert.Contains(",P1,1,question,P1,,\"'=SUM(A1:A9) and paper\",", text, StringComparison.Ordinal);
        // The page is still the session page: the download did not navigate away.
        await Expect(page.Locator("[data-testid=session-heading]")).ToHaveTextAsync("Checkout test, round 1");
    }

    [Fact]
    public async Task StudyExportMenu_DownloadsEverySession_WithoutSubtitles()
    {
        var studyId = await api.CreateStudyAsync("Whole study export");
        await api.CreateSessionAsync(studyId, "First round", "focus-group");
        await api.CreateSessionAsync(studyId, "Second round", "focus-group");

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}");
        await page.Locator("[data-testid=export-menu] button").First.ClickAsync();
        await Expect(page.Locator("[data-testid=export-csv]")).ToHaveAttributeAsync("href", $"/api/studies/{studyId}/export?format=csv");
        await Expect(page.Locator("[data-testid=export-vtt]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=export-vtt-offset]")).ToHaveCountAsync(0);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-md]").ClickAsync());
        Assert.Equal($"whole-study-export-{DateTime.UtcNow:yyyyMMdd}.md", download.SuggestedFilename);
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.md");
        await download.SaveAsAsync(path);
        var text = await File.ReadAllTextAsync(path);
        File.Delete(path);
        Assert.StartsWith("# Whole study export", text, StringComparison.Ordinal);
        Assert.Contains("First round", text, StringComparison.Ordinal);
        Assert.Contains("Second round", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportMenu_IncludeNamesAndOffset_ChangeTheLinks()
    {
        var studyId = await api.CreateStudyAsync("Export study");
        var session = await api.CreateSessionAsync(studyId, "Links", "focus-group");

        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/sessions/{session.SessionId}");
        await page.Locator("[data-testid=export-menu] button").First.ClickAsync();
        await page.Locator("[data-testid=export-include-names]").ClickAsync();
        await Pages.FillFieldAsync(page, "export-vtt-offset", "-2.5");

        var root = $"/api/sessions/{session.SessionId}/export";
        await Expect(page.Locator("[data-testid=export-names-note]")).ToContainTextAsync("who said what");
        await Expect(page.Locator("[data-testid=export-json]")).ToHaveAttributeAsync("href", $"{root}?format=json&includeNames=true");
        await Expect(page.Locator("[data-testid=export-vtt]")).ToHaveAttributeAsync("href", $"{root}?format=vtt&includeNames=true&offsetMs=-2500");
        await WaitForMenuShownAsync(page);
        await Pages.ScreenshotAsync(page, "export-menu-names");
    }

    /// <summary>The menu fades in; a screenshot taken before it is opaque shows the page through it.</summary>
    private static Task WaitForMenuShownAsync(IPage page) =>
        page.WaitForFunctionAsync("() => { const p = document.querySelector('.mud-popover-open'); return p !== null && getComputedStyle(p).opacity === '1'; }");
}
