namespace SessionRoom.Core.Metrics;

/// <summary>
/// A 95% confidence interval: the range of values for the whole population that this sample is consistent with.
/// </summary>
/// <param name="Lower">The lowest plausible value.</param>
/// <param name="Upper">The highest plausible value.</param>
public sealed record ConfidenceInterval(double Lower, double Upper)
{
    /// <summary>How wide the range is (upper minus lower); narrower means a more precise estimate.</summary>
    public double Width => Upper - Lower;

    internal ConfidenceInterval Clip(double min, double max) =>
        new(Math.Clamp(Lower, min, max), Math.Clamp(Upper, min, max));
}

/// <summary>A sample mean with its 95% t-interval.</summary>
/// <param name="Count">How many values the mean is taken over.</param>
/// <param name="Mean">The average of the values.</param>
/// <param name="StandardDeviation">How far values typically sit from the mean (sample standard deviation); null with a single value.</param>
/// <param name="Interval">The range the population average plausibly lies in; null with a single value, where no interval can be computed.</param>
public sealed record MeanResult(int Count, double Mean, double? StandardDeviation, ConfidenceInterval? Interval);

/// <summary>Descriptive statistics shared by the metrics.</summary>
internal static class Stats
{
    /// <summary>
    /// Mean, sample standard deviation and the 95% t-interval mean ± t(0.975, n-1)·s/√n.
    /// Identical values give exactly their value and a zero-width interval; one value gives no interval.
    /// </summary>
    public static MeanResult MeanWithInterval(IReadOnlyList<double> values)
    {
        var n = values.Count;
        if (n == 0)
        {
            throw new ArgumentException("At least one value is needed.", nameof(values));
        }
        double mean;
        double sd;
        if (values.All(v => v == values[0]))
        {
            // Summing then dividing could drift by a rounding step; identical values have no spread at all.
            mean = values[0];
            sd = 0;
        }
        else
        {
            mean = values.Sum() / n;
            sd = n > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1)) : 0;
        }
        if (n == 1)
        {
            return new MeanResult(1, mean, null, null);
        }
        var margin = StudentT.Critical95(n - 1) * sd / Math.Sqrt(n);
        return new MeanResult(n, mean, sd, new ConfidenceInterval(mean - margin, mean + margin));
    }

    /// <summary>The middle value once sorted (the average of the two middle ones for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("At least one value is needed.", nameof(values));
        }
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
