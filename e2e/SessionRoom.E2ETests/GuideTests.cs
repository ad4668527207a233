using Microsoft.Playwright;
using SessionRoom.Testing;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>The facilitator plans a study: study, codebook, session, guide of three prompts, invite link.</summary>
public sealed class GuideTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Facilitator_CreatesStudySessionThreePromptsAndInvite_AllAreListed()
    {
        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);

        // Study
        await page.Locator("[data-testid=new-study]").First.ClickAsync();
        await Pages.FillFieldAsync(page, "study-name", "Onboarding study");
        await Pages.FillFieldAsync(page, "study-goal", "Learn where new users get stuck in the first week.");
        await page.Locator("[data-testid=create-study]").ClickAsync();
        await Expect(page.Locator("[data-testid=study-title]")).ToHaveTextAsync("Onboarding study");

        // Codebook tag
        await page.Locator("[data-testid=add-tag]").ClickAsync();
        await Pages.FillFieldAsync(page, "codebook-name", "confused");
        await page.Locator("[data-testid=save-codebook]").ClickAsync();
        await Expect(page.Locator("[data-testid=save-codebook]")).ToBeDisabledAsync();

        // Session
        await page.Locator("[data-testid=new-session]").ClickAsync();
        await Pages.FillFieldAsync(page, "session-title", "Usability test, round 1");
        await page.Locator("[data-testid=mode-usability]").ClickAsync();
        await page.Locator("[data-testid=create-session]").ClickAsync();
        await Expect(page.Locator("[data-testid=session-heading]")).ToHaveTextAsync("Usability test, round 1");
        await Expect(page.Locator("[data-testid=session-tags]")).ToContainTextAsync("confused");
        await Expect(page.Locator("[data-testid=empty-guide]")).ToBeVisibleAsync();

        // Three prompts: a question, a poll and a rating.
        await page.Locator("[data-testid=add-prompt]").ClickAsync();
        await Pages.FillFieldAsync(page, "prompt-text", "What did you expect to happen after signing up?");
        await page.Locator("[data-testid=save-prompt]").ClickAsync();
        await Expect(page.Locator("[data-testid=prompt-row]")).ToHaveCountAsync(1);

        await page.Locator("[data-testid=add-prompt]").ClickAsync();
        await Pages.SelectAsync(page, "prompt-kind", "Poll");
        await Pages.FillFieldAsync(page, "prompt-text", "Which step was hardest?");
        await Pages.FillFieldAsync(page, "poll-option", "Profile", 0);
        await Pages.FillFieldAsync(page, "poll-option", "Invite team", 1);
        await page.Locator("[data-testid=save-prompt]").ClickAsync();
        await Expect(page.Locator("[data-testid=prompt-row]")).ToHaveCountAsync(2);

        await page.Locator("[data-testid=add-prompt]").ClickAsync();
        await Pages.SelectAsync(page, "prompt-kind", "Rating");
        await Pages.FillFieldAsync(page, "prompt-text", "How confident do you feel using it now?");
        await page.Locator("[data-testid=save-prompt]").ClickAsync();
        await Expect(page.Locator("[data-testid=prompt-row]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=prompt-text-view]")).ToHaveTextAsync(
            ["What did you expect to happen after signing up?", "Which step was hardest?", "How confident do you feel using it now?"]);

        // Reorder: the rating moves up above the poll.
        await page.Locator("[data-testid=move-up]").Nth(2).ClickAsync();
        await Expect(page.Locator("[data-testid=prompt-text-view]").Nth(1)).ToHaveTextAsync("How confident do you feel using it now?");

        // Invite a participant.
        await Pages.FillFieldAsync(page, "invite-name", "Dana");
        await page.Locator("[data-testid=create-invite]").ClickAsync();
        var url = page.Locator("[data-testid=invite-url]");
        await Expect(url).ToContainTextAsync($"{fixture.App.BaseUrl}/join/");
        await Expect(page.Locator("[data-testid=invite-qr]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=invite-row]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=invite-row]")).ToContainTextAsync("Dana");
        await Pages.ScreenshotAsync(page, "03-session-guide-and-invite");

        // The invite link works against the API: joining makes participant P1.
        var token = (await url.InnerTextAsync()).Trim().Split("/join/")[1];
        var join = await page.APIRequest.PostAsync("/api/join", new() { DataObject = new { token } });
        Assert.Equal(200, join.Status);
        Assert.Contains("\"code\":\"P1\"", await join.TextAsync(), StringComparison.Ordinal);

        // Back on the study page the session is listed with its three prompts; home lists the study.
        await page.GetByRole(AriaRole.Link, new() { Name = "Onboarding study" }).ClickAsync();
        await Expect(page.Locator("[data-testid=session-row]")).ToContainTextAsync("3 prompts");
        await Pages.ScreenshotAsync(page, "02-study");
        await page.GetByRole(AriaRole.Link, new() { Name = "Studies" }).First.ClickAsync();
        await Expect(page.Locator("[data-testid=study-card]", new() { HasTextString = "Onboarding study" })).ToContainTextAsync("1 session");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PromptEditor_PollWithOneOption_ShowsTheProblemNextToTheField()
    {
        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        var created = await page.APIRequest.PostAsync("/api/studies", new() { DataObject = new { name = "Validation study" } });
        var studyId = System.Text.Json.JsonDocument.Parse(await created.TextAsync()).RootElement.GetProperty("id").GetString();
        var session = await page.APIRequest.PostAsync($"/api/studies/{studyId}/sessions", new() { DataObject = new { title = "S", mode = "focus-group" } });
        var sessionId = System.Text.Json.JsonDocument.Parse(await session.TextAsync()).RootElement.GetProperty("id").GetString();

        await Pages.GoAsync(page, $"/sessions/{sessionId}");
        await page.Locator("[data-testid=add-prompt]").ClickAsync();
        await Pages.SelectAsync(page, "prompt-kind", "Poll");
        await Pages.FillFieldAsync(page, "prompt-text", "Pick one");
        await Pages.FillFieldAsync(page, "poll-option", "Only", 0);
        await page.Locator("[data-testid=save-prompt]").ClickAsync();

        await Expect(page.Locator("[data-testid=new-prompt]")).ToContainTextAsync("Option is required");
        await Expect(page.Locator("[data-testid=prompt-row]")).ToHaveCountAsync(0);
        await Pages.ScreenshotAsync(page, "04-prompt-validation");
        await page.Context.CloseAsync();
    }
}
