using System.Text;

namespace SessionRoom.Core.Synthesis;

/// <summary>
/// Turns what a person types into a search box into a safe SQLite FTS5 query. Every word becomes a
/// quoted string (so FTS5 operators, column filters and stray quotes typed by the user are plain
/// text and never a syntax error); a "quoted phrase" stays an exact phrase; every other word
/// matches as a prefix ("pric" finds "pricing"). Words are ANDed.
/// </summary>
public static class SearchQuery
{
    /// <summary>Marks the start of a matched word in a <see cref="SearchHit.Snippet"/> (a control character user text cannot contain).</summary>
    public const char MarkStart = '\u0002';

    /// <summary>Marks the end of a matched word in a snippet.</summary>
    public const char MarkEnd = '\u0003';

    /// <summary>The FTS5 query for <paramref name="input"/>, or null when it holds no letter or digit to search for.</summary>
    public static string? ToFts(string? input)
    {
        var terms = Terms(input ?? "");
        if (terms.Count == 0)
        {
            return null;
        }
        var parts = terms.Select(t =>
            "\"" + t.Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" + (t.Phrase ? "" : "*"));
        return string.Join(" ", parts);
    }

    /// <summary>
    /// The same search as <see cref="ToFts"/> as a PostgreSQL <c>to_tsquery('simple', ...)</c> query: every word a
    /// prefix (<c>word:*</c>), a phrase its words in a row (<c>a &lt;-&gt; b</c>), all of them required (<c>&amp;</c>).
    /// The words hold only letters and digits, so nothing in them is tsquery syntax. Null as for ToFts.
    /// </summary>
    public static string? ToTsQuery(string? input)
    {
        var terms = Terms(input ?? "");
        if (terms.Count == 0)
        {
            return null;
        }
        return string.Join(" & ", terms.Select(t => t.Phrase
            ? "(" + string.Join(" <-> ", t.Text.Split(' ').Select(w => w.ToLowerInvariant())) + ")"
            : t.Text.ToLowerInvariant() + ":*"));
    }

    /// <summary>
    /// The words and phrases of the input. Like FTS5's tokenizer, anything that is not a letter or a
    /// digit separates words ("don't" is "don" and "t"), so what is searched is what was indexed.
    /// </summary>
    internal static List<(string Text, bool Phrase)> Terms(string input)
    {
        var terms = new List<(string, bool)>();
        var pieces = input.Split('"');
        for (var i = 0; i < pieces.Length; i++)
        {
            // Odd pieces were inside quotes (an unclosed quote runs to the end).
            var phrase = i % 2 == 1;
            var words = new string(pieces[i].Select(ch => char.IsLetterOrDigit(ch) ? ch : ' ').ToArray())
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (phrase && words.Length > 1)
            {
                terms.Add((string.Join(' ', words), true));
            }
            else
            {
                terms.AddRange(words.Select(w => (w, false)));
            }
        }
        return terms;
    }

    /// <summary>Splits a snippet into plain and matched runs, for rendering the matches highlighted (as text, never markup).</summary>
    public static IReadOnlyList<(string Text, bool Match)> Runs(string snippet)
    {
        var runs = new List<(string, bool)>();
        var sb = new StringBuilder();
        var inMatch = false;
        foreach (var ch in snippet)
        {
            if (ch is MarkStart or MarkEnd)
            {
                if (sb.Length > 0)
                {
                    runs.Add((sb.ToString(), inMatch));
                    sb.Clear();
                }
                inMatch = ch == MarkStart;
                continue;
            }
            sb.Append(ch);
        }
        if (sb.Length > 0)
        {
            runs.Add((sb.ToString(), inMatch));
        }
        return runs;
    }
}
