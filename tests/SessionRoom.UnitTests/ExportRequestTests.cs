using SessionRoom.Core.Exports;
using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

public sealed class ExportRequestTests
{
    [Theory]
    [InlineData("csv", null, null, "csv", false, 0)]
    [InlineData("JSON", "true", null, "json", true, 0)]
    [InlineData("md", "False", "0", "md", false, 0)]
    [InlineData("vtt", null, "-86400000", "vtt", false, -86_400_000)]
    [InlineData("vtt", "TRUE", "86400000", "vtt", true, 86_400_000)]
    public void Parse_GoodValues_AreRead(string format, string? includeNames, string? offsetMs, string expectedFormat, bool names, long offset) =>
        Assert.Equal(new ExportRequest(expectedFormat, names, offset), ExportRequest.Parse(format, includeNames, offsetMs));

    [Theory]
    [InlineData(null, null, null, "format")]
    [InlineData("", null, null, "format")]
    [InlineData("xlsx", null, null, "format")]
    [InlineData("csv,json", null, null, "format")]
    [InlineData("csv", "yes", null, "includeNames")]
    [InlineData("csv", "1", null, "includeNames")]
    [InlineData("csv", "", null, "includeNames")]
    [InlineData("vtt", null, "86400001", "offsetMs")]
    [InlineData("vtt", null, "-86400001", "offsetMs")]
    [InlineData("vtt", null, "1.5", "offsetMs")]
    [InlineData("vtt", null, "99999999999999999999", "offsetMs")]
    [InlineData("vtt", null, "", "offsetMs")]
    public void Parse_BadValue_IsRefusedNamingTheField(string? format, string? includeNames, string? offsetMs, string field)
    {
        var refused = Assert.Throws<InputException>(() => ExportRequest.Parse(format, includeNames, offsetMs));

        Assert.Equal([field], refused.Errors.ToDictionary().Keys);
    }

    [Fact]
    public void Parse_BadFormat_NamesTheAllowedValues()
    {
        var refused = Assert.Throws<InputException>(() => ExportRequest.Parse("pdf", null, null));

        Assert.Contains("csv, json, md, vtt", refused.Errors.For("format").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadValues_AreAllNamed()
    {
        var refused = Assert.Throws<InputException>(() => ExportRequest.Parse("pdf", "maybe", "soon"));

        Assert.Equal(["format", "includeNames", "offsetMs"], refused.Errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }
}
