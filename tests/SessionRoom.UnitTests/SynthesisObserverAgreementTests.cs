using System.Globalization;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

public sealed class SynthesisObserverAgreementTests
{
    [Fact]
    public void Compute_Fleiss1971WorkedExample_MatchesPublishedValues()
    {
        // The worked example of Fleiss (1971) as reproduced on Wikipedia's "Fleiss' kappa" page
        // (https://en.wikipedia.org/wiki/Fleiss%27_kappa, "Worked example"): 10 subjects, 14 raters, 5 categories.
        // Published: P̄ = 0.378, Pe = 0.213, κ = 0.210 ("fair agreement").
        int[][] counts =
        [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ];
        var result = ObserverAgreement.Compute(counts);
        Assert.Equal(0.378, result.ObservedAgreement, 3);
        Assert.Equal(0.213, result.ExpectedAgreement, 3);
        Assert.Equal(0.210, result.Kappa, 3);
        Assert.Equal(37.8, result.PercentAgreement, 1);
        Assert.Equal(10, result.Subjects);
        Assert.Equal(14, result.Raters);
        Assert.Equal(KappaBand.Fair, result.Band);
        Assert.Equal("fair", result.BandName);
    }

    [Fact]
    public void Compute_PerfectAgreement_KappaOne()
    {
        // Every subject unanimous, both categories used: P̄ = 1, Pe = 0.5² + 0.5² = 0.5, κ = (1 − 0.5)/(1 − 0.5) = 1.
        var result = ObserverAgreement.Compute([[3, 0], [0, 3], [3, 0], [0, 3]]);
        Assert.Equal(1, result.ObservedAgreement);
        Assert.Equal(0.5, result.ExpectedAgreement);
        Assert.Equal(1, result.Kappa);
        Assert.Equal(100, result.PercentAgreement);
        Assert.Equal(KappaBand.AlmostPerfect, result.Band);
    }

    [Fact]
    public void Compute_AllRatingsInOneCategory_KappaDefinedAsOne()
    {
        // Pe = 1² + 0² = 1 makes the formula 0/0; agreement is perfect, so kappa is defined as 1, never NaN.
        var result = ObserverAgreement.Compute([[4, 0, 0], [4, 0, 0]]);
        Assert.Equal(1, result.ObservedAgreement);
        Assert.Equal(1, result.ExpectedAgreement);
        Assert.Equal(1, result.Kappa);
        Assert.False(double.IsNaN(result.Kappa));
        Assert.Equal(KappaBand.AlmostPerfect, result.Band);
    }

    [Fact]
    public void Compute_HandWorkedTwoCategories_MatchesArithmetic()
    {
        // 5 subjects, 3 raters, categories {yes, no}: [3,0] [3,0] [2,1] [1,2] [3,0].
        // P_i = Σ n(n−1) / (3·2): [3,0] → 6/6 = 1; [2,1] → 2/6 = 1/3; [1,2] → 2/6 = 1/3.
        // P̄ = (1 + 1 + 1/3 + 1/3 + 1)/5 = (11/3)/5 = 11/15 = 0.733333.
        // Column totals 12 and 3 of 15 ratings: p = 0.8, 0.2; Pe = 0.64 + 0.04 = 0.68.
        // κ = (11/15 − 17/25)/(1 − 17/25) = (55/75 − 51/75)/(8/25) = (4/75)·(25/8) = 1/6 = 0.166667:
        // high raw agreement, yet slight once the popularity of "yes" is allowed for.
        var result = ObserverAgreement.Compute([[3, 0], [3, 0], [2, 1], [1, 2], [3, 0]]);
        Assert.Equal(11.0 / 15, result.ObservedAgreement, 12);
        Assert.Equal(0.68, result.ExpectedAgreement, 12);
        Assert.Equal(1.0 / 6, result.Kappa, 12);
        Assert.Equal(1100.0 / 15, result.PercentAgreement, 10);
        Assert.Equal(5, result.Subjects);
        Assert.Equal(3, result.Raters);
        Assert.Equal(KappaBand.Slight, result.Band);
    }

