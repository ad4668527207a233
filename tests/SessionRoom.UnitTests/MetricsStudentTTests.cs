using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class MetricsStudentTTests
{
    // NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 "Critical values of the Student's t
    // distribution" (three decimals), columns 0.975 (two-sided 95%), 0.95 and 0.995.
    [Theory]
    [InlineData(0.975, 1, 12.706)]
    [InlineData(0.975, 2, 4.303)]
    [InlineData(0.975, 5, 2.571)]
    [InlineData(0.975, 10, 2.228)]
    [InlineData(0.975, 30, 2.042)]
    [InlineData(0.975, 100, 1.984)]
    [InlineData(0.95, 1, 6.314)]
    [InlineData(0.95, 2, 2.920)]
    [InlineData(0.95, 5, 2.015)]
    [InlineData(0.95, 10, 1.812)]
    [InlineData(0.95, 30, 1.697)]
    [InlineData(0.95, 100, 1.660)]
    [InlineData(0.995, 1, 63.657)]
    [InlineData(0.995, 2, 9.925)]
    [InlineData(0.995, 5, 4.032)]
    [InlineData(0.995, 10, 3.169)]
    [InlineData(0.995, 30, 2.750)]
    [InlineData(0.995, 100, 2.626)]
    public void InverseCdf_TableValues_MatchToThreeDecimals(double p, int df, double expected) =>
        Assert.Equal(expected, StudentT.InverseCdf(p, df), 0.0005);

    // Reference digits from an independent 30-digit computation (mpmath: findroot on betainc), agreeing
    // with the NIST table above where it overlaps; they check the quantile to 1e-9, not just 3 decimals.
    [Theory]
    [InlineData(1, 12.7062047362)]
    [InlineData(2, 4.30265272975)]
    [InlineData(3, 3.18244630528)]
    [InlineData(4, 2.7764451052)]
    [InlineData(5, 2.57058183564)]
    [InlineData(9, 2.2621571628)]
    [InlineData(10, 2.22813885199)]
    [InlineData(30, 2.0422724563)]
    [InlineData(100, 1.98397151852)]
    public void Critical95_SmallAndLargeDf_AccurateToNineDecimals(int df, double expected) =>
        Assert.Equal(expected, StudentT.Critical95(df), 1e-9);

    [Fact]
    public void InverseCdf_VeryLargeDf_ApproachesNormalQuantile() =>
        // The normal 97.5% quantile is 1.959964; with df = 1e6 t differs from it only in the 6th decimal.
        Assert.Equal(1.959964, StudentT.InverseCdf(0.975, 1_000_000), 1e-5);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(29)]
    public void InverseCdf_LowerHalf_IsMirrorOfUpperHalf(int df) =>
        Assert.Equal(-StudentT.InverseCdf(0.975, df), StudentT.InverseCdf(0.025, df), 1e-10);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100)]
    public void InverseCdf_Half_IsZero(int df) =>
        Assert.Equal(0, StudentT.InverseCdf(0.5, df));

    // Round trip over the regions that matter (tails, centre) and fractional / large df.
    [Theory]
    [InlineData(0.6, 3)]
    [InlineData(0.9, 4)]
    [InlineData(0.975, 6)]
    [InlineData(0.999, 8)]
    [InlineData(0.9999, 3)]
    [InlineData(0.0001, 12)]
    [InlineData(0.3, 2.5)]
    [InlineData(0.975, 0.5)]
    [InlineData(0.975, 5000)]
    public void Cdf_OfInverseCdf_ReturnsP(double p, double df) =>
        Assert.Equal(p, StudentT.Cdf(StudentT.InverseCdf(p, df), df), 1e-12);

    // Closed forms of the t CDF: df = 1 is the Cauchy distribution, 1/2 + atan(t)/π; df = 2 is
    // 1/2 + t / (2√(2 + t²)); df = 3 is 1/2 + (1/π)(u/(1 + u²) + atan u) with u = t/√3
    // (e.g. Johnson, Kotz and Balakrishnan, "Continuous Univariate Distributions", vol. 2, ch. 28).
    [Theory]
    [InlineData(-3.0)]
    [InlineData(-0.4)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(2.0)]
    [InlineData(25.0)]
    public void Cdf_Df1To3_MatchesClosedForms(double t)
    {
        Assert.Equal(0.5 + (Math.Atan(t) / Math.PI), StudentT.Cdf(t, 1), 1e-13);
        Assert.Equal(0.5 + (t / (2 * Math.Sqrt(2 + (t * t)))), StudentT.Cdf(t, 2), 1e-13);
        var u = t / Math.Sqrt(3);
        Assert.Equal(0.5 + (((u / (1 + (u * u))) + Math.Atan(u)) / Math.PI), StudentT.Cdf(t, 3), 1e-13);
    }

    [Fact]
    public void Cdf_Infinities_AreZeroAndOne()
    {
        Assert.Equal(1, StudentT.Cdf(double.PositiveInfinity, 5));
        Assert.Equal(0, StudentT.Cdf(double.NegativeInfinity, 5));
    }

    [Theory]
    [InlineData(0.0, 5.0)]
    [InlineData(1.0, 5.0)]
    [InlineData(-0.1, 5.0)]
    [InlineData(double.NaN, 5.0)]
    [InlineData(0.9, 0.0)]
    [InlineData(0.9, -1.0)]
    [InlineData(0.9, double.NaN)]
    [InlineData(0.9, double.PositiveInfinity)]
    public void InverseCdf_OutOfRange_Throws(double p, double df) =>
        Assert.ThrowsAny<ArgumentException>(() => StudentT.InverseCdf(p, df));

    [Fact]
    public void Cdf_NaN_Throws() =>
        Assert.Throws<ArgumentException>(() => StudentT.Cdf(double.NaN, 3));

    // Γ(1/2) = √π, Γ(1) = Γ(2) = 1, Γ(5) = 4! = 24, Γ(10) = 9! = 362880, Γ(0.1) = 9.513507698668732.
    [Theory]
    [InlineData(0.5, 0.57236494292470008)] // ln √π
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.0)]
    [InlineData(5.0, 3.1780538303479458)] // ln 24
    [InlineData(10.0, 12.801827480081469)] // ln 362880
    [InlineData(0.1, 2.2527126517342059)] // ln 9.513507698668732
    public void LogGamma_KnownValues_Match(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), 1e-12);

    // Identities of the regularized incomplete beta: I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_½(a, a) = ½.
    [Theory]
    [InlineData(0.3, 2.5)]
    [InlineData(0.9, 7.0)]
    [InlineData(0.05, 0.5)]
    public void RegularizedIncompleteBeta_Identities_Hold(double x, double a)
    {
        Assert.Equal(Math.Pow(x, a), SpecialFunctions.RegularizedIncompleteBeta(a, 1, x), 1e-13);
        Assert.Equal(1 - Math.Pow(1 - x, a), SpecialFunctions.RegularizedIncompleteBeta(1, a, x), 1e-13);
        Assert.Equal(0.5, SpecialFunctions.RegularizedIncompleteBeta(a, a, 0.5), 1e-13);
    }

    [Fact]
    public void RegularizedIncompleteBeta_Ends_AreZeroAndOne()
    {
        Assert.Equal(0, SpecialFunctions.RegularizedIncompleteBeta(2, 3, 0));
        Assert.Equal(1, SpecialFunctions.RegularizedIncompleteBeta(2, 3, 1));
    }
}
