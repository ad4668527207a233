using System.Globalization;
using System.Text;
using SessionRoom.Core.Live;

namespace SessionRoom.Core.Exports;

/// <summary>One subtitle: when it shows (milliseconds on the video's clock) and its text.</summary>
public sealed record VttCue(long Seq, long StartMs, long EndMs, string Text);

/// <summary>
/// Notes and backroom messages as WebVTT subtitles (<c>format=vtt</c>), to lay over a recording of the session:
/// each cue starts at the event's session clock plus an offset, and shows for 4 s, or until the next cue
/// starts, but at least 1 s. Cues that the offset moves before 0 are dropped (they happened before the recording).
/// </summary>
public static class WebVtt
{
    public const long ShowMs = 4_000;
    public const long MinShowMs = 1_000;

    /// <summary>The cues of the notes and backroom messages, in seq order, labelled with their author.</summary>
    public static IReadOnlyList<VttCue> Cues(SessionExport export, long offsetMs) =>
        Cues(export.Events, e => export.Label(e.ActorId, e.ActorCode), offsetMs);

    /// <summary>The cues of the notes and backroom messages among <paramref name="events"/>, their author named by <paramref name="author"/>.</summary>
    public static IReadOnlyList<VttCue> Cues(IEnumerable<SessionEvent> events, Func<SessionEvent, string> author, long offsetMs)
    {
        var shown = events
            .Where(e => e.Type is EventTypes.Note or EventTypes.BackroomMessage)
            .OrderBy(e => e.Seq)
            .Select(e => (Event: e, Start: e.AtMs + offsetMs))
            .Where(x => x.Start >= 0)
            .ToList();
        var cues = new List<VttCue>(shown.Count);
        for (var i = 0; i < shown.Count; i++)
        {
            var (e, start) = shown[i];
            var end = start + ShowMs;
            // Cues are in seq order, which is session-clock order; the next one cuts this one short.
            if (i + 1 < shown.Count && shown[i + 1].Start < end)
            {
                end = shown[i + 1].Start;
            }
            end = Math.Max(end, start + MinShowMs);
            cues.Add(new VttCue(e.Seq, start, end, CueText(author(e), e.Text ?? "", e.Tags)));
        }
        return cues;
    }

    /// <summary>The WebVTT file: the header, then each cue with its seq as identifier.</summary>
    public static string Write(IEnumerable<VttCue> cues)
    {
        var vtt = new StringBuilder("WEBVTT\n\n");
        foreach (var cue in cues)
        {
            vtt.Append(cue.Seq.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(Timestamp(cue.StartMs)).Append(" --> ").Append(Timestamp(cue.EndMs)).Append('\n')
                .Append(cue.Text).Append("\n\n");
        }
        return vtt.ToString();
    }

    /// <summary>
    /// "O1: note text [tag1, tag2]", escaped for cue text: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> become entities
    /// (so no markup, and no <c>--&gt;</c>), and blank lines, which would end the cue, are left out.
    /// </summary>
    public static string CueText(string author, string text, IReadOnlyList<string> tags)
    {
        var line = tags.Count == 0 ? $"{author}: {text.Trim()}" : $"{author}: {text.Trim()} [{string.Join(", ", tags)}]";
        var lines = line.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
        return Escape(string.Join('\n', lines));
    }

    /// <summary>A time as WebVTT writes it: hh:mm:ss.ttt (hours may grow past two digits).</summary>
    public static string Timestamp(long ms)
    {
        var t = TimeSpan.FromMilliseconds(ms);
        return $"{(long)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000}";
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}