    [Fact]
    public void Compute_AgreementAtChance_KappaZero()
    {
        // 2 raters: agree on 2 of 4 subjects → P̄ = (1 + 1 + 0 + 0)/4 = 0.5; totals 4 and 4 → Pe = 0.5; κ = 0.
        var result = ObserverAgreement.Compute([[2, 0], [0, 2], [1, 1], [1, 1]]);
        Assert.Equal(0.5, result.ObservedAgreement);
        Assert.Equal(0.5, result.ExpectedAgreement);
        Assert.Equal(0, result.Kappa, 12);
        Assert.Equal(KappaBand.Slight, result.Band);
    }

    [Fact]
    public void Compute_SystematicDisagreement_NegativeKappa()
    {
        // 2 raters never agree: P̄ = 0, Pe = 0.5, κ = (0 − 0.5)/(1 − 0.5) = −1.
        var never = ObserverAgreement.Compute([[1, 1], [1, 1], [1, 1], [1, 1]]);
        Assert.Equal(0, never.ObservedAgreement);
        Assert.Equal(-1, never.Kappa, 12);
        Assert.Equal(KappaBand.Poor, never.Band);

        // 3 raters always split 2-1: P_i = 2/6 = 1/3, P̄ = 1/3; totals 6 and 6 → Pe = 0.5; κ = (1/3 − 1/2)/(1/2) = −1/3.
        var split = ObserverAgreement.Compute([[2, 1], [1, 2], [2, 1], [1, 2]]);
        Assert.Equal(-1.0 / 3, split.Kappa, 12);
        Assert.Equal(KappaBand.Poor, split.Band);
    }

