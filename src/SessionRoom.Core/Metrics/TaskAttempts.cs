using SessionRoom.Core.Live;

namespace SessionRoom.Core.Metrics;

/// <summary>One ended attempt of one participant at one task.</summary>
/// <param name="ParticipantId">Who made the attempt.</param>
/// <param name="Outcome">How it ended: one of <see cref="TaskOutcomes.All"/> ("success", "partial", "fail", "gave-up").</param>
/// <param name="Seq">The event sequence number; of several attempts by one participant the highest counts.</param>
/// <param name="Seconds">Time on task measured by the server, if known.</param>
public sealed record TaskAttempt(Guid ParticipantId, string Outcome, long Seq, double? Seconds = null);

/// <summary>Helpers over the attempts recorded for one task.</summary>
public static class TaskAttempts
{
    internal const string Success = "success";
    internal const string Partial = "partial";

    /// <summary>
    /// Keeps only each participant's last attempt (highest <see cref="TaskAttempt.Seq"/>; on equal numbers the
    /// later one in the input), because a task re-run replaces the earlier outcome. Order follows first appearance.
    /// </summary>
    public static IReadOnlyList<TaskAttempt> LastPerParticipant(IEnumerable<TaskAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var last = new Dictionary<Guid, TaskAttempt>();
        var order = new List<Guid>();
        foreach (var attempt in attempts)
        {
            ArgumentNullException.ThrowIfNull(attempt, nameof(attempts));
            if (!last.TryGetValue(attempt.ParticipantId, out var seen))
            {
                order.Add(attempt.ParticipantId);
                last[attempt.ParticipantId] = attempt;
            }
            else if (attempt.Seq >= seen.Seq)
            {
                last[attempt.ParticipantId] = attempt;
            }
        }
        return order.Select(id => last[id]).ToList();
    }

    /// <summary>Whether an outcome counts as a success; throws on anything but the four known outcomes.</summary>
    public static bool IsSuccess(string outcome, bool partialCountsAsSuccess = false)
    {
        if (outcome is null || !TaskOutcomes.All.Contains(outcome))
        {
            throw new ArgumentException($"Outcome must be one of: {string.Join(", ", TaskOutcomes.All)}.", nameof(outcome));
        }
        return outcome == Success || (partialCountsAsSuccess && outcome == Partial);
    }
}
