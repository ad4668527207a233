using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

/// <summary>The affinity board's rules: theme names, positions, the suggestion threshold, and names made from top terms.</summary>
public sealed class SynthesisThemeRulesTests
{
    [Theory]
    [InlineData("  Pricing  ", "Pricing")]
    [InlineData("Ça coûte cher", "Ça coûte cher")]
    public void Name_IsTrimmed(string input, string expected) => Assert.Equal(expected, ThemeRules.Name(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a\u0007b")]
    [InlineData("two\nlines")]
    public void Name_Refused(string? input) =>
        Assert.NotEmpty(Assert.Throws<InputException>(() => ThemeRules.Name(input)).Errors.For("name"));

    [Fact]
    public void Name_IsAtMost80Characters_AfterTrimming()
    {
        Assert.Equal(80, ThemeRules.Name(" " + new string('n', 80) + " ").Length);
        Assert.Throws<InputException>(() => ThemeRules.Name(new string('n', 81)));
    }

    [Fact]
    public void RequireUniqueName_IgnoresCase_AndTheThemeItself()
    {
        var a = Guid.NewGuid();
        (Guid, string)[] themes = [(a, "Pricing"), (Guid.NewGuid(), "Trust")];
        Assert.Throws<ConflictException>(() => ThemeRules.RequireUniqueName("TRUST", themes));
        Assert.Throws<ConflictException>(() => ThemeRules.RequireUniqueName("pricing", themes));
        ThemeRules.RequireUniqueName("pricing", themes, self: a);
        ThemeRules.RequireUniqueName("Price", themes);
    }

    [Theory]
    [InlineData(null, 4, 4)]
    [InlineData(1, 4, 1)]
    [InlineData(4, 4, 4)]
    public void Position_InRange_OrTheEnd(int? position, int max, int expected) => Assert.Equal(expected, ThemeRules.Position(position, max));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-1)]
    public void Position_OutOfRange_IsRefused(int position) =>
        Assert.Contains("between 1 and 4", Assert.Throws<InputException>(() => ThemeRules.Position(position, 4)).Errors.For("position").Single(), StringComparison.Ordinal);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Threshold_OutOfRange_IsRefused(double threshold) =>
        Assert.NotEmpty(Assert.Throws<InputException>(() => ThemeRules.Threshold(threshold)).Errors.For("threshold"));

    [Fact]
    public void Threshold_DefaultsToTheSuggestionsDefault_AndOneIsAllowed()
    {
        Assert.Equal(ThemeSuggestions.DefaultThreshold, ThemeRules.Threshold(null));
        Assert.Equal(1.0, ThemeRules.Threshold(1.0));
        Assert.Equal(0.01, ThemeRules.Threshold(0.01));
    }

    [Fact]
    public void SuggestedName_JoinsTheTerms_CapitalisesTheFirst_AndAvoidsTakenNames()
    {
        var taken = new HashSet<string>(["Price, expensive", "price, expensive (2)"], StringComparer.OrdinalIgnoreCase);
        Assert.Equal("Price, expensive, plan", ThemeRules.SuggestedName(["price", "expensive", "plan"], taken));
        Assert.Equal("Price, expensive (3)", ThemeRules.SuggestedName(["price", "expensive"], taken));
        Assert.Equal("Éclair", ThemeRules.SuggestedName(["éclair"], taken));
        Assert.Equal("Suggested theme", ThemeRules.SuggestedName([], taken));
    }

    [Fact]
    public void SuggestedName_LongTerms_StayWithinTheLimit_EvenWithANumber()
    {
        var long1 = new string('a', 60);
        var long2 = new string('b', 60);
        var name = ThemeRules.SuggestedName([long1, long2], new HashSet<string>(StringComparer.OrdinalIgnoreCase));
        Assert.Equal("A" + long1[1..], name);
        var taken = new HashSet<string>([name], StringComparer.OrdinalIgnoreCase);
        var second = ThemeRules.SuggestedName([long1, long2], taken);
        Assert.EndsWith(" (2)", second, StringComparison.Ordinal);
        Assert.InRange(second.Length, 1, ThemeRules.NameMax);
        Assert.InRange(ThemeRules.SuggestedName([new string('c', 200)], taken).Length, 1, ThemeRules.NameMax);
        // Every suggested name passes the name rule.
        Assert.Equal(second, ThemeRules.Name(second));
    }

    [Fact]
    public void Suggest_MapsGroupsBackToCards_InPoolOrder_WithDistinctNames()
    {
        var session = Guid.NewGuid();
        BoardCard Card(long seq, string text) => new(session, "Round 1", seq, "note", text, "O1", null, 1, "Q", seq * 1000, []);
        BoardCard[] pool =
        [
            Card(1, "The price is too expensive"),
            Card(2, "Export button hidden"),
            Card(3, "Expensive price for us"),
            Card(4, "The export button is hidden"),
            Card(5, "Loves the colours"),
        ];

        var suggestions = ThemeRules.Suggest(pool, ThemeSuggestions.DefaultThreshold, []);

        // Same size: the group whose first card comes first in the pool comes first.
        Assert.Equal(2, suggestions.Count);
        Assert.Equal([1L, 3L], suggestions[0].Cards.Select(c => c.Seq));
        Assert.Equal([2L, 4L], suggestions[1].Cards.Select(c => c.Seq));
        Assert.Equal(["button", "export", "hidden"], suggestions[1].TopTerms);
        Assert.Equal("Button, export, hidden", suggestions[1].Name);
        // A theme of that name already: the suggestion's name differs.
        var again = ThemeRules.Suggest(pool, ThemeSuggestions.DefaultThreshold, ["BUTTON, export, hidden"]);
        Assert.Equal("Button, export, hidden (2)", again[1].Name);
        Assert.Equal(suggestions[0].Name, again[0].Name);
    }
}
