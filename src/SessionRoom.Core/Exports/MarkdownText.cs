using System.Text;
using System.Text.RegularExpressions;

namespace SessionRoom.Core.Exports;

/// <summary>
/// Puts people's text into Markdown so that it reads as the text they typed: no emphasis, links, tables,
/// headings or lists of its own, and no HTML (<c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> become entities).
/// </summary>
public static partial class MarkdownText
{
    /// <summary>
    /// One line of text, escaped for anywhere in a Markdown line, including a table cell: inline markup characters
    /// get a backslash, HTML characters become entities, and what would start a block at the beginning of a line
    /// (a heading, list item, quote or rule) is escaped too. Leading whitespace is dropped (it would make code blocks).
    /// </summary>
    public static string Line(string text)
    {
        var line = text.TrimStart();
        var escaped = new StringBuilder(line.Length + 8);
        foreach (var c in line)
        {
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~':
                    escaped.Append('\\').Append(c);
                    break;
                case '\r' or '\n': escaped.Append(' '); break;
                default: escaped.Append(c); break;
            }
        }
        var result = escaped.ToString();
        // Block starts: "# x", "- x", "+ x", "=== ", "1. x", "1) x".
        if (result.Length > 0 && result[0] is '#' or '-' or '+' or '=')
        {
            return "\\" + result;
        }
        return OrderedListStart().Replace(result, "$1\\$2", 1);
    }

    /// <summary>Text on one line (line breaks become spaces), escaped as <see cref="Line"/>: for headings, list items and table cells.</summary>
    public static string Inline(string text) => Line(string.Join(' ', Lines(text)));

    /// <summary>The text as a block quote: each of its lines prefixed with "&gt; " and escaped; blank lines kept inside the quote.</summary>
    public static string Quote(string text) =>
        string.Join('\n', text.Trim().ReplaceLineEndings("\n").Split('\n').Select(l => string.IsNullOrWhiteSpace(l) ? ">" : "> " + Line(l)));

    private static IEnumerable<string> Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    [GeneratedRegex(@"^(\d{1,9})([.)])")]
    private static partial Regex OrderedListStart();
}
