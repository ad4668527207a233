using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsCompletionRateTests
{
    // z = 1.96, z² = 3.8416, z²/2 = 1.9208 throughout.

    [Fact]
    public void AdjustedWald_FourOfFive_Matches36To98Percent()
    {
        // Sauro and Lewis, "Quantifying the User Experience", 2nd ed., ch. 3, and Tullis and Albert,
        // "Measuring the User Experience", p. 69: 4 of 5 gives about 36% to 98%.
        // p_adj = 5.9208 / 8.8416 = 0.669653; margin = 1.96·√(0.669653·0.330347/8.8416) = 1.96·0.158177 = 0.310028
        // → 0.359625 to 0.979681 (Tullis and Albert print 0.3596 and 0.9796).
        var ci = CompletionRate.AdjustedWald(4, 5);
        Assert.Equal(0.3596, ci.Lower, 0.0001);
        Assert.Equal(0.9797, ci.Upper, 0.0001);
    }

    [Fact]
    public void Compute_FourOfFive_PointEstimateIsRawProportion()
    {
        var result = CompletionRate.Compute(4, 5);
        Assert.Equal(4, result.Successes);
        Assert.Equal(5, result.Attempts);
        Assert.Equal(0.8, result.Rate);
    }

    [Fact]
    public void AdjustedWald_TenOfTen_UpperClippedToOne()
    {
        // Hand-checked with the stated formula: p_adj = 11.9208 / 13.8416 = 0.861230;
        // margin = 1.96·√(0.861230·0.138770/13.8416) = 1.96·0.092921 = 0.182125 → 0.679105 to 1.043355, clipped to 1.
        // (The often-quoted "72% to 100%" for 10/10 is the Wilson score bound n/(n + z²) = 10/13.8416 = 0.7225,
        // not the adjusted-Wald interval defined here.)
        var ci = CompletionRate.AdjustedWald(10, 10);
        Assert.Equal(0.679105, ci.Lower, 1e-6);
        Assert.Equal(1.0, ci.Upper);
        Assert.Equal(1.0, CompletionRate.Compute(10, 10).Rate);
    }

    [Fact]
    public void AdjustedWald_ZeroOfFive_LowerIsZero()
    {
        // p_adj = 1.9208 / 8.8416 = 0.217246; margin = 1.96·√(0.217246·0.782754/8.8416) = 0.271818
        // → -0.054572 clipped to 0, upper 0.489064.
        var ci = CompletionRate.AdjustedWald(0, 5);
        Assert.Equal(0.0, ci.Lower);
        Assert.Equal(0.489064, ci.Upper, 1e-6);
        Assert.Equal(0.0, CompletionRate.Compute(0, 5).Rate);
    }

    [Fact]
    public void AdjustedWald_NineOfTen_MatchesHandArithmetic()
    {
        // Sauro's calculator page (measuringu.com/wald.htm) gives p_adj ≈ 11/14 for 9 of 10; exactly
        // p_adj = 10.9208 / 13.8416 = 0.788984; margin = 1.96·√(0.788984·0.211016/13.8416) = 1.96·0.109673 = 0.214959
        // → 0.574025 to 1.003943, clipped to 1.
        var ci = CompletionRate.AdjustedWald(9, 10);
        Assert.Equal(0.574025, ci.Lower, 1e-6);
        Assert.Equal(1.0, ci.Upper);
    }

    [Fact]
    public void AdjustedWald_SevenOfTen_MatchesHandArithmetic()
    {
        // p_adj = 8.9208 / 13.8416 = 0.644492; margin = 1.96·√(0.644492·0.355508/13.8416) = 1.96·0.128659 = 0.252172
        // → 0.392320 to 0.896664.
        var ci = CompletionRate.AdjustedWald(7, 10);
        Assert.Equal(0.392320, ci.Lower, 1e-6);
        Assert.Equal(0.896664, ci.Upper, 1e-6);
    }

    [Fact]
    public void AdjustedWald_FiveOfTen_IsSymmetricAroundHalf()
    {
        // p_adj = 6.9208 / 13.8416 = 0.5 exactly; margin = 1.96·√(0.25/13.8416) = 1.96·0.134393 = 0.263410.
        var ci = CompletionRate.AdjustedWald(5, 10);
        Assert.Equal(0.236590, ci.Lower, 1e-6);
        Assert.Equal(0.763410, ci.Upper, 1e-6);
    }

    [Fact]
    public void AdjustedWald_OneOfOne_MatchesHandArithmetic()
    {
        // n = 1: p_adj = 2.9208 / 4.8416 = 0.603272; margin = 1.96·√(0.603272·0.396728/4.8416) = 1.96·0.222335 = 0.435777
        // → 0.167494 to 1.039, clipped to 1.
        var ci = CompletionRate.AdjustedWald(1, 1);
        Assert.Equal(0.167494, ci.Lower, 1e-6);
        Assert.Equal(1.0, ci.Upper);
    }

    [Fact]
    public void AdjustedWald_ZeroOfOne_MirrorsOneOfOne()
    {
        // By symmetry: 0 to 1 - 0.167494 = 0.832506.
        var ci = CompletionRate.AdjustedWald(0, 1);
        Assert.Equal(0.0, ci.Lower);
        Assert.Equal(0.832506, ci.Upper, 1e-6);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(-1, 5)]
    [InlineData(6, 5)]
    public void AdjustedWald_InvalidCounts_Throws(int successes, int attempts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CompletionRate.AdjustedWald(successes, attempts));

    [Fact]
    public void FromOutcomes_PartialNotCountedByDefault_CountsOnlySuccess()
    {
        var result = CompletionRate.FromOutcomes(["success", "partial", "fail", "gave-up", "success"])!;
        Assert.Equal(2, result.Successes);
        Assert.Equal(5, result.Attempts);
        Assert.Equal(0.4, result.Rate);
    }

    [Fact]
    public void FromOutcomes_PartialCountedWhenConfigured_CountsSuccessAndPartial()
    {
        var result = CompletionRate.FromOutcomes(["success", "partial", "fail", "gave-up", "success"], partialCountsAsSuccess: true)!;
        Assert.Equal(3, result.Successes);
        Assert.Equal(0.6, result.Rate);
    }

    [Fact]
    public void FromOutcomes_FourOfFive_SameIntervalAsCounts() =>
        Assert.Equal(CompletionRate.AdjustedWald(4, 5), CompletionRate.FromOutcomes(["success", "success", "fail", "success", "success"])!.Interval);

    [Fact]
    public void FromOutcomes_Empty_ReturnsNull() =>
        Assert.Null(CompletionRate.FromOutcomes([]));

    [Theory]
    [InlineData("done")]
    [InlineData("Success")]
    [InlineData("")]
    public void FromOutcomes_UnknownOutcome_Throws(string outcome) =>
        Assert.Throws<ArgumentException>(() => CompletionRate.FromOutcomes(["success", outcome]));

    [Fact]
    public void FromAttempts_RetriedTask_UsesLastOutcomePerParticipant()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        var result = CompletionRate.FromAttempts(
        [
            new(a, "fail", 1),
            new(b, "success", 2),
            new(a, "success", 5), // a's retry replaces the fail
            new(b, "gave-up", 3), // b's later attempt replaces the success
            new(c, "partial", 4),
        ])!;
        Assert.Equal(1, result.Successes);
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public void FromAttempts_Empty_ReturnsNull() =>
        Assert.Null(CompletionRate.FromAttempts([]));
}
