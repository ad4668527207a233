using System.Text.RegularExpressions;
using SessionRoom.Core.Security;

namespace SessionRoom.UnitTests;

public partial class SecretsTests
{
    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex Base64Url43();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex LowerHex64();

    [Fact]
    public void NewToken_Always_Is43CharsOfBase64Url()
    {
        for (var i = 0; i < 200; i++)
        {
            var token = Secrets.NewToken();
            Assert.Matches(Base64Url43(), token);
        }
    }

    [Fact]
    public void NewToken_ManyCalls_AreDistinct()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => Secrets.NewToken()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(1000, tokens.Count);
    }

    [Fact]
    public void NewToken_DecodesTo32Bytes()
    {
        var token = Secrets.NewToken().Replace('-', '+').Replace('_', '/') + "=";
        Assert.Equal(32, Convert.FromBase64String(token).Length);
    }

    [Fact]
    public void Hash_AnySecret_Is64LowercaseHex()
    {
        Assert.Matches(LowerHex64(), Secrets.Hash("secret"));
        Assert.Matches(LowerHex64(), Secrets.Hash(""));
        Assert.Matches(LowerHex64(), Secrets.Hash("ünïcødé ✓"));
    }

    [Fact]
    public void Hash_SameSecret_IsStable()
    {
        var token = Secrets.NewToken();
        Assert.Equal(Secrets.Hash(token), Secrets.Hash(token));
    }

    [Fact]
    public void Hash_KnownValue_IsSha256()
    {
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Secrets.Hash("hello"));
    }

    [Fact]
    public void Hash_DifferentSecrets_Differ()
    {
        Assert.NotEqual(Secrets.Hash("a"), Secrets.Hash("b"));
        Assert.NotEqual(Secrets.Hash("abc"), Secrets.Hash("abc "));
    }

    [Fact]
    public void Matches_RightSecret_IsTrue()
    {
        var token = Secrets.NewToken();
        Assert.True(Secrets.Matches(token, Secrets.Hash(token)));
    }

    [Fact]
    public void Matches_WrongSecret_IsFalse()
    {
        var token = Secrets.NewToken();
        Assert.False(Secrets.Matches(token + "x", Secrets.Hash(token)));
        Assert.False(Secrets.Matches(token.ToUpperInvariant(), Secrets.Hash(token)));
        Assert.False(Secrets.Matches(Secrets.Hash(token), Secrets.Hash(token)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Matches_NullOrEmpty_IsFalse(string? presented)
    {
        Assert.False(Secrets.Matches(presented, Secrets.Hash("")));
        Assert.False(Secrets.Matches(presented, Secrets.Hash("secret")));
    }
}
