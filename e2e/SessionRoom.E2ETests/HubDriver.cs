using Microsoft.Playwright;

namespace SessionRoom.E2ETests;

/// <summary>
/// Plays a member over the hub from a browser page with the SignalR client the app itself serves, for
/// tests where that member's side is not the UI under test (sessions are set up with <see cref="TestApi"/>).
/// </summary>
public sealed class HubDriver(IPage page) : IAsyncDisposable
{
    /// <summary>Opens a blank page of the app in a context of its own and connects to the hub as the member.</summary>
    public static async Task<HubDriver> ConnectAsync(BrowserFixture fixture, string memberToken)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/healthz");
        await page.AddScriptTagAsync(new() { Url = "/lib/signalr/signalr.min.js" });
        await page.EvaluateAsync(
            """
            async token => {
              window.hub = new signalR.HubConnectionBuilder().withUrl("/hubs/session", { accessTokenFactory: () => token }).build();
              await window.hub.start();
            }
            """, memberToken);
        return new HubDriver(page);
    }

    /// <summary>Connects as the session's facilitator member.</summary>
    public static async Task<HubDriver> FacilitatorAsync(BrowserFixture fixture, string sessionId) =>
        await ConnectAsync(fixture, await fixture.Api.FacilitatorTokenAsync(sessionId));

    /// <summary>Invokes a hub method with a fresh clientEventId first; returns the ack's seq.</summary>
    public Task<long> InvokeAsync(string method, params object?[] args) =>
        page.EvaluateAsync<long>(
            "async ([method, args]) => (await window.hub.invoke(method, crypto.randomUUID(), ...args)).seq",
            new object[] { method, args });

    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();
}
