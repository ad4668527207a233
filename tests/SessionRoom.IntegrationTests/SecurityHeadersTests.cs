using System.Net;
using SessionRoom.IntegrationTests.Hardening;
using SessionRoom.Web.Hosting;

namespace SessionRoom.IntegrationTests;

/// <summary>Security headers: on every response, and a strict Content-Security-Policy on the participant page.</summary>
[Collection(ApiCollection.Name)]
public sealed class SecurityHeadersTests(SessionRoomFactory factory)
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/signin")]
    [InlineData("/api/studies")]
    [InlineData("/css/app.css")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_ForbidsSniffingFramingAndReferrers(string path)
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync(path);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        ReliabilityLog.Record("security", "nosniff, no referrer, no framing on every kind of response", 1, "pass", new Dictionary<string, object> { ["paths"] = path });
    }

    internal static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";
}
