using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

/// <summary>What a search box becomes in FTS5, and the checks of timeline requests.</summary>
public sealed class SearchQueryTests
{
    [Theory]
    [InlineData("price", "\"price\"*")]
    [InlineData("  Blue   mug ", "\"Blue\"* \"mug\"*")]
    [InlineData("\"small teams\" price", "\"small teams\" \"price\"*")]
    [InlineData("price \"small teams\"", "\"price\"* \"small teams\"")]
    [InlineData("don't", "\"don\"* \"t\"*")]
    [InlineData("text: NEAR(a b)", "\"text\"* \"NEAR\"* \"a\"* \"b\"*")]
    [InlineData("a\"b", "\"a\"* \"b\"*")]
    [InlineData("\"unclosed phrase", "\"unclosed phrase\"")]
    [InlineData("ÉTÉ 价格", "\"ÉTÉ\"* \"价格\"*")]
    public void ToFts_QuotesEveryWord_KeepsPhrasesExact_AndMatchesWordsAsPrefixes(string input, string expected) =>
        Assert.Equal(expected, SearchQuery.ToFts(input));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("*** -- ()")]
    [InlineData("💬")]
    [InlineData(null)]
    public void ToFts_NothingToSearchFor_IsNull(string? input) => Assert.Null(SearchQuery.ToFts(input));

    [Theory]
    [InlineData("price", "price:*")]
    [InlineData("  Blue   mug ", "blue:* & mug:*")]
    [InlineData("\"small teams\" price", "(small <-> teams) & price:*")]
    [InlineData("don't", "don:* & t:*")]
    [InlineData("text: NEAR(a b) & | ! <->", "text:* & near:* & a:* & b:*")]
    [InlineData("\"unclosed phrase", "(unclosed <-> phrase)")]
    [InlineData("\"one\"", "one:*")]
    public void ToTsQuery_IsTheSameSearchAsToFts_ForPostgreSql(string input, string expected) =>
        Assert.Equal(expected, SearchQuery.ToTsQuery(input));

    [Theory]
    [InlineData("")]
    [InlineData("*** -- ()")]
    [InlineData(null)]
    public void ToTsQuery_NothingToSearchFor_IsNull(string? input) => Assert.Null(SearchQuery.ToTsQuery(input));

    [Fact]
    public void Runs_SplitAtTheMarks()
    {
        var snippet = $"the {SearchQuery.MarkStart}price{SearchQuery.MarkEnd} is {SearchQuery.MarkStart}high{SearchQuery.MarkEnd}";
        Assert.Equal([("the ", false), ("price", true), (" is ", false), ("high", true)], SearchQuery.Runs(snippet));
        Assert.Equal([("plain <b>text</b>", false)], SearchQuery.Runs("plain <b>text</b>"));
        Assert.Empty(SearchQuery.Runs(""));
    }

    [Fact]
    public void Check_TrimsAndDropsBlanks()
    {
        var f = TimelineRules.Check(new TimelineFilter(Types: [" note ", "", "note"], Tag: "  ", Text: "  price "));
        Assert.Equal(["note"], f.Types);
        Assert.Null(f.Tag);
        Assert.Equal("price", f.Text);
        Assert.True(TimelineRules.Check(new TimelineFilter(Types: [], Text: " ")).IsEmpty);
    }

    [Fact]
    public void Check_RefusesUnknownTypes_LongText_AndUnsearchableText()
    {
        Assert.Contains("type", Fails(new TimelineFilter(Types: ["notes"])));
        Assert.Contains("q", Fails(new TimelineFilter(Text: new string('a', TimelineRules.MaxSearchLength + 1))));
        Assert.Contains("q", Fails(new TimelineFilter(Text: "***")));
        Assert.Contains("tag", Fails(new TimelineFilter(Tag: new string('t', Limits.TagNameMax + 1))));
    }

    [Theory]
    [InlineData(null, TimelineRules.DefaultLimit)]
    [InlineData(1, 1)]
    [InlineData(TimelineRules.MaxLimit, TimelineRules.MaxLimit)]
    public void Limit_InRange(int? asked, int expected) => Assert.Equal(expected, TimelineRules.Limit(asked));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(TimelineRules.MaxLimit + 1)]
    public void Limit_OutOfRange_IsAnInputError(int asked) =>
        Assert.Contains("limit", Assert.Throws<InputException>(() => TimelineRules.Limit(asked)).Errors.ToDictionary().Keys);

    [Fact]
    public void EveryEventType_IsFilterable()
    {
        var constants = typeof(EventTypes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order();
        Assert.Equal(constants, EventTypes.All.Order());
        Assert.Equal(EventTypes.All.Count, EventTypes.All.Distinct().Count());
    }

    private static IEnumerable<string> Fails(TimelineFilter f) =>
        Assert.Throws<InputException>(() => TimelineRules.Check(f)).Errors.ToDictionary().Keys;
}
