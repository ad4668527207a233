using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Synthesis;

/// <summary>Agreement on one tag (or over every tag of one prompt), with the moments it was computed over.</summary>
/// <param name="Result">Null when there are too few moments to say anything (none).</param>
public sealed record AgreementRow(string Label, int Moments, AgreementResult? Result)
{
    /// <summary>The plain sentence of <see cref="AgreementResult.Explain"/>, for readers and for the API.</summary>
    public string? Explanation => Result?.Explain();
}

/// <summary>A session's observer agreement: who counted as raters, the window, and the rows per tag and per prompt.</summary>
public sealed record SessionAgreement(
    IReadOnlyList<string> ObserverCodes,
    int WindowSeconds,
    int Moments,
    IReadOnlyList<AgreementRow> ByTag,
    IReadOnlyList<AgreementRow> ByPrompt)
{
    /// <summary>Why nothing could be computed, in words for the page; null when there are rows.</summary>
    public string? Unavailable => ObserverCodes.Count < 2
        ? "Agreement needs at least two observers who tagged moments in this session."
        : Moments == 0 ? "No observer tagged a moment yet." : null;
}

/// <summary>
/// How far observers agree when they tag the same moments (most telling for blind sessions, where
/// they cannot see each other's notes). The session clock is cut into windows of a few seconds; a
/// "moment" is a window in which at least one observer tagged something (a tagged note or an
/// observer reaction). For each tag, each observer either applied it in that moment or not, and
/// Fleiss' kappa compares those decisions across observers (<see cref="ObserverAgreement"/>).
/// Per prompt, the subjects are the (moment, tag) pairs of the moments when that prompt was on
/// screen. Observers are the session's observers who tagged at least one moment.
/// </summary>
public static class AgreementAnalysis
{
    public const int DefaultWindowSeconds = 30;
    public static readonly IReadOnlyList<int> WindowChoices = [10, 30, 60, 120];

    /// <summary>Refuses a window the page and the API do not offer.</summary>
    public static void CheckWindow(int windowSeconds)
    {
        if (!WindowChoices.Contains(windowSeconds))
        {
            throw InputException.For("windowSeconds", $"windowSeconds is one of {string.Join(", ", WindowChoices)}.");
        }
    }

    /// <param name="observers">The session's observers (member id and code), in code order.</param>
    public static SessionAgreement Compute(
        IEnumerable<SessionEvent> events, IReadOnlyList<(Guid Id, string Code)> observers, IReadOnlyList<string> tags, IReadOnlyList<Prompt> prompts,
        int windowSeconds = DefaultWindowSeconds)
    {
        if (windowSeconds is < 1 or > 3600)
        {
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, "The window is 1 to 3,600 seconds.");
        }
        var windowMs = windowSeconds * 1000L;
        var observerIds = observers.Select(o => o.Id).ToHashSet();
        var tagged = events
            .Where(e => e.Type is EventTypes.Note or EventTypes.Reaction && e.Tags.Count > 0 && e.ActorId is { } a && observerIds.Contains(a))
            .ToList();
        var raters = observers.Where(o => tagged.Any(e => e.ActorId == o.Id)).ToList();
        var codes = raters.Select(o => o.Code).ToList();
        if (raters.Count < 2)
        {
            return new SessionAgreement(codes, windowSeconds, 0, [], []);
        }

        // Each moment: which tags each observer applied, and the prompt on screen (the first tagged event's).
        var moments = tagged
            .GroupBy(e => e.AtMs / windowMs)
            .OrderBy(g => g.Key)
            .Select(g => new Moment(
                g.First().PromptId,
                raters.Select(o => g.Where(e => e.ActorId == o.Id).SelectMany(e => e.Tags).ToHashSet(StringComparer.OrdinalIgnoreCase)).ToList()))
            .ToList();

        var usedTags = tags.Where(t => moments.Any(m => m.Applied.Any(a => a.Contains(t)))).ToList();
        var byTag = usedTags
            .Select(tag => Row(tag, moments.Select(m => m.Applied.Select(a => a.Contains(tag)).ToList()).ToList(), moments.Count))
            .ToList();
        var byPrompt = prompts
            .Select(p => (Prompt: p, Moments: moments.Where(m => m.PromptId == p.Id).ToList()))
            .Where(x => x.Moments.Count > 0)
            .Select(x => Row(
                $"{x.Prompt.Position}. {x.Prompt.Text}",
                x.Moments.SelectMany(m => usedTags.Select(tag => m.Applied.Select(a => a.Contains(tag)).ToList())).ToList(),
                x.Moments.Count))
            .ToList();
        return new SessionAgreement(codes, windowSeconds, moments.Count, byTag, byPrompt);
    }

    private static AgreementRow Row(string label, List<List<bool>> decisions, int moments) =>
        new(label, moments, decisions.Count == 0 ? null : ObserverAgreement.ForTag(decisions.Select(d => (IReadOnlyList<bool>)d).ToList()));

    private sealed record Moment(Guid? PromptId, List<HashSet<string>> Applied);
}
