using System.Globalization;
using System.Text.Json.Serialization;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Synthesis;

/// <summary>A card of the affinity board: one note or answer, named by its session and seq.</summary>
public readonly record struct CardKey(Guid SessionId, long Seq)
{
    /// <summary>"{sessionId}:{seq}": the id of the card in theme suggestions and in the page.</summary>
    public override string ToString() => $"{SessionId:D}:{Seq.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A note or answer as the board shows it, with the link back to its source (<see cref="SessionId"/>, <see cref="Seq"/>).
/// </summary>
/// <param name="Type"><c>note</c> or <c>answer</c>.</param>
/// <param name="Text">The note's or the (text) answer's text.</param>
/// <param name="ActorCode">Who wrote it: the participant for an answer (P2), the observer or facilitator for a note (O1, F1).</param>
/// <param name="ParticipantCode">The participant it is by or about (an answer's author, the participant a note names), if any.</param>
/// <param name="PromptPosition">The 1-based position of the prompt it belongs to (an answer's prompt, the prompt on screen when a note was made).</param>
/// <param name="AtMs">Session-clock time.</param>
public sealed record BoardCard(
    Guid SessionId,
    string SessionTitle,
    long Seq,
    string Type,
    string Text,
    string? ActorCode,
    string? ParticipantCode,
    int? PromptPosition,
    string? PromptText,
    long AtMs,
    IReadOnlyList<string> Tags)
{
    [JsonIgnore]
    public CardKey Key => new(SessionId, Seq);

    /// <summary>The participant a note is about, when that is not its author (answers are by their participant).</summary>
    [JsonIgnore]
    public string? AboutCode => ParticipantCode is { } p && p != ActorCode ? p : null;
}

/// <summary>A theme of a study with its cards in board order; <see cref="Position"/> is 1-based.</summary>
public sealed record BoardTheme(Guid Id, string Name, int Position, DateTimeOffset CreatedUtc, DateTimeOffset UpdatedUtc, IReadOnlyList<BoardCard> Cards);

/// <summary>
/// A study's affinity board: its themes (spanning all its sessions) and the unsorted pool, the notes and answers with text
/// in no theme, newest sessions first and in seq order within a session, at most <see cref="ThemeRules.PoolLimit"/> of
/// <see cref="PoolTotal"/>.
/// </summary>
public sealed record ThemeBoard(Guid StudyId, IReadOnlyList<BoardTheme> Themes, IReadOnlyList<BoardCard> Pool, int PoolTotal)
{
    /// <summary>Unsorted cards left out of <see cref="Pool"/> by the cap.</summary>
    public int PoolHidden => PoolTotal - Pool.Count;
}

/// <summary>A suggested theme for the board: cards of the pool that read alike, the words they share and a name made of them.</summary>
public sealed record BoardSuggestion(string Name, IReadOnlyList<string> TopTerms, IReadOnlyList<BoardCard> Cards)
{
    public int Count => Cards.Count;
}

/// <summary>
/// The rules of the affinity board, shared by the HTTP API, the page and the store: theme names, positions,
/// which events can be cards, the suggestion threshold, and suggestions with names made from their top terms.
/// </summary>
public static class ThemeRules
{
    public const int NameMax = 80;

    /// <summary>The most unsorted cards a board shows; the rest are counted (<see cref="ThemeBoard.PoolHidden"/>).</summary>
    public const int PoolLimit = 500;

    /// <summary>The most unsorted cards theme suggestions look at (the similarity matrix grows with the square).</summary>
    public const int SuggestionLimit = 2000;

    /// <summary>Event types that can be cards (with text: a poll's or a rating's answer has none).</summary>
    public static readonly IReadOnlyList<string> CardTypes = [EventTypes.Note, EventTypes.Answer];

    /// <summary>A theme name, trimmed: 1 to <see cref="NameMax"/> characters of one line without control characters.</summary>
    public static string Name(string? input, string field = "name")
    {
        var name = input?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw InputException.For(field, "A theme needs a name.");
        }
        if (name.Length > NameMax)
        {
            throw InputException.For(field, $"A theme name is at most {NameMax} characters; this one has {name.Length}.");
        }
        if (name.Any(char.IsControl))
        {
            throw InputException.For(field, "A theme name is one line of text without control characters.");
        }
        return name;
    }

    /// <summary>Refuses <paramref name="name"/> when another theme of the study has it (ignoring case); <paramref name="self"/> is the theme being renamed.</summary>
    public static void RequireUniqueName(string name, IEnumerable<(Guid Id, string Name)> themes, Guid? self = null)
    {
        var clash = themes.FirstOrDefault(t => t.Id != self && string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (clash.Name is not null)
        {
            throw new ConflictException($"This study already has a theme called \"{clash.Name}\". Choose another name, or merge into that theme.");
        }
    }

    /// <summary>A 1-based position, checked against 1..<paramref name="max"/>; null (absent) is the end, <paramref name="max"/>.</summary>
    public static int Position(int? position, int max, string field = "position")
    {
        if (position is { } p && (p < 1 || p > max))
        {
            throw InputException.For(field, max == 1 ? "The only position here is 1." : $"Position must be between 1 and {max}.");
        }
        return position ?? max;
    }

    /// <summary>The similarity threshold of suggestions: above 0 and at most 1; absent is <see cref="ThemeSuggestions.DefaultThreshold"/>.</summary>
    public static double Threshold(double? threshold)
    {
        if (threshold is { } t && (double.IsNaN(t) || t <= 0 || t > 1))
        {
            throw InputException.For("threshold", "threshold is the least similarity at which notes group: above 0 and at most 1 (default 0.3).");
        }
        return threshold ?? ThemeSuggestions.DefaultThreshold;
    }

    /// <summary>Whether an event of <paramref name="type"/> with <paramref name="text"/> can be a card.</summary>
    public static bool CanBeCard(string type, string? text) => CardTypes.Contains(type) && !string.IsNullOrWhiteSpace(text);

    /// <summary>
    /// Groups the pool's cards with <see cref="ThemeSuggestions.Suggest"/> (deterministic: the same pool in the same order
    /// gives the same groups) and names each group from its top terms, unlike <paramref name="takenNames"/> and each other.
    /// </summary>
    public static IReadOnlyList<BoardSuggestion> Suggest(IReadOnlyList<BoardCard> pool, double threshold, IEnumerable<string> takenNames)
    {
        var cards = pool.Take(ThemeSuggestions.MaxItems).ToList();
        var byId = new Dictionary<string, BoardCard>(StringComparer.Ordinal);
        foreach (var card in cards)
        {
            byId.TryAdd(card.Key.ToString(), card);
        }
        var items = byId.Select(kv => new ThemeItem(kv.Key, kv.Value.Text)).ToList();
        var taken = new HashSet<string>(takenNames, StringComparer.OrdinalIgnoreCase);
        var result = new List<BoardSuggestion>();
        foreach (var group in ThemeSuggestions.Suggest(items, threshold))
        {
            var name = SuggestedName(group.TopTerms, taken);
            taken.Add(name);
            result.Add(new BoardSuggestion(name, group.TopTerms, group.ItemIds.Select(id => byId[id]).ToList()));
        }
        return result;
    }

    /// <summary>
    /// A theme name made of top terms ("Price, plan, cheaper"), at most <see cref="NameMax"/> characters, and unlike every
    /// name in <paramref name="taken"/> (ignoring case): a clash gets " (2)", " (3)", … .
    /// </summary>
    public static string SuggestedName(IReadOnlyList<string> topTerms, IReadOnlySet<string> taken)
    {
        var name = "";
        foreach (var term in topTerms)
        {
            var next = name.Length == 0 ? term : name + ", " + term;
            if (next.Length > NameMax - 8)
            {
                break;
            }
            name = next;
        }
        if (name.Length == 0)
        {
            name = topTerms.Count > 0 ? topTerms[0][..Math.Min(topTerms[0].Length, NameMax - 8)] : "Suggested theme";
        }
        name = char.ToUpperInvariant(name[0]) + name[1..];
        var candidate = name;
        for (var n = 2; taken.Contains(candidate); n++)
        {
            candidate = $"{name} ({n})";
        }
        return candidate;
    }
}
