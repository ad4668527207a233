using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static SessionRoom.E2ETests.Events;

namespace SessionRoom.E2ETests;

/// <summary>
/// A whole focus group in four browser windows on one machine: the facilitator's console, an
/// observer's room and two participants' phones, each updating live without a reload.
/// </summary>
public sealed class FocusGroupTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    private const string Injected = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>";

    [Fact]
    public async Task FocusGroup_FacilitatorObserverAndTwoParticipants_RunThreePromptsLive()
    {
        var studyId = await api.CreateStudyAsync("Meal-kit subscriptions");
        await api.SetCodebookAsync(studyId,
            new { name = "confused", color = "#E53935", hotkey = 1 },
            new { name = "price", color = "#FB8C00", hotkey = 2 });
        var session = await api.CreateSessionAsync(studyId, "Focus group, evening panel", "focus-group", prompts:
        [
            new { kind = "question", text = "What do you cook on a busy weeknight?" },
            new { kind = "poll", text = "Which box would you order?", options = new[] { "Classic", "Veggie", "Family" } },
            new { kind = "rating", text = "How likely are you to try it?", scaleMax = 5 },
        ]);
        var sessionId = session.SessionId;
        var observerInvite = await api.InviteAsync(sessionId, "observer");
        var p1Invite = await api.InviteAsync(sessionId, "participant", name: "Ana");
        var p2Invite = await api.InviteAsync(sessionId, "participant", name: "Ben");

        // Four windows.
        var console = await fixture.NewPageAsync();
        await Pages.SignInAsync(console);
        await Pages.GoAsync(console, $"/sessions/{sessionId}/live");
        var observer = await fixture.NewPageAsync();
        await observer.GotoAsync("/join/" + observerInvite);
        await observer.Locator("[data-testid=join]").ClickAsync();
        await Expect(observer.Locator("[data-testid=observer-room]")).ToBeVisibleAsync();
        var p1 = await PhoneAsync();
        var p2 = await PhoneAsync();
        await JoinAsync(p1, p1Invite, "Ana");
        await JoinAsync(p2, p2Invite, "Ben");
        await Expect(console.Locator("[data-testid=console-online]")).ToHaveCountAsync(4);
        await Expect(console.Locator("[data-testid=invite-row]", new() { HasTextString = "Ben" })).ToContainTextAsync("P2");

        // Start: the first prompt goes up everywhere.
        await console.Locator("[data-testid=start-session]").ClickAsync();
        await console.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Start session" }).ClickAsync();
        foreach (var phone in new[] { p1, p2 })
        {
            await Expect(phone.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("What do you cook on a busy weeknight?");
        }
        await Expect(observer.Locator("[data-testid=room-prompt-text]")).ToHaveTextAsync("What do you cook on a busy weeknight?");

        // Prompt 1: open answers, one of them hostile.
        await AnswerTextAsync(p1, "Pasta, always pasta");
        await AnswerTextAsync(p2, Injected);
        await Expect(console.Locator("[data-testid=console-answer]")).ToHaveCountAsync(2);
        await Expect(console.Locator("[data-testid=console-answer]", new() { HasTextString = "Pasta, always pasta" })).ToContainTextAsync("P1");
        await Expect(console.Locator("[data-testid=console-answer]", new() { HasTextString = "<script>" })).ToContainTextAsync("P2");
        await Expect(observer.Locator("[data-testid=answer-item]")).ToHaveCountAsync(2);

        // The observer: a note tagged with hotkey 1 and saved with Enter, a hostile note, a message to the facilitator.
        var noteText = observer.Locator("textarea[data-testid=note-text]");
        await noteText.FillAsync("P1 lights up talking about pasta");
        await observer.Locator("#room-heading").ClickAsync();
        await observer.Keyboard.PressAsync("1");
        await noteText.FocusAsync();
        await noteText.PressAsync("Enter");
        await Expect(observer.Locator("[data-testid=feed-item]").First).ToContainTextAsync("P1 lights up talking about pasta");
        await noteText.FillAsync("Backroom only: " + Injected);
        await noteText.PressAsync("Enter");
        await noteText.FillAsync("Ask them how much they spend a week");
        await observer.Locator("[data-testid=ask-facilitator]").ClickAsync();
        await Expect(console.Locator(".sr-feed-message")).ToContainTextAsync("Ask them how much they spend a week");
        await Expect(console.Locator("[data-testid=console-feed-item]", new() { HasTextString = "Backroom only:" })).ToContainTextAsync("<img src=x");
        await Expect(console.Locator("[data-testid=console-feed-item]", new() { HasTextString = "pasta" })).ToContainTextAsync("confused");

        // Prompt 2: a poll, with the chart filling in.
        await console.Locator("[data-testid=next-prompt]").ClickAsync();
        await Expect(p1.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Which box would you order?");
        await Expect(p2.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Which box would you order?");
        await ChooseAsync(p1, "[data-testid=poll-option][data-index='1']");
        await ChooseAsync(p2, "[data-testid=poll-option][data-index='2']");
        await Expect(console.Locator("[data-testid=answer-count]")).ToHaveTextAsync("2");
        await Expect(console.Locator(".sr-bar-row", new() { HasTextString = "Veggie" })).ToContainTextAsync("1");
        await Expect(console.Locator(".sr-bar-row", new() { HasTextString = "Family" })).ToContainTextAsync("1");
        await Expect(console.Locator(".sr-bar-row", new() { HasTextString = "Classic" })).ToContainTextAsync("0");

        // Prompt 3: a rating.
        await console.Locator("[data-testid=next-prompt]").ClickAsync();
        await Expect(p1.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("How likely are you to try it?");
        await ChooseAsync(p1, "[data-testid=rating-option][data-value='4']");
        await ChooseAsync(p2, "[data-testid=rating-option][data-value='5']");
        await Expect(console.Locator("[data-testid=answer-count]")).ToHaveTextAsync("2");
        await Expect(console.Locator("[data-testid=not-answered]")).ToContainTextAsync("Everyone online has answered");
        await Expect(observer.Locator("[data-testid=room-prompt-text]")).ToHaveTextAsync("How likely are you to try it?");

        await Pages.ScreenshotAsync(console, "focus-group-console");
        await Pages.ScreenshotAsync(observer, "focus-group-observer");
        await Pages.ScreenshotAsync(p1, "focus-group-participant");

        // Backroom isolation in the browser: no note or backroom text in any participant's DOM.
        foreach (var phone in new[] { p1, p2 })
        {
            var html = await phone.ContentAsync();
            Assert.DoesNotContain("lights up", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Backroom only", html, StringComparison.Ordinal);
            Assert.DoesNotContain("how much they spend", html, StringComparison.Ordinal);
        }
        // Participants never see each other's answers either.
        Assert.DoesNotContain("Pasta, always pasta", await p2.ContentAsync(), StringComparison.Ordinal);

        // Nothing injected ran anywhere, and no injected element exists.
        foreach (var page in new[] { console, observer, p1, p2 })
        {
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
            Assert.Equal(0, await page.Locator("img[src=x]").CountAsync());
        }

        await console.Locator("[data-testid=end-session]").ClickAsync();
        await console.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Expect(p1.Locator("[data-testid=status-heading]")).ToContainTextAsync("Thank you");
        await Expect(p2.Locator("[data-testid=status-heading]")).ToContainTextAsync("Thank you");

        var events = await api.EventsAsync(sessionId);
        Assert.Equal(6, events.Count(e => Type(e) == "answer"));
        foreach (var page in new[] { console, observer, p1, p2 })
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task<IPage> PhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new()
        {
            BaseURL = fixture.App.BaseUrl,
            ViewportSize = new() { Width = 360, Height = 740 },
            IsMobile = true,
            HasTouch = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    private static async Task JoinAsync(IPage phone, string token, string name)
    {
        await phone.GotoAsync("/join/" + token);
        await phone.Locator("[data-testid=agree]").CheckAsync();
        await phone.Locator("[data-testid=display-name]").FillAsync(name);
        await phone.Locator("[data-testid=join]").ClickAsync();
        await Expect(phone.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
    }

    private static async Task AnswerTextAsync(IPage phone, string text)
    {
        await phone.Locator("[data-testid=answer-text]").FillAsync(text);
        await phone.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(phone.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
    }

    private static async Task ChooseAsync(IPage phone, string option)
    {
        await phone.Locator(option).ClickAsync();
        await phone.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(phone.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
    }
}
