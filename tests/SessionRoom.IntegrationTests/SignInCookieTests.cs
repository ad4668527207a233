using System.Net;
using System.Text.RegularExpressions;
using SessionRoom.IntegrationTests.Hardening;

namespace SessionRoom.IntegrationTests;

/// <summary>
/// The facilitator's sign-in cookie and the forms that set and clear it: antiforgery on both forms,
/// cookies HttpOnly and SameSite=Strict, Secure when the request came over HTTPS.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class SignInCookieTests(SessionRoomFactory factory)
{
    [Theory]
    [InlineData("/auth/signin")]
    [InlineData("/auth/signout")]
    public async Task AFormPost_WithoutTheAntiforgeryToken_IsRefused_AndSignsNobodyIn(string path)
    {
        using var client = Client("http://localhost");
        var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = SessionRoomFactory.Key,
            ["returnUrl"] = "/",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(SetCookies(response), c => c.StartsWith("sessionroom.auth=", StringComparison.Ordinal));
        ReliabilityLog.Record("security", "form posts without the antiforgery token are refused", 1, "pass", new Dictionary<string, object> { ["forms"] = path });
    }

    [Fact]
    public async Task SigningIn_FromThePage_OverHttp_SetsAnHttpOnlyStrictCookie_ThatIsNotMarkedSecure()
    {
        var (response, antiforgeryCookie) = await SignInAsync("http://localhost");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var auth = SetCookies(response).Single(c => c.StartsWith("sessionroom.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", auth, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", auth.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);
        ReliabilityLog.Record("security", "cookies HttpOnly and SameSite=Strict; Secure only over HTTPS", 1, "pass", new Dictionary<string, object> { ["scheme"] = "http" });
    }

    [Fact]
    public async Task SigningIn_OverHttps_MarksBothCookiesSecure()
    {
        var (response, antiforgeryCookie) = await SignInAsync("https://localhost");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var auth = SetCookies(response).Single(c => c.StartsWith("sessionroom.auth=", StringComparison.Ordinal));
        Assert.Matches("(?i);\\s*secure(;|$)", auth);
        Assert.Matches("(?i);\\s*httponly(;|$)", auth);
        Assert.Matches("(?i);\\s*secure(;|$)", antiforgeryCookie);
        ReliabilityLog.Record("security", "cookies HttpOnly and SameSite=Strict; Secure only over HTTPS", 1, "pass", new Dictionary<string, object> { ["scheme"] = "https" });
    }

    /// <summary>Loads the sign-in page as a browser would, then posts its form with the right key.</summary>
    private async Task<(HttpResponseMessage Response, string AntiforgeryCookie)> SignInAsync(string baseAddress)
    {
        using var client = Client(baseAddress);
        var page = await client.GetAsync("/signin");
        page.EnsureSuccessStatusCode();
        var html = await page.Content.ReadAsStringAsync();
        var token = TokenField().Match(html);
        Assert.True(token.Success, "The sign-in form has no antiforgery token.");
        var antiforgeryCookie = SetCookies(page).Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));

        using var post = new HttpRequestMessage(HttpMethod.Post, "/auth/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["key"] = SessionRoomFactory.Key,
                ["returnUrl"] = "/",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            }),
        };
        post.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
        return (await client.SendAsync(post), antiforgeryCookie);
    }

    private HttpClient Client(string baseAddress) =>
        factory.CreateClient(new() { BaseAddress = new Uri(baseAddress), AllowAutoRedirect = false, HandleCookies = false });

    private static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
