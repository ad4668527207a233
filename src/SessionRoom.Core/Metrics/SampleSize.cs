namespace SessionRoom.Core.Metrics;

/// <summary>How many more participants a study would need.</summary>
/// <param name="AdditionalParticipants">How many more participants would narrow the interval to the target width (0 if it already is).</param>
/// <param name="Capped">True when even <see cref="SampleSize.Cap"/> more would not be enough, so the figure is the cap, not the answer.</param>
public sealed record SampleSizeEstimate(int AdditionalParticipants, bool Capped);

/// <summary>Sample-size planning for the completion-rate interval.</summary>
public static class SampleSize
{
    /// <summary>The most additional participants ever reported; beyond this the estimate says it is capped.</summary>
    public const int Cap = 10_000;

    /// <summary>
    /// How many more participants would bring the total width of the adjusted-Wald 95% interval (as reported,
    /// clipped to [0, 1]) down to <paramref name="targetWidth"/> (0 &lt; width ≤ 1, e.g. 0.20), assuming the observed
    /// completion proportion holds for the newcomers. With no attempts yet the proportion is taken as 0.5, the
    /// widest case. This is the adjusted-Wald sample-size reasoning of Sauro and Lewis ("Quantifying the User
    /// Experience", 2nd ed., ch. 6), searched step by step so it agrees exactly with the interval that is shown.
    /// </summary>
    public static SampleSizeEstimate AdditionalForCompletionRate(int successes, int attempts, double targetWidth)
    {
        if (attempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "Attempts cannot be negative.");
        }
        if (successes < 0 || successes > attempts)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), successes, "Successes must lie between 0 and the number of attempts.");
        }
        if (double.IsNaN(targetWidth) || targetWidth <= 0 || targetWidth > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetWidth), targetWidth, "The target width must be above 0 and at most 1.");
        }
        var proportion = attempts == 0 ? 0.5 : (double)successes / attempts;
        for (var more = 0; more <= Cap; more++)
        {
            var n = attempts + more;
            if (n > 0 && ProjectedWidth(proportion, n) <= targetWidth)
            {
                return new SampleSizeEstimate(more, false);
            }
        }
        return new SampleSizeEstimate(Cap, true);
    }

    /// <summary>The clipped adjusted-Wald width with n participants of whom a share <paramref name="proportion"/> succeed.</summary>
    internal static double ProjectedWidth(double proportion, int n)
    {
        var (center, margin) = CompletionRate.AdjustedWaldParts(proportion * n, n);
        return Math.Min(1, center + margin) - Math.Max(0, center - margin);
    }
}
