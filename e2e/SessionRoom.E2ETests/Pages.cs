using Microsoft.Playwright;
using SessionRoom.Testing;

namespace SessionRoom.E2ETests;

/// <summary>Steps shared by the browser tests.</summary>
public static class Pages
{
    /// <summary>Signs in through the sign-in form and waits until the home page is interactive.</summary>
    public static async Task SignInAsync(IPage page, string key = AppServer.FacilitatorKey)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await WaitForCircuitAsync(page);
    }

    /// <summary>Clicks made before the Blazor circuit is connected are lost; the layout renders this marker once it is.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Navigates inside the app and waits for the new page's circuit.</summary>
    public static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitForCircuitAsync(page);
    }

    /// <summary>
    /// Opens the observer room in a new page the way an observer arrives: with the access token the
    /// invite page stored in localStorage (none: the room's "no access" panel).
    /// </summary>
    public static async Task<IPage> OpenObserverRoomAsync(BrowserFixture fixture, string sessionId, string? token)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/signin");
        if (token is not null)
        {
            await page.EvaluateAsync("([key, value]) => localStorage.setItem(key, value)", new[] { "sessionroom.observer." + sessionId, token });
        }
        await GoAsync(page, $"/observe/{sessionId}");
        await page.Locator("[data-testid=observer-room], [data-testid=observer-no-access]").WaitForAsync();
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Repo.Artifacts, name + ".png"), FullPage = true });

    /// <summary>Fills a MudBlazor text field found by its data-testid (the attribute lands on the input or textarea).</summary>
    public static async Task FillFieldAsync(IPage page, string testId, string value, int index = 0)
    {
        var field = page.Locator($"[data-testid={testId}]").Nth(index);
        var tag = await field.EvaluateAsync<string>("e => e.tagName");
        if (tag is not ("INPUT" or "TEXTAREA"))
        {
            field = field.Locator("input, textarea").First;
        }
        await field.FillAsync(value);
        await field.BlurAsync();
    }

    /// <summary>Picks an item of a MudSelect found by its data-testid.</summary>
    public static async Task SelectAsync(IPage page, string testId, string itemText)
    {
        await page.Locator($"[data-testid={testId}]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = itemText }).First.ClickAsync();
    }
}
