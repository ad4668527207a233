using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsSeqTests
{
    [Fact]
    public void Compute_ThreeToSeven_MatchesHandArithmetic()
    {
        // 3, 4, 5, 6, 7: mean 5; squared deviations 4+1+0+1+4 = 10, s = √(10/4) = 1.581139, se = s/√5 = 0.707107;
        // t(0.975, 4) = 2.776445 (NIST table 2.776) → margin 1.963243 → 3.036757 to 6.963243.
        var result = Seq.Compute([3, 4, 5, 6, 7])!;
        Assert.Equal(5, result.Count);
        Assert.Equal(5, result.Mean);
        Assert.Equal(1.581139, result.StandardDeviation!.Value, 1e-6);
        Assert.Equal(3.036757, result.Interval!.Lower, 1e-6);
        Assert.Equal(6.963243, result.Interval.Upper, 1e-6);
    }

    [Fact]
    public void Compute_HighRatings_UpperClippedToSeven()
    {
        // 5, 6, 7: mean 6, s = 1, se = 1/√3 = 0.577350; t(0.975, 2) = 4.302653 → margin 2.484138
        // → 3.515862 to 8.484138, the upper end clipped to the top of the scale, 7.
        var result = Seq.Compute([5, 6, 7])!;
        Assert.Equal(6, result.Mean);
        Assert.Equal(3.515862, result.Interval!.Lower, 1e-6);
        Assert.Equal(7, result.Interval.Upper);
    }

    [Fact]
    public void Compute_SingleAnswer_MeanWithoutInterval()
    {
        var result = Seq.Compute([4])!;
        Assert.Equal(4, result.Mean);
        Assert.Null(result.StandardDeviation);
        Assert.Null(result.Interval);
    }

    [Fact]
    public void Compute_IdenticalAnswers_ZeroWidthInterval()
    {
        var result = Seq.Compute([6, 6, 6, 6])!;
        Assert.Equal(new ConfidenceInterval(6, 6), result.Interval);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(-1)]
    public void Compute_OutOfScale_Throws(int bad) =>
        Assert.Throws<ArgumentException>(() => Seq.Compute([5, bad]));

    [Fact]
    public void Compute_Empty_ReturnsNull() =>
        Assert.Null(Seq.Compute([]));
}
