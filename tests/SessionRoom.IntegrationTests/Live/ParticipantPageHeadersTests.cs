using System.Net;
using SessionRoom.Web.Hosting;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>The participant page as the real server serves it: a strict Content-Security-Policy and no cache.</summary>
public sealed class ParticipantPageHeadersTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task ParticipantPage_HasAStrictPolicy_WithoutInlineScripts()
    {
        var response = await server.Http.GetAsync("/join/some-invite-token");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var csp = SecurityHeadersTests.Header(response, "Content-Security-Policy");
        Assert.Equal(SecurityHeaders.ParticipantPagePolicy, csp);
        var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("connect-src 'self'", directives["connect-src"]);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        // The page itself has no inline script for the policy to block.
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        Assert.DoesNotContain(" on", System.Text.RegularExpressions.Regex.Match(html, "<[^>]+ on[a-z]+=").Value, StringComparison.Ordinal);
    }

}
