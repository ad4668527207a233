using SessionRoom.Testing;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

public sealed class DemoStudyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task EmptyHome_CreateDemoStudy_ShowsItsSessionsAndGuide()
    {
        var page = await fixture.NewPageAsync();
        await Pages.SignInAsync(page);
        await Expect(page.Locator("[data-testid=empty-studies]")).ToBeVisibleAsync();
        await Pages.ScreenshotAsync(page, "01-home-empty");
        await page.Locator("[data-testid=create-demo]").ClickAsync();

        await Expect(page.Locator("[data-testid=study-title]")).ToContainTextAsync("demo");
        await Expect(page.Locator("[data-testid=session-row]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=codebook-row]")).ToHaveCountAsync(6);
        await Pages.ScreenshotAsync(page, "05-demo-study");

        await page.Locator("[data-testid=session-row]").Nth(1).ClickAsync();
        await Expect(page.Locator("[data-testid=prompt-row]")).ToHaveCountAsync(6);
        await Expect(page.Locator("[data-testid=guide]")).ToContainTextAsync("SUS questionnaire");
        await Pages.ScreenshotAsync(page, "06-demo-usability-session");
        await page.Context.CloseAsync();
    }
}