    [Fact]
    public void Compute_RaggedRows_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[2, 0], [1, 0, 1]]));
        Assert.Contains("subject 2 has 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_DifferentRaterCounts_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[2, 1], [1, 1]]));
        Assert.Contains("same number of raters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_OneRater_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[1, 0], [0, 1]]));
        Assert.Contains("at least two raters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_NoSubjects_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([]));
        Assert.Contains("at least one subject", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_NoCategories_Throws() =>
        Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[], []]));

    [Fact]
    public void Compute_NegativeCount_Throws() =>
        Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[3, -1], [1, 1]]));

    [Fact]
    public void Compute_NullInputs_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ObserverAgreement.Compute(null!));
        Assert.Throws<ArgumentException>(() => ObserverAgreement.Compute([[1, 1], null!]));
    }

    [Theory]
    [InlineData(-1.0, KappaBand.Poor)]
    [InlineData(-0.01, KappaBand.Poor)]
    [InlineData(-0.004, KappaBand.Slight)] // shown as 0.00
    [InlineData(0.0, KappaBand.Slight)]
    [InlineData(0.20, KappaBand.Slight)]
    [InlineData(0.204, KappaBand.Slight)] // shown as 0.20
    [InlineData(0.206, KappaBand.Fair)] // shown as 0.21
    [InlineData(0.21, KappaBand.Fair)]
    [InlineData(0.40, KappaBand.Fair)]
    [InlineData(0.41, KappaBand.Moderate)]
    [InlineData(0.60, KappaBand.Moderate)]
    [InlineData(0.61, KappaBand.Substantial)]
    [InlineData(0.80, KappaBand.Substantial)]
    [InlineData(0.81, KappaBand.AlmostPerfect)]
    [InlineData(1.0, KappaBand.AlmostPerfect)]
    public void BandOf_LandisKochBoundaries(double kappa, KappaBand expected) =>
        Assert.Equal(expected, ObserverAgreement.BandOf(kappa));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.01)]
    [InlineData(-1.01)]
    public void BandOf_OutOfRange_Throws(double kappa) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ObserverAgreement.BandOf(kappa));

    [Theory]
    [InlineData(KappaBand.Poor, "poor")]
    [InlineData(KappaBand.Slight, "slight")]
    [InlineData(KappaBand.Fair, "fair")]
    [InlineData(KappaBand.Moderate, "moderate")]
    [InlineData(KappaBand.Substantial, "substantial")]
    [InlineData(KappaBand.AlmostPerfect, "almost perfect")]
    public void NameOf_PlainWords(KappaBand band, string expected) =>
        Assert.Equal(expected, ObserverAgreement.NameOf(band));

    [Fact]
    public void Explain_TwoObservers_OneSentence()
    {
        // 2 observers, 10 moments; they agree "applied" on 3, "not applied" on 5, and disagree on 2.
        // P̄ = 8/10 = 0.8 (80%). Totals: applied 3·2 + 2 = 8, not applied 5·2 + 2 = 12 of 20 → p = 0.4, 0.6;
        // Pe = 0.16 + 0.36 = 0.52; κ = (0.8 − 0.52)/(1 − 0.52) = 0.28/0.48 = 0.583333 → 0.58, moderate.
        int[][] counts = [[2, 0], [2, 0], [2, 0], [0, 2], [0, 2], [0, 2], [0, 2], [0, 2], [1, 1], [1, 1]];
        var result = ObserverAgreement.Compute(counts);
        Assert.Equal(7.0 / 12, result.Kappa, 12);
        Assert.Equal(
            "The two observers agreed on 80% of moments; after allowing for chance agreement, kappa is 0.58 (moderate).",
            result.Explain());
    }

    [Fact]
    public void Explain_ManyObservers_SaysPairsOnAverage()
    {
        // The hand-worked example above: P̄ = 73.3% → 73%, κ = 0.1667 → 0.17 (slight).
        var result = ObserverAgreement.Compute([[3, 0], [3, 0], [2, 1], [1, 2], [3, 0]]);
        Assert.Equal(
            "On average, any two observers agreed on 73% of moments; after allowing for chance agreement, kappa is 0.17 (slight).",
            result.Explain());
    }

    [Fact]
    public void Explain_NearlyPerfect_NeverShowsHundredPercent()
    {
        // 2 observers, 300 moments, one disagreement: P̄ = 299/300 = 99.67%, which would round to 100%.
        var counts = Enumerable.Range(0, 300).Select(i => i == 0 ? new[] { 1, 1 } : i % 2 == 0 ? new[] { 2, 0 } : new[] { 0, 2 }).ToArray();
        var result = ObserverAgreement.Compute(counts);
        Assert.True(result.ObservedAgreement < 1);
        Assert.StartsWith("The two observers agreed on 99% of moments;", result.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void RoundKappa_TinyNegative_NeverPrintsMinusZero() =>
        Assert.Equal("0.00", ObserverAgreement.RoundKappa(-0.004).ToString("0.00", CultureInfo.InvariantCulture));

    [Fact]
    public void TagMatrix_CountsAppliedAndNotApplied()
    {
        // Moments × observers: whether each of 3 observers applied the tag.
        bool[][] applied =
        [
            [true, true, true],
            [true, false, true],
            [false, false, false],
            [false, true, false],
        ];
        var matrix = ObserverAgreement.TagMatrix(applied);
        Assert.Equal([[3, 0], [2, 1], [0, 3], [1, 2]], matrix);
        Assert.Equal(0, ObserverAgreement.Applied);
        Assert.Equal(1, ObserverAgreement.NotApplied);
    }

    [Fact]
    public void ForTag_MatchesComputeOnTheMatrix()
    {
        // [3,0] [2,1] [0,3] [1,2]: P̄ = (1 + 1/3 + 1 + 1/3)/4 = 2/3; totals 6 and 6 → Pe = 0.5; κ = (2/3 − 1/2)/(1/2) = 1/3.
        bool[][] applied =
        [
            [true, true, true],
            [true, false, true],
            [false, false, false],
            [false, true, false],
        ];
        var result = ObserverAgreement.ForTag(applied);
        Assert.Equal(2.0 / 3, result.ObservedAgreement, 12);
        Assert.Equal(0.5, result.ExpectedAgreement, 12);
        Assert.Equal(1.0 / 3, result.Kappa, 12);
        Assert.Equal(4, result.Subjects);
        Assert.Equal(3, result.Raters);
        Assert.Equal(KappaBand.Fair, result.Band);
    }

    [Fact]
    public void TagMatrix_MissingDecision_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => ObserverAgreement.TagMatrix([[true, false], [true]]));
        Assert.Contains("moment 2 has 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTag_NoMomentsOrOneObserver_Throws()
    {
        Assert.Throws<ArgumentException>(() => ObserverAgreement.ForTag([]));
        Assert.Throws<ArgumentException>(() => ObserverAgreement.ForTag([[true], [false]]));
    }
}
