namespace SessionRoom.Core.Metrics;

/// <summary>A task's completion rate with its adjusted-Wald 95% interval.</summary>
/// <param name="Successes">How many participants completed the task.</param>
/// <param name="Attempts">How many participants tried it.</param>
/// <param name="Rate">The share of participants who completed the task (successes / attempts).</param>
/// <param name="Interval">The range the completion rate of all users plausibly lies in (adjusted-Wald, 95%).</param>
public sealed record CompletionRateResult(int Successes, int Attempts, double Rate, ConfidenceInterval Interval);

/// <summary>
/// Task completion rate with the adjusted-Wald interval recommended for small samples by
/// Sauro and Lewis, "Quantifying the User Experience" (2nd ed., 2016), ch. 3 (after Agresti and Coull, 1998).
/// </summary>
public static class CompletionRate
{
    /// <summary>The normal critical value of a two-sided 95% interval, as used by Sauro and Lewis.</summary>
    public const double Z = 1.96;

    /// <summary>
    /// The completion rate over one final outcome per participant; null when there are none.
    /// "partial" counts as a success only when <paramref name="partialCountsAsSuccess"/> is set.
    /// </summary>
    public static CompletionRateResult? FromOutcomes(IEnumerable<string> outcomes, bool partialCountsAsSuccess = false)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        int successes = 0, attempts = 0;
        foreach (var outcome in outcomes)
        {
            attempts++;
            if (TaskAttempts.IsSuccess(outcome, partialCountsAsSuccess))
            {
                successes++;
            }
        }
        return attempts == 0 ? null : Compute(successes, attempts);
    }

    /// <summary>
    /// The completion rate over recorded attempts, counting only each participant's last one
    /// (<see cref="TaskAttempts.LastPerParticipant"/>); null when there are none.
    /// </summary>
    public static CompletionRateResult? FromAttempts(IEnumerable<TaskAttempt> attempts, bool partialCountsAsSuccess = false) =>
        FromOutcomes(TaskAttempts.LastPerParticipant(attempts).Select(a => a.Outcome), partialCountsAsSuccess);

    /// <summary>The completion rate of <paramref name="successes"/> out of <paramref name="attempts"/> (at least one).</summary>
    public static CompletionRateResult Compute(int successes, int attempts) =>
        new(successes, attempts, (double)successes / attempts, AdjustedWald(successes, attempts));

    /// <summary>
    /// The adjusted-Wald 95% interval: p_adj = (x + z²/2)/(n + z²), then p_adj ± z·√(p_adj(1 − p_adj)/(n + z²)),
    /// clipped to [0, 1].
    /// </summary>
    public static ConfidenceInterval AdjustedWald(int successes, int attempts)
    {
        Check(successes, attempts);
        var (center, margin) = AdjustedWaldParts(successes, attempts);
        return new ConfidenceInterval(center - margin, center + margin).Clip(0, 1);
    }

    /// <summary>The centre and half-width of the unclipped adjusted-Wald interval; x may be fractional (projections).</summary>
    internal static (double Center, double Margin) AdjustedWaldParts(double successes, double attempts)
    {
        const double z2 = Z * Z;
        var adjustedN = attempts + z2;
        var center = (successes + (z2 / 2)) / adjustedN;
        return (center, Z * Math.Sqrt(center * (1 - center) / adjustedN));
    }

    private static void Check(int successes, int attempts)
    {
        if (attempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "At least one attempt is needed.");
        }
        if (successes < 0 || successes > attempts)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), successes, "Successes must lie between 0 and the number of attempts.");
        }
    }
}
