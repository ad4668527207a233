using Microsoft.Playwright;
using SessionRoom.Testing;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

public sealed class SignInTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SignIn_WrongKey_ShowsErrorAndStaysSignedOut()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#key", "not-the-key");
        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator("[data-testid=signin-error]")).ToContainTextAsync("not right");
        await Pages.ScreenshotAsync(page, "signin-error");
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_ConsoleLinkWithKeyInFragment_SignsInAndClearsTheKeyFromTheAddressBar()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/signin#key={AppServer.FacilitatorKey}");
        await Pages.WaitForCircuitAsync(page);

        await Expect(page.Locator("h1")).ToHaveTextAsync("Studies");
        Assert.DoesNotContain(AppServer.FacilitatorKey, page.Url, StringComparison.Ordinal);
        // The fragment was replaced, not pushed: going back does not bring the key into the address bar.
        await page.GoBackAsync();
        Assert.DoesNotContain(AppServer.FacilitatorKey, page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignOut_FromAppBar_ReturnsToSignInAndProtectsPages()
    {
        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("signed out");
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?returnUrl="));
        await page.Context.CloseAsync();
    }
}
