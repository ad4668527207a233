using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsSampleSizeTests
{
    [Fact]
    public void AdditionalForCompletionRate_HalfSucceed_MatchesClosedForm()
    {
        // At p = 0.5 the adjusted proportion stays 0.5, so the adjusted-Wald sample-size formula of Sauro and Lewis
        // ("Quantifying the User Experience", 2nd ed., ch. 6), n = z²p(1-p)/d² - z² with margin d = width/2 = 0.1, is exact:
        // 3.8416 × 0.25 / 0.01 - 3.8416 = 96.04 - 3.8416 = 92.1984 → 93 in total; 10 tested → 83 more.
        Assert.Equal(new SampleSizeEstimate(83, false), SampleSize.AdditionalForCompletionRate(5, 10, 0.20));
    }

    [Fact]
    public void AdditionalForCompletionRate_NoDataYet_AssumesHalf()
    {
        // Same closed form as above from zero: 93 participants.
        Assert.Equal(new SampleSizeEstimate(93, false), SampleSize.AdditionalForCompletionRate(0, 0, 0.20));
    }

    [Fact]
    public void AdditionalForCompletionRate_FourOfFive_FiftySevenMore()
    {
        // p = 0.8 held: at n = 62, p_adj = (49.6 + 1.9208)/65.8416 = 0.782496, width = 2 × 1.96 × √(0.782497 × 0.217503/65.8416)
        // = 3.92 × 0.050842 = 0.199301 ≤ 0.20; at n = 61, p_adj = 0.782226, width = 3.92 × 0.051256 = 0.200922 > 0.20.
        // 62 - 5 = 57 more.
        Assert.Equal(new SampleSizeEstimate(57, false), SampleSize.AdditionalForCompletionRate(4, 5, 0.20));
    }

    [Fact]
    public void AdditionalForCompletionRate_TenOfTen_UsesClippedWidth()
    {
        // p = 1 held: the interval's top is clipped at 1, so width = 1 - (p_adj - margin).
        // n = 19: p_adj = 20.9208/22.8416 = 0.915908, margin = 1.96 × √(0.915908 × 0.084092/22.8416) = 0.113816 → width 0.197908;
        // n = 18: p_adj = 19.9208/21.8416 = 0.912058, margin = 0.118775 → width 0.206717 > 0.20. 19 - 10 = 9 more.
        Assert.Equal(new SampleSizeEstimate(9, false), SampleSize.AdditionalForCompletionRate(10, 10, 0.20));
    }

    [Fact]
    public void AdditionalForCompletionRate_AlreadyNarrower_Zero()
    {
        // 50 of 100: p_adj = 0.5, width = 3.92 × √(0.25/103.8416) = 3.92 × 0.049067 = 0.192340 ≤ 0.20.
        Assert.Equal(new SampleSizeEstimate(0, false), SampleSize.AdditionalForCompletionRate(50, 100, 0.20));
        Assert.Equal(new SampleSizeEstimate(0, false), SampleSize.AdditionalForCompletionRate(0, 1, 1.0));
    }

    [Fact]
    public void AdditionalForCompletionRate_UnreachableWithinCap_ReportsCap()
    {
        // Width 0.01 at p = 0.5 needs 3.8416 × 0.25 / 0.000025 - 3.8416 ≈ 38,412 participants: beyond the cap.
        Assert.Equal(new SampleSizeEstimate(SampleSize.Cap, true), SampleSize.AdditionalForCompletionRate(5, 10, 0.01));
        Assert.Equal(10_000, SampleSize.Cap);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.2)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void AdditionalForCompletionRate_InvalidWidth_Throws(double width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSize.AdditionalForCompletionRate(4, 5, width));

    [Theory]
    [InlineData(6, 5)]
    [InlineData(-1, 5)]
    [InlineData(0, -1)]
    public void AdditionalForCompletionRate_InvalidCounts_Throws(int successes, int attempts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSize.AdditionalForCompletionRate(successes, attempts, 0.2));
}
