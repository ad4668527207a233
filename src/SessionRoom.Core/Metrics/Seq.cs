using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Metrics;

/// <summary>
/// The Single Ease Question: one 1-7 rating of how easy a task was, asked right after it
/// (Sauro and Dumas, 2009; Sauro and Lewis, "Quantifying the User Experience", 2nd ed., ch. 8).
/// </summary>
public static class Seq
{
    /// <summary>
    /// The mean rating with its 95% t-interval (clipped to the 1-7 scale); null when there are no answers,
    /// no interval for a single answer. Throws on an answer outside 1-7.
    /// </summary>
    public static MeanResult? Compute(IEnumerable<int> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var list = answers.ToList();
        if (list.Count == 0)
        {
            return null;
        }
        if (list.Any(a => a is < 1 or > Limits.SeqScale))
        {
            throw new ArgumentException($"SEQ answers must lie between 1 and {Limits.SeqScale}.", nameof(answers));
        }
        var result = Stats.MeanWithInterval(list.Select(a => (double)a).ToList());
        return result with { Interval = result.Interval?.Clip(1, Limits.SeqScale) };
    }
}
