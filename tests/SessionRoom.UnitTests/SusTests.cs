using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class SusTests
{
    [Theory]
    [InlineData(new[] { 5, 1, 5, 1, 5, 1, 5, 1, 5, 1 }, 100.0)]
    [InlineData(new[] { 1, 5, 1, 5, 1, 5, 1, 5, 1, 5 }, 0.0)]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 }, 50.0)]
    [InlineData(new[] { 4, 2, 4, 1, 5, 2, 4, 2, 4, 3 }, 77.5)]
    public void Score_StandardScoring_MatchesHandWorkedValues(int[] items, double expected) =>
        Assert.Equal(expected, Sus.Score(items));

    [Theory]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3 })]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 6 })]
    [InlineData(new[] { 0, 3, 3, 3, 3, 3, 3, 3, 3, 3 })]
    public void Score_WrongCountOrRange_Throws(int[] items) =>
        Assert.Throws<ArgumentException>(() => Sus.Score(items));
}
