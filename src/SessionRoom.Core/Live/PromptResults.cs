using System.Globalization;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Live;

/// <summary>Live results of one prompt, as the facilitator console and the observer room show them.</summary>
public static class PromptResults
{
    /// <summary>The latest answer of each participant to the prompt (a changed answer replaces the earlier one), in seq order.</summary>
    public static IReadOnlyList<SessionEvent> LatestAnswers(IEnumerable<SessionEvent> events, Guid promptId) =>
        events.Where(e => e.Type == EventTypes.Answer && e.PromptId == promptId)
            .GroupBy(e => e.ParticipantId)
            .Select(g => g.MaxBy(e => e.Seq)!)
            .OrderBy(e => e.Seq)
            .ToList();

    /// <summary>Counts per option (poll) or per scale point (rating, SEQ); empty for other kinds.</summary>
    public static IReadOnlyList<(string Label, int Count)> Distribution(Prompt prompt, IReadOnlyList<SessionEvent> answers)
    {
        if (prompt.Kind == PromptKinds.Poll)
        {
            return (prompt.Options ?? []).Select((option, i) => (option, answers.Count(a => AnswerData.Choices(a).Contains(i)))).ToList();
        }
        if (prompt.Kind is not (PromptKinds.Rating or PromptKinds.Seq))
        {
            return [];
        }
        var max = prompt.Kind == PromptKinds.Seq ? Limits.SeqScale : prompt.ScaleMax ?? 0;
        return Enumerable.Range(1, max)
            .Select(v => (v.ToString(CultureInfo.InvariantCulture), answers.Count(a => AnswerData.Rating(a) == v)))
            .ToList();
    }

    /// <summary>The mean rating of the answers that carry one; null when none do.</summary>
    public static double? MeanRating(IReadOnlyList<SessionEvent> answers)
    {
        var ratings = answers.Select(AnswerData.Rating).OfType<int>().ToList();
        return ratings.Count == 0 ? null : ratings.Average();
    }

    /// <summary>The mean SUS score of the complete SUS answers; null when there are none.</summary>
    public static double? MeanSus(IReadOnlyList<SessionEvent> answers)
    {
        var scores = answers.Select(AnswerData.Items).Where(i => i.Length == Limits.SusItems && i.All(x => x is >= 1 and <= 5)).Select(Sus.Score).ToList();
        return scores.Count == 0 ? null : scores.Average();
    }
}
