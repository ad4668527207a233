using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>
/// The affinity board with two people on it at once: one makes a theme and drags notes into it while the other sees the
/// theme and its cards appear; a card moved with the keyboard menu; a theme made from a suggestion; an inline rename.
/// </summary>
public sealed class AffinityBoardTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    private const string Price1 = "Thinks the monthly price is too expensive";
    private const string Price2 = "The price felt expensive for a small team";
    private const string Price3 = "Expensive price, asked about discounts";

    /// <summary>An ended focus group with notes about price and the export button, an answer and a stray note; returns the study id.</summary>
    private async Task<string> StudyWithNotesAsync()
    {
        var studyId = await api.CreateStudyAsync("Checkout synthesis");
        await api.SetCodebookAsync(studyId, new { name = "pricing", color = "#E65100", hotkey = 1 }, new { name = "confused", color = "#1E88E5", hotkey = 2 });
        var session = await api.CreateSessionAsync(studyId, "Checkout, round 1", "focus-group", prompts:
        [
            new { kind = "question", text = "What did you think of the checkout?" },
        ]);
        var observer = await api.JoinAsync(session.SessionId, "observer");
        var participant = await api.JoinAsync(session.SessionId, "participant");
        await using var f = await HubDriver.FacilitatorAsync(fixture, session.SessionId);
        await using var o = await HubDriver.ConnectAsync(fixture, observer.Token);
        await using var p = await HubDriver.ConnectAsync(fixture, participant.Token);
        await f.InvokeAsync("StartSession");
        await f.InvokeAsync("ShowPrompt", session.PromptIds[0]);
        await p.InvokeAsync("Answer", session.PromptIds[0], new { text = "I could not find how to export my receipt" });
        await o.InvokeAsync("AddNote", Price1, new[] { "pricing" }, participant.MemberId);
        await o.InvokeAsync("AddNote", "Export button hidden in the menu", new[] { "confused" }, null);
        await o.InvokeAsync("AddNote", Price2, new[] { "pricing" }, null);
        await o.InvokeAsync("AddNote", "Could not find the export button in the menu", Array.Empty<string>(), null);
        await o.InvokeAsync("AddNote", Price3, Array.Empty<string>(), null);
        await o.InvokeAsync("AddNote", "The export button is hidden in a menu", Array.Empty<string>(), null);
        await o.InvokeAsync("AddNote", "Loves the new colours", Array.Empty<string>(), null);
        await f.InvokeAsync("EndSession");
        return studyId;
    }

    private static ILocator Theme(IPage page, string name) =>
        page.Locator("[data-testid=board-theme]", new() { Has = page.Locator("[data-testid=theme-name]", new() { HasTextString = name }) });

    private static ILocator PoolCard(IPage page, string text) =>
        page.Locator("[data-testid=board-pool] [data-testid=board-card]", new() { HasTextString = text });

    private static ILocator Cards(ILocator theme) => theme.Locator("[data-testid=card-text]");

    [Fact]
    public async Task TwoPeopleOnOneBoard_DragsIntoANewThemeAppearForTheOther_SuggestionsMakeThemes()
    {
        var studyId = await StudyWithNotesAsync();

        var a = await fixture.NewPageAsync();
        await Pages.SignInAsync(a);
        await Pages.GoAsync(a, $"/studies/{studyId}");
        await a.Locator("[data-testid=open-board]").ClickAsync();
        await Pages.WaitForCircuitAsync(a);
        await Expect(a.Locator("[data-testid=board-pool] [data-testid=board-card]")).ToHaveCountAsync(8);
        await Expect(a.Locator("[data-testid=pool-count]")).ToHaveTextAsync("8");

        var b = await fixture.NewPageAsync();
        await Pages.SignInAsync(b);
        await Pages.GoAsync(b, $"/studies/{studyId}/board");
        await Expect(b.Locator("[data-testid=board-pool] [data-testid=board-card]")).ToHaveCountAsync(8);
        await Pages.ScreenshotAsync(b, "board-start");

        // A makes a theme: B sees it without reloading.
        await a.Locator("[data-testid=new-theme]").ClickAsync();
        await a.Locator("[data-testid=new-theme-name]").FillAsync("Pricing");
        await a.Locator("[data-testid=new-theme-name]").PressAsync("Enter");
        await Expect(Theme(a, "Pricing")).ToBeVisibleAsync();
        await Expect(Theme(b, "Pricing")).ToBeVisibleAsync();
        await Expect(Theme(b, "Pricing").Locator("[data-testid=theme-empty]")).ToBeVisibleAsync();

        // A drags two notes into it; B sees both cards arrive, in order, and leave B's pool.
        var zone = Theme(a, "Pricing").Locator(".mud-drop-zone");
        await PoolCard(a, Price1).DragToAsync(zone);
        await Expect(Cards(Theme(a, "Pricing"))).ToHaveTextAsync([Price1]);
        await PoolCard(a, Price2).DragToAsync(zone);
        await Expect(Cards(Theme(a, "Pricing"))).ToHaveCountAsync(2);
        await Expect(Cards(Theme(b, "Pricing"))).ToHaveCountAsync(2);
        await Expect(Cards(Theme(b, "Pricing")).Filter(new() { HasTextString = Price1 })).ToHaveCountAsync(1);
        await Expect(Cards(Theme(b, "Pricing")).Filter(new() { HasTextString = Price2 })).ToHaveCountAsync(1);
        await Expect(PoolCard(b, Price1)).ToHaveCountAsync(0);
        await Expect(b.Locator("[data-testid=pool-count]")).ToHaveTextAsync("6");
        // Each card keeps its source: the session, the code, the tag and a link to its place in the timeline.
        var card = Theme(b, "Pricing").Locator("[data-testid=board-card]", new() { HasTextString = Price1 });
        await Expect(card).ToContainTextAsync("O1");
        await Expect(card).ToContainTextAsync("about P1");
        await Expect(card.Locator("[data-testid=card-tag]")).ToHaveTextAsync("pricing");
        await Expect(card.Locator("[data-testid=card-source]")).ToContainTextAsync("Checkout, round 1");
        StringAssert(await card.Locator("[data-testid=card-source]").GetAttributeAsync("href"), "/timeline?seq=");
        await Pages.ScreenshotAsync(a, "board-dragged-a");
        await Pages.ScreenshotAsync(b, "board-dragged-b");

        // Without a mouse: B moves the third price note with its "Move to…" menu; A sees it.
        await PoolCard(b, Price3).Locator("[data-testid=card-move]").FocusAsync();
        await b.Keyboard.PressAsync("Enter");
        var option = PoolCard(b, Price3).Locator("[data-testid=move-to-theme]");
        await Expect(option).ToHaveTextAsync(["Pricing"]);
        await Expect(option).ToBeFocusedAsync();
        await Pages.ScreenshotAsync(b, "board-move-menu");
        await b.Keyboard.PressAsync("Enter");
        // The focus follows the card to its new place.
        await Expect(Theme(b, "Pricing").Locator("[data-testid=board-card]", new() { HasTextString = Price3 }).Locator("[data-testid=card-move]")).ToBeFocusedAsync();
        await Expect(Cards(Theme(b, "Pricing"))).ToHaveCountAsync(3);
        await Expect(Cards(Theme(a, "Pricing"))).ToHaveCountAsync(3);

        // Suggestions: the export notes and the answer group; "Make theme" makes the theme with those cards, for both.
        await a.Locator("[data-testid=suggest-themes]").ClickAsync();
        var suggestion = a.Locator("[data-testid=suggestion]", new() { Has = a.Locator("[data-testid=suggestion-term]", new() { HasTextString = "export" }) });
        await Expect(suggestion).ToHaveCountAsync(1);
        await Expect(suggestion.Locator("[data-testid=suggestion-term]").First).ToBeVisibleAsync();
        var count = await suggestion.Locator("[data-testid=suggestion-count]").InnerTextAsync();
        await Pages.ScreenshotAsync(a, "board-suggestions");
        var name = (await suggestion.Locator("[data-testid=make-theme]").GetAttributeAsync("data-name"))!;
        Assert.Contains("export", name, StringComparison.OrdinalIgnoreCase);
        await Expect(suggestion.Locator("[data-testid=suggestion-name]")).ToHaveTextAsync(name);
        await suggestion.Locator("[data-testid=make-theme]").ClickAsync();
        var made = int.Parse(count.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(made >= 3, count);
        await Expect(Cards(Theme(a, name))).ToHaveCountAsync(made);
        await Expect(Cards(Theme(b, name))).ToHaveCountAsync(made);
        await Expect(a.Locator("[data-testid=suggestion]", new() { HasTextString = name })).ToHaveCountAsync(0);

        // Click a name to rename it, Enter saves; B sees the new name.
        await Theme(a, name).Locator("[data-testid=theme-name]").ClickAsync();
        await a.Locator("[data-testid=theme-name-input]").FillAsync("Export is hard to find");
        await a.Locator("[data-testid=theme-name-input]").PressAsync("Enter");
        await Expect(Theme(b, "Export is hard to find")).ToBeVisibleAsync();
        await Expect(b.Locator("[data-testid=board-theme]")).ToHaveCountAsync(2);
        await Expect(a.Locator("[data-testid=board-saved]")).ToContainTextAsync("Saved");
        await Pages.ScreenshotAsync(b, "board-final-b");

        // What the browsers did is what is stored.
        var board = await api.GetAsync($"/api/studies/{studyId}/themes");
        var themes = board.GetProperty("themes").EnumerateArray().ToList();
        Assert.Equal(["Pricing", "Export is hard to find"], themes.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([Price1, Price2, Price3], themes[0].GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
        await a.Context.CloseAsync();
        await b.Context.CloseAsync();
    }

    [Fact]
    public async Task EmptyStudy_ShowsWhatToDo()
    {
        var studyId = await api.CreateStudyAsync("Nothing yet");
        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Pages.GoAsync(page, $"/studies/{studyId}/board");
        await Expect(page.Locator("[data-testid=board-empty]")).ToContainTextAsync("No notes or answers yet");
        await Expect(page.Locator("[data-testid=suggest-themes]")).ToBeDisabledAsync();
        await Pages.ScreenshotAsync(page, "board-empty");
        await page.Context.CloseAsync();
    }

    private static void StringAssert(string? actual, string expected) =>
        Assert.Contains(expected, actual ?? "", StringComparison.Ordinal);
}
