using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;

namespace SessionRoom.UnitTests;

public sealed class ExportMarkdownTests
{
    [Theory]
    [InlineData("plain words, no markup.", "plain words, no markup.")]
    [InlineData("*bold* _it_ `code` ~x~", "\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~")]
    [InlineData("[click](https://evil.test) ![img](x)", "\\[click\\](https://evil.test) !\\[img\\](x)")]
    [InlineData("a | b", "a \\| b")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("&lt; stays text", "&amp;lt; stays text")]
    [InlineData("# not a heading", "\\# not a heading")]
    [InlineData("- not a list", "\\- not a list")]
    [InlineData("+ not a list", "\\+ not a list")]
    [InlineData("> not a quote", "&gt; not a quote")]
    [InlineData("1. not a list", "1\\. not a list")]
    [InlineData("2024) not a list", "2024\\) not a list")]
    [InlineData("---", "\\---")]
    [InlineData("    not code", "not code")]
    [InlineData("back\\slash", "back\\\\slash")]
    public void Line_EscapesMarkupAndHtml(string text, string escaped) =>
        Assert.Equal(escaped, MarkdownText.Line(text));

    [Fact]
    public void Inline_JoinsLinesIntoOneEscapedLine() =>
        Assert.Equal("\\# first - second", MarkdownText.Inline("# first\n\n- second\r\n"));

    [Fact]
    public void Quote_PrefixesEveryLineAndKeepsBlankLinesInside() =>
        Assert.Equal("> one\n>\n> \\# two\n> &lt;b&gt;", MarkdownText.Quote("one\n\n# two\n<b>"));

    [Fact]
    public void Report_TextAnswers_AreQuotedAndEscaped()
    {
        var data = new ExportTestData();
        var question = data.Prompts[0];
        data.Add(EventTypes.Answer, ExportTestData.Participant, "P1", 1_000, "I use <b>Excel</b> | *mostly*\n# daily",
            question.Id, ExportTestData.Participant, data: new { text = "x" });

        var md = MarkdownReport.Write(data.Export());

        Assert.Contains("**P1**\n\n> I use &lt;b&gt;Excel&lt;/b&gt; \\| \\*mostly\\*\n> \\# daily\n", md, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_PollCounts_AreATableWithPipesInOptionsEscaped()
    {
        var data = new ExportTestData();
        var poll = data.Prompts[1];
        data.Add(EventTypes.Answer, ExportTestData.Participant, "P1", 1_000, null, poll.Id, ExportTestData.Participant, data: new { choices = new[] { 1 } });

        var md = MarkdownReport.Write(data.Export());

        Assert.Contains("| Option | Answers |\n| --- | ---: |\n| Free | 0 |\n| Pro \\| Plus | 1 |\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_NotesHaveClockAuthorCodeTagsAndEscapedText()
    {
        var data = new ExportTestData();
        data.Add(EventTypes.Note, ExportTestData.Observer, "O1", 185_250, "Stuck at <price> | *again*", participant: ExportTestData.Participant, tags: ["confused", "pricing"]);
        data.Add(EventTypes.BackroomMessage, ExportTestData.Facilitator, "F1", 3_725_000, "Ask about plans");

        var md = MarkdownReport.Write(data.Export());

        Assert.Contains("- 03:05 · **O1** note about P1 [confused, pricing]: Stuck at &lt;price&gt; \\| \\*again\\*\n", md, StringComparison.Ordinal);
        Assert.Contains("- 62:05 · **F1** message: Ask about plans\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_MetricsTable_CompletionIntervalFromCoreAndSusOneDecimal()
    {
        var data = new ExportTestData();
        var task = data.Prompts[2];
        var sus = data.Prompts[3];
        var (p2, p3) = (Guid.NewGuid(), Guid.NewGuid());
        data.Add(EventTypes.TaskEnded, ExportTestData.Facilitator, "F1", 50_000, prompt: task.Id, participant: ExportTestData.Participant, data: new { outcome = "success", durationMs = 40_000 });
        data.Add(EventTypes.TaskEnded, ExportTestData.Facilitator, "F1", 60_000, prompt: task.Id, participant: p2, data: new { outcome = "partial", durationMs = 20_000 });
        data.Add(EventTypes.TaskEnded, ExportTestData.Facilitator, "F1", 70_000, prompt: task.Id, participant: p3, data: new { outcome = "success", durationMs = 90_000 });
        // SUS scores 72.5 and 70.0: mean 71.25, shown as 71.3 (one decimal).
        data.Add(EventTypes.Answer, ExportTestData.Participant, "P1", 80_000, prompt: sus.Id, participant: ExportTestData.Participant, data: new { items = new[] { 4, 2, 4, 2, 4, 2, 4, 2, 4, 3 } });
        data.Add(EventTypes.Answer, p2, "P2", 81_000, prompt: sus.Id, participant: p2, data: new { items = new[] { 4, 2, 4, 2, 4, 2, 4, 2, 3, 3 } });

        var md = MarkdownReport.Write(data.Export());

        var interval = CompletionRate.AdjustedWald(2, 3);
        var expectedRange = $"{Math.Round(interval.Lower * 100):0}%–{Math.Round(interval.Upper * 100):0}%";
        Assert.Contains("| Task | Success | Rate | 95% interval | Time on task (geometric mean) |", md, StringComparison.Ordinal);
        // Partial does not count; geometric mean of 40 s and 90 s is 60 s.
        Assert.Contains($"| 3. Buy a blue mug | 2 of 3 | 67% | {expectedRange} | 60.0 s |", md, StringComparison.Ordinal);
        Assert.Contains("| 4. SUS | 2 | 71.3 |", md, StringComparison.Ordinal);
        Assert.Contains("Mean SUS score 71.3 (n = 2).", md, StringComparison.Ordinal);
        Assert.Equal(71.25, data.Export().Metrics.Sus.Single().Mean);
    }

    [Fact]
    public void Report_WithoutNames_HasNoNames_WithNames_ListsThem()
    {
        var data = new ExportTestData()
            .Joined(ExportTestData.Participant, "participant", "P1", "Alice Liddell")
            .Joined(ExportTestData.Observer, "observer", "O1", "Oscar Observer")
            .Note(1_000, "hello");

        var anonymous = MarkdownReport.Write(data.Export(includeNames: false));
        var named = MarkdownReport.Write(data.Export(includeNames: true));

        Assert.DoesNotContain("Alice", anonymous, StringComparison.Ordinal);
        Assert.DoesNotContain("Oscar", anonymous, StringComparison.Ordinal);
        Assert.Contains("- Participants: P1\n", anonymous, StringComparison.Ordinal);
        Assert.Contains("- Participants: P1 (Alice Liddell)\n", named, StringComparison.Ordinal);
        Assert.Contains("**O1 (Oscar Observer)** note", named, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_HeaderAndGuide()
    {
        var md = MarkdownReport.Write(new ExportTestData().Export());

        Assert.StartsWith("# Checkout test, round 1\n\n- Study: Checkout study\n- Usability test, ended, 2026-11-23 (UTC)\n", md, StringComparison.Ordinal);
        Assert.Contains("## Guide\n\n1. **Open question:** What do you use today?\n2. **Poll:** Which plan?\n", md, StringComparison.Ordinal);
    }
}
