namespace SessionRoom.Core.Metrics;

/// <summary>Time on task of successful attempts.</summary>
/// <param name="Count">How many successful attempts the times come from.</param>
/// <param name="GeometricMean">The typical time on task: the average of the log times turned back into a time, which a few very slow attempts do not drag up.</param>
/// <param name="Median">The middle time: half the successful attempts were faster, half slower.</param>
/// <param name="Interval">The range the typical time of all users plausibly lies in (95%); null with a single time.</param>
public sealed record TimeOnTaskResult(int Count, double GeometricMean, double Median, ConfidenceInterval? Interval);

/// <summary>
/// Time on task summarised as Sauro and Lewis recommend for skewed task times ("Quantifying the User Experience",
/// 2nd ed., ch. 3): a t-interval computed on the natural logs of the times, transformed back with exp, around
/// the geometric mean; the median alongside. The times may be in any unit; results come back in the same unit.
/// </summary>
public static class TimeOnTask
{
    /// <summary>
    /// Summarises the given times (each positive and finite; otherwise throws); null when there are none.
    /// </summary>
    public static TimeOnTaskResult? Compute(IEnumerable<double> times)
    {
        ArgumentNullException.ThrowIfNull(times);
        var list = times.ToList();
        if (list.Count == 0)
        {
            return null;
        }
        foreach (var time in list)
        {
            if (!double.IsFinite(time) || time <= 0)
            {
                throw new ArgumentException($"Times on task must be positive finite numbers; got {time}.", nameof(times));
            }
        }
        var logs = Stats.MeanWithInterval(list.Select(t => Math.Log(t)).ToList());
        var allSame = list.All(t => t == list[0]);
        var geometricMean = allSame ? list[0] : Math.Exp(logs.Mean);
        var interval = logs.Interval switch
        {
            null => null,
            _ when allSame => new ConfidenceInterval(list[0], list[0]),
            var ci => new ConfidenceInterval(Math.Exp(ci.Lower), Math.Exp(ci.Upper)),
        };
        return new TimeOnTaskResult(list.Count, geometricMean, Stats.Median(list), interval);
    }

    /// <summary>
    /// Summarises the times of successful attempts, counting only each participant's last attempt
    /// (<see cref="TaskAttempts.LastPerParticipant"/>) and skipping successes without a recorded time;
    /// null when no successful attempt has a time.
    /// </summary>
    public static TimeOnTaskResult? FromAttempts(IEnumerable<TaskAttempt> attempts, bool partialCountsAsSuccess = false) =>
        Compute(TaskAttempts.LastPerParticipant(attempts)
            .Where(a => TaskAttempts.IsSuccess(a.Outcome, partialCountsAsSuccess) && a.Seconds is not null)
            .Select(a => a.Seconds!.Value));
}
