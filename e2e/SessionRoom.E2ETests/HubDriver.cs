using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SessionRoom.Testing;

namespace SessionRoom.E2ETests;

/// <summary>
/// Sets up sessions over the HTTP API and plays members over the hub from a browser page with the
/// SignalR client the app itself serves, for tests where one side is not the UI under test.
/// </summary>
public sealed class HubDriver(IPage page, string memberToken) : IAsyncDisposable
{
    public static async Task<JsonElement> ApiAsync(AppServer app, HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AppServer.FacilitatorKey);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Exchanges a new invite of <paramref name="role"/> for a member; returns (accessToken, memberId, code).</summary>
    public static async Task<(string Token, string MemberId, string Code)> JoinAsync(AppServer app, string sessionId, string role)
    {
        var invite = await ApiAsync(app, HttpMethod.Post, $"/api/sessions/{sessionId}/invites", new { role });
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var member = await (await http.PostAsJsonAsync("/api/join", new { token = invite.GetProperty("token").GetString() })).Content.ReadFromJsonAsync<JsonElement>();
        return (member.GetProperty("accessToken").GetString()!, member.GetProperty("memberId").GetString()!, member.GetProperty("code").GetString()!);
    }

    /// <summary>Opens a blank page of the app and connects to the hub as the member.</summary>
    public static async Task<HubDriver> ConnectAsync(IBrowser browser, AppServer app, string memberToken)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = app.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/healthz");
        await page.AddScriptTagAsync(new() { Url = "/lib/signalr/signalr.min.js" });
        await page.EvaluateAsync(
            """
            async token => {
              window.hub = new signalR.HubConnectionBuilder().withUrl("/hubs/session", { accessTokenFactory: () => token }).build();
              await window.hub.start();
            }
            """, memberToken);
        return new HubDriver(page, memberToken);
    }

    public string MemberToken { get; } = memberToken;

    /// <summary>Invokes a hub method with a fresh clientEventId first; returns the ack's seq.</summary>
    public Task<long> InvokeAsync(string method, params object?[] args) =>
        page.EvaluateAsync<long>(
            "async ([method, args]) => (await window.hub.invoke(method, crypto.randomUUID(), ...args)).seq",
            new object[] { method, args });

    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();
}
