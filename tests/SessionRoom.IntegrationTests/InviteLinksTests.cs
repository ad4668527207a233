using SessionRoom.Web.Endpoints;

namespace SessionRoom.IntegrationTests;

public class InviteLinksTests
{
    [Theory]
    [InlineData(null, "http://localhost:5080", "http://localhost:5080/join/abc")]
    [InlineData("", "http://localhost:5080", "http://localhost:5080/join/abc")]
    [InlineData("   ", "https://host", "https://host/join/abc")]
    [InlineData("https://research.example.org", "http://localhost", "https://research.example.org/join/abc")]
    [InlineData("https://research.example.org/", "http://localhost", "https://research.example.org/join/abc")]
    [InlineData("https://example.org/sessionroom/", "http://localhost", "https://example.org/sessionroom/join/abc")]
    public void Url_PublicUrlOrRequestBase_BuildsAbsoluteJoinLink(string? publicUrl, string requestBase, string expected)
    {
        Assert.Equal(expected, InviteLinks.Url(publicUrl, requestBase, "abc"));
    }

    [Fact]
    public void Url_TokenWithReservedCharacters_IsEscaped()
    {
        Assert.Equal("https://h/join/a%2Fb%3Fc", InviteLinks.Url(null, "https://h", "a/b?c"));
    }
}
