using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsSusTests
{
    // Score: odd items answer - 1, even items 5 - answer, sum × 2.5.
    private static readonly int[] Seventy = [3, 2, 3, 2, 4, 2, 4, 2, 4, 2]; // (2+3+2+3+3+3+3+3+3+3) × 2.5 = 28 × 2.5
    private static readonly int[] SeventyFive = [4, 2, 4, 2, 4, 2, 4, 2, 4, 2]; // 30 × 2.5
    private static readonly int[] Eighty = [5, 2, 5, 2, 4, 2, 4, 2, 4, 2]; // 32 × 2.5
    private static readonly int[] Hundred = [5, 1, 5, 1, 5, 1, 5, 1, 5, 1]; // 40 × 2.5
    private static readonly int[] NinetySevenPointFive = [5, 1, 5, 1, 5, 1, 5, 1, 5, 2]; // 39 × 2.5

    [Fact]
    public void Summarize_SeventyToEighty_MatchesHandArithmetic()
    {
        // Scores 70, 75, 80: mean 75, s = 5, se = 5/√3 = 2.886751; t(0.975, 2) = 4.302653 (NIST 4.303)
        // → margin 12.420689 → 62.579311 to 87.420689. 75 lies in B (74.1-77.1) and nearest Bangor's "Good" (71.4).
        var result = Sus.Summarize([Seventy, SeventyFive, Eighty])!;
        Assert.Equal([70.0, 75.0, 80.0], result.Scores);
        Assert.Equal(3, result.Count);
        Assert.Equal(75, result.Mean);
        Assert.Equal(5, result.StandardDeviation!.Value, 1e-12);
        Assert.Equal(62.579311, result.Interval!.Lower, 1e-6);
        Assert.Equal(87.420689, result.Interval.Upper, 1e-6);
        Assert.Equal("B", result.Grade);
        Assert.Equal("Good", result.Adjective);
    }

    [Fact]
    public void Summarize_NearTop_UpperClippedToHundred()
    {
        // 100, 100, 97.5: mean 99.166667, s = √((0.8333² + 0.8333² + 1.6667²)/2) = √2.083333 = 1.443376,
        // se = 1.443376/√3 = 0.833333; margin 4.302653 × 0.833333 = 3.585544 → 95.581123 to 102.75, clipped to 100.
        var result = Sus.Summarize([Hundred, Hundred, NinetySevenPointFive])!;
        Assert.Equal(99.166667, result.Mean, 1e-6);
        Assert.Equal(95.581123, result.Interval!.Lower, 1e-6);
        Assert.Equal(100, result.Interval.Upper);
        Assert.Equal("A+", result.Grade);
        Assert.Equal("Best imaginable", result.Adjective);
    }

    [Fact]
    public void Summarize_SingleParticipant_ScoreWithoutInterval()
    {
        var result = Sus.Summarize([SeventyFive])!;
        Assert.Equal(75, result.Mean);
        Assert.Null(result.StandardDeviation);
        Assert.Null(result.Interval);
        Assert.Equal("B", result.Grade);
    }

    [Fact]
    public void Summarize_IdenticalScores_ZeroWidthInterval() =>
        Assert.Equal(new ConfidenceInterval(75, 75), Sus.Summarize([SeventyFive, SeventyFive])!.Interval);

    [Fact]
    public void Summarize_Empty_ReturnsNull() =>
        Assert.Null(Sus.Summarize([]));

    [Fact]
    public void Summarize_MissingItem_Throws() =>
        Assert.Throws<ArgumentException>(() => Sus.Summarize([SeventyFive, [4, 2, 4, 2, 4, 2, 4, 2, 4]]));

    [Fact]
    public void Summarize_OutOfRangeItem_Throws() =>
        Assert.Throws<ArgumentException>(() => Sus.Summarize([SeventyFive, [4, 2, 4, 2, 4, 2, 4, 2, 4, 0]]));

    [Fact]
    public void Summarize_MissingParticipantAnswers_Throws() =>
        Assert.Throws<ArgumentException>(() => Sus.Summarize([SeventyFive, null!]));

    // Sauro-Lewis curved grading scale ("Quantifying the User Experience", 2nd ed., ch. 8): both ends of every band.
    [Theory]
    [InlineData(100.0, "A+")]
    [InlineData(84.1, "A+")]
    [InlineData(84.0, "A")]
    [InlineData(80.8, "A")]
    [InlineData(80.7, "A-")]
    [InlineData(78.9, "A-")]
    [InlineData(78.8, "B+")]
    [InlineData(77.2, "B+")]
    [InlineData(77.1, "B")]
    [InlineData(74.1, "B")]
    [InlineData(74.0, "B-")]
    [InlineData(72.6, "B-")]
    [InlineData(72.5, "C+")]
    [InlineData(71.1, "C+")]
    [InlineData(71.0, "C")]
    [InlineData(68.0, "C")] // the average SUS score (Sauro and Lewis) is a C
    [InlineData(65.0, "C")]
    [InlineData(64.9, "C-")]
    [InlineData(62.7, "C-")]
    [InlineData(62.6, "D")]
    [InlineData(51.7, "D")]
    [InlineData(51.6, "F")]
    [InlineData(0.0, "F")]
    [InlineData(84.05, "A")] // between the published bands: not yet at A+'s lower bound
    public void Grade_BandEdges_MatchCurvedScale(double score, string expected) =>
        Assert.Equal(expected, Sus.Grade(score));

    // Bangor, Kortum and Miller (2009), JUS 4(3), Table 3 means: each published mean maps to its own adjective,
    // and the cut-offs sit at the midpoints between neighbouring means.
    [Theory]
    [InlineData(12.5, "Worst imaginable")]
    [InlineData(20.3, "Awful")]
    [InlineData(35.7, "Poor")]
    [InlineData(50.9, "OK")]
    [InlineData(71.4, "Good")]
    [InlineData(85.5, "Excellent")]
    [InlineData(90.9, "Best imaginable")]
    [InlineData(0.0, "Worst imaginable")]
    [InlineData(16.39, "Worst imaginable")]
    [InlineData(16.4, "Awful")] // (12.5 + 20.3)/2
    [InlineData(27.99, "Awful")]
    [InlineData(28.0, "Poor")] // (20.3 + 35.7)/2
    [InlineData(43.29, "Poor")]
    [InlineData(43.3, "OK")] // (35.7 + 50.9)/2
    [InlineData(61.14, "OK")]
    [InlineData(61.15, "Good")] // (50.9 + 71.4)/2
    [InlineData(68.0, "Good")]
    [InlineData(78.44, "Good")]
    [InlineData(78.45, "Excellent")] // (71.4 + 85.5)/2
    [InlineData(88.19, "Excellent")]
    [InlineData(88.2, "Best imaginable")] // (85.5 + 90.9)/2
    [InlineData(100.0, "Best imaginable")]
    public void Adjective_PublishedMeansAndMidpoints_MapToNearestAdjective(double score, string expected) =>
        Assert.Equal(expected, Sus.Adjective(score));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void GradeAndAdjective_OutOfRange_Throw(double score)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sus.Grade(score));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sus.Adjective(score));
    }
}
