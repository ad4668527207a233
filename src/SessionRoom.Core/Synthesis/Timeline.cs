using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Synthesis;

/// <summary>What a timeline shows; every part is optional and they combine with AND.</summary>
/// <param name="Types">Event types to keep (any of them).</param>
/// <param name="Tag">A tag the event carries (case-insensitive).</param>
/// <param name="PromptId">The prompt the event belongs to (answers, and notes made while it was on screen).</param>
/// <param name="ParticipantId">Events by or about this participant.</param>
/// <param name="ActorId">Events written by this member.</param>
/// <param name="Text">Words the event's text contains (full-text search).</param>
public sealed record TimelineFilter(
    IReadOnlyList<string>? Types = null,
    string? Tag = null,
    Guid? PromptId = null,
    Guid? ParticipantId = null,
    Guid? ActorId = null,
    string? Text = null)
{
    public bool IsEmpty => Types is not { Count: > 0 } && Tag is null && PromptId is null && ParticipantId is null && ActorId is null && Text is null;
}

/// <summary>One page of a timeline, ascending by seq; <paramref name="NextAfter"/> continues it (null: nothing more).</summary>
public sealed record TimelinePage(IReadOnlyList<SessionEvent> Events, long? NextAfter);

/// <summary>A full-text search result: where it is (session, seq, session clock) and the matching text around the words.</summary>
/// <param name="Snippet">The text around the match; the matched words are wrapped in <see cref="SearchQuery.MarkStart"/> and <see cref="SearchQuery.MarkEnd"/>.</param>
public sealed record SearchHit(Guid SessionId, string SessionTitle, long Seq, string Type, long AtMs, string? ActorCode, int? PromptPosition, string Snippet);

/// <summary>The limits and checks of timeline and search requests, shared by the API and the pages.</summary>
public static class TimelineRules
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
    public const int MaxSearchLength = 200;

    /// <summary>The page size asked for, checked: 1 to <see cref="MaxLimit"/>, <see cref="DefaultLimit"/> when absent.</summary>
    public static int Limit(int? limit)
    {
        if (limit is { } l && (l < 1 || l > MaxLimit))
        {
            throw InputException.For("limit", $"limit is the page size, from 1 to {MaxLimit}.");
        }
        return limit ?? DefaultLimit;
    }

    /// <summary>Checks the filter's values; returns it with blank parts removed and the text trimmed.</summary>
    public static TimelineFilter Check(TimelineFilter filter)
    {
        var errors = new ValidationErrors();
        var types = filter.Types?.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToList();
        foreach (var type in types ?? [])
        {
            if (!EventTypes.All.Contains(type))
            {
                errors.Add("type", $"Unknown event type \"{Shorten(type)}\". Use any of: {string.Join(", ", EventTypes.All)}.");
            }
        }
        var tag = string.IsNullOrWhiteSpace(filter.Tag) ? null : filter.Tag.Trim();
        if (tag is { Length: > Limits.TagNameMax })
        {
            errors.Add("tag", $"A tag is at most {Limits.TagNameMax} characters.");
        }
        var text = string.IsNullOrWhiteSpace(filter.Text) ? null : filter.Text.Trim();
        if (text is { Length: > MaxSearchLength })
        {
            errors.Add("q", $"Search for at most {MaxSearchLength} characters.");
        }
        else if (text is not null && SearchQuery.ToFts(text) is null)
        {
            errors.Add("q", "Search for at least one word of letters or digits.");
        }
        errors.ThrowIfAny();
        return filter with { Types = types is { Count: > 0 } ? types : null, Tag = tag, Text = text };
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
