using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsTimeOnTaskTests
{
    [Fact]
    public void Compute_SauroCalculatorExample_Reports68Seconds46To101()
    {
        // Sauro, "Graph and Calculator for Confidence Intervals for Task Times" (measuringu.com/time_intervals.php, 2006):
        // times 55, 65, 75, 62, 45, 135 at 95% → "Average Time: 68 seconds, 95% CI (46, 101)".
        // Hand check: mean of ln = 25.338280/6 = 4.223047 → e^4.223047 = 68.2411; s(ln) = 0.375720, se = 0.153387,
        // t(0.975, 5) = 2.570582 → 4.223047 ± 0.394295 → e^3.828752 = 46.0051, e^4.617342 = 101.2245.
        var result = TimeOnTask.Compute([55, 65, 75, 62, 45, 135])!;
        Assert.Equal(6, result.Count);
        Assert.Equal(68, result.GeometricMean, 0.5);
        Assert.Equal(46, result.Interval!.Lower, 0.5);
        Assert.Equal(101, result.Interval.Upper, 0.5);
        Assert.Equal(68.2411, result.GeometricMean, 1e-4);
        Assert.Equal(46.0051, result.Interval.Lower, 1e-4);
        Assert.Equal(101.2245, result.Interval.Upper, 1e-4);
        // Median: sorted 45, 55, 62, 65, 75, 135 → (62 + 65)/2.
        Assert.Equal(63.5, result.Median);
    }

    [Fact]
    public void Compute_SauroSkewedExample_MedianIs102Point5()
    {
        // Sauro, "Average Task Times in Usability Tests: What to Report?" (measuringu.com, 2010):
        // 100, 101, 102, 103, 104 and 200 have median 102.5.
        var result = TimeOnTask.Compute([100, 101, 102, 103, 104, 200])!;
        Assert.Equal(102.5, result.Median);
        // Geometric mean below the arithmetic mean of 118.33 because of the skew: (100·101·102·103·104·200)^(1/6).
        Assert.Equal(Math.Pow(100.0 * 101 * 102 * 103 * 104 * 200, 1.0 / 6), result.GeometricMean, 1e-9);
    }

    [Fact]
    public void Compute_TwoTimesDecadeApart_IntervalIsTenToTwoPlusMinusT()
    {
        // Hand check in base-10 logs: log10 10 = 1, log10 1000 = 3; mean 2 → geometric mean 100;
        // s = √2, se = √2/√2 = 1; t(0.975, 1) = 12.7062047 → interval 10^(2 ± 12.7062047) (natural logs scale alike).
        var result = TimeOnTask.Compute([10, 1000])!;
        Assert.Equal(100, result.GeometricMean, 1e-9);
        Assert.Equal(505, result.Median);
        Assert.Equal(2 - 12.7062047362, Math.Log10(result.Interval!.Lower), 1e-8);
        Assert.Equal(2 + 12.7062047362, Math.Log10(result.Interval.Upper), 1e-8);
    }

    [Fact]
    public void Compute_SingleTime_MeanAndMedianWithoutInterval()
    {
        var result = TimeOnTask.Compute([90])!;
        Assert.Equal(1, result.Count);
        Assert.Equal(90, result.GeometricMean);
        Assert.Equal(90, result.Median);
        Assert.Null(result.Interval);
    }

    [Fact]
    public void Compute_IdenticalTimes_ZeroWidthInterval()
    {
        var result = TimeOnTask.Compute([0.1, 0.1, 0.1])!;
        Assert.Equal(0.1, result.GeometricMean);
        Assert.Equal(0.1, result.Median);
        Assert.Equal(new ConfidenceInterval(0.1, 0.1), result.Interval);
        Assert.Equal(0, result.Interval!.Width);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Compute_NonPositiveOrNonFiniteTime_Throws(double bad) =>
        Assert.Throws<ArgumentException>(() => TimeOnTask.Compute([30, bad]));

    [Fact]
    public void Compute_Empty_ReturnsNull() =>
        Assert.Null(TimeOnTask.Compute([]));

    [Fact]
    public void FromAttempts_MixedOutcomes_UsesLastSuccessfulTimesOnly()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid(), d = Guid.NewGuid(), e = Guid.NewGuid();
        TaskAttempt[] attempts =
        [
            new(a, "success", 1, 20),
            new(b, "success", 2, 500),
            new(b, "fail", 7, 40), // b's last attempt failed: neither time counts
            new(c, "success", 3, 80),
            new(d, "success", 4), // no recorded time: skipped
            new(e, "partial", 5, 1000),
        ];
        var strict = TimeOnTask.FromAttempts(attempts)!;
        Assert.Equal(2, strict.Count);
        Assert.Equal(40, strict.GeometricMean, 1e-9); // √(20·80)
        Assert.Equal(50, strict.Median);

        var lenient = TimeOnTask.FromAttempts(attempts, partialCountsAsSuccess: true)!;
        Assert.Equal(3, lenient.Count);
        Assert.Equal(80, lenient.Median);
    }

    [Fact]
    public void FromAttempts_NoSuccess_ReturnsNull() =>
        Assert.Null(TimeOnTask.FromAttempts([new(Guid.NewGuid(), "fail", 1, 12)]));
}
