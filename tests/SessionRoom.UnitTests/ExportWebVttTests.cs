using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;

namespace SessionRoom.UnitTests;

public sealed class ExportWebVttTests
{
    [Fact]
    public void Cues_LastFourSecondsUnlessTheNextStartsSooner_ButAtLeastOne()
    {
        var data = new ExportTestData()
            .Note(10_000, "first")     // next at 12 s: cut to 2 s
            .Note(12_000, "second")    // next at 12.5 s: 0.5 s would be too short, so 1 s
            .Note(12_500, "third")     // next at 30 s: the full 4 s
            .Note(30_000, "last");     // nothing after it: 4 s

        var cues = WebVtt.Cues(data.Export(), 0);

        Assert.Equal(
            [(10_000L, 12_000L), (12_000L, 13_000L), (12_500L, 16_500L), (30_000L, 34_000L)],
            cues.Select(c => (c.StartMs, c.EndMs)));
    }

    [Fact]
    public void Cues_NotesAndBackroomMessagesOnly_InSeqOrder()
    {
        var data = new ExportTestData()
            .Add(EventTypes.SessionStarted, ExportTestData.Facilitator, "F1", 0)
            .Note(1_000, "a note")
            .Add(EventTypes.Answer, ExportTestData.Participant, "P1", 2_000, "an answer", participant: ExportTestData.Participant, data: new { text = "an answer" })
            .Add(EventTypes.BackroomMessage, ExportTestData.Facilitator, "F1", 3_000, "a message")
            .Add(EventTypes.Reaction, ExportTestData.Observer, "O1", 4_000, tags: ["confused"]);

        var cues = WebVtt.Cues(data.Export(), 0);

        Assert.Equal(["O1: a note", "F1: a message"], cues.Select(c => c.Text));
        Assert.Equal([2L, 4L], cues.Select(c => c.Seq));
    }

    [Fact]
    public void Cues_Offset_ShiftsEveryCue_AndDropsThoseBeforeZero()
    {
        var data = new ExportTestData().Note(1_000, "before the recording").Note(61_000, "during");

        var later = WebVtt.Cues(data.Export(), 90_000);
        var earlier = WebVtt.Cues(data.Export(), -60_000);

        Assert.Equal([91_000L, 151_000L], later.Select(c => c.StartMs));
        var only = Assert.Single(earlier);
        Assert.Equal((1_000L, 5_000L), (only.StartMs, only.EndMs));
        Assert.Equal("O1: during", only.Text);
    }

    [Fact]
    public void Write_HeaderTimestampsAndTags()
    {
        var data = new ExportTestData().Note(3_723_456, "Hesitates at the price", "pricing", "confused");

        var vtt = WebVtt.Write(WebVtt.Cues(data.Export(), 0));

        Assert.Equal("WEBVTT\n\n1\n01:02:03.456 --> 01:02:07.456\nO1: Hesitates at the price [pricing, confused]\n\n", vtt);
    }

    [Fact]
    public void CueText_ArrowMarkupAndBlankLines_CannotBreakTheFile()
    {
        var text = WebVtt.CueText("O1", "a --> b\n\n\n<b>bold</b> & <c.x>\n  \r\nlast", []);

        Assert.Equal("O1: a --&gt; b\n&lt;b&gt;bold&lt;/b&gt; &amp; &lt;c.x&gt;\nlast", text);
        Assert.DoesNotContain("-->", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_InjectedCueTiming_StaysInsideOneCue()
    {
        var data = new ExportTestData().Note(1_000, "x\n\n00:00:00.000 --> 99:00:00.000\nfake cue");

        var vtt = WebVtt.Write(WebVtt.Cues(data.Export(), 0));

        // One timing line (the real one) and no blank line inside the cue.
        Assert.Single(vtt.Split('\n'), l => l.Contains("-->", StringComparison.Ordinal));
        Assert.Equal(["WEBVTT", "1\n00:00:01.000 --> 00:00:05.000\nO1: x\n00:00:00.000 --&gt; 99:00:00.000\nfake cue", ""], vtt.Split("\n\n"));
    }

    [Fact]
    public void Cues_WithoutNames_ShowCodes_WithNames_CodeAndName()
    {
        var data = new ExportTestData().Note(1_000, "hello");

        Assert.Equal("O1: hello", WebVtt.Cues(data.Export(includeNames: false), 0).Single().Text);
        Assert.Equal("O1 (Oscar Observer): hello", WebVtt.Cues(data.Export(includeNames: true), 0).Single().Text);
    }

    [Fact]
    public void Write_NoNotes_IsJustTheHeader() =>
        Assert.Equal("WEBVTT\n\n", WebVtt.Write(WebVtt.Cues(new ExportTestData().Add(EventTypes.SessionStarted, ExportTestData.Facilitator, "F1", 0).Export(), 0)));
}
