using System.Globalization;
using System.Text;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Exports;

/// <summary>
/// The readable report of a session (<c>format=md</c>): details, people, the guide, the answers to each prompt,
/// notes and backroom messages on the session clock, and the usability metrics. Every piece of people's text
/// goes through <see cref="MarkdownText"/>, so it cannot add markup or HTML of its own.
/// </summary>
public static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(SessionExport export)
    {
        var md = new StringBuilder();
        WriteHeader(md, export);
        WritePeople(md, export);
        WriteGuide(md, export);
        WriteAnswers(md, export);
        WriteNotes(md, export);
        WriteMetrics(md, export);
        return md.ToString();
    }

    /// <summary>A session-clock time as minutes and seconds, mm:ss (minutes go past 59 in long sessions).</summary>
    public static string Clock(long atMs)
    {
        var seconds = Math.Max(0, atMs) / 1000;
        return $"{seconds / 60:00}:{seconds % 60:00}";
    }

    private static void WriteHeader(StringBuilder md, SessionExport export)
    {
        var s = export.Session;
        md.Append("# ").AppendLine(MarkdownText.Inline(s.Title)).AppendLine();
        md.Append("- Study: ").AppendLine(MarkdownText.Inline(s.StudyName));
        md.Append("- ").Append(SessionModes.Label(s.Mode)).Append(", ").Append(s.Status)
            .Append(", ").Append(s.Date.UtcDateTime.ToString("yyyy-MM-dd", Invariant)).AppendLine(" (UTC)");
        if (s.Blind)
        {
            md.AppendLine("- Blind mode: observers saw only their own notes until the session ended");
        }
        var named = export.Members.Any(m => m.DisplayName is not null);
        md.AppendLine(named
            ? "- People appear with their names: this report is personal data."
            : "- People appear by their codes (P = participant, O = observer, F = facilitator).");
        md.AppendLine();
    }

    private static void WritePeople(StringBuilder md, SessionExport export)
    {
        md.AppendLine("## People").AppendLine();
        if (export.Members.Count == 0)
        {
            md.AppendLine("Nobody has joined.").AppendLine();
            return;
        }
        foreach (var role in new[] { Roles.Participant, Roles.Observer, Roles.Facilitator })
        {
            var people = export.Members.Where(m => m.Role == role).ToList();
            if (people.Count > 0)
            {
                md.Append("- ").Append(RolePlural(role)).Append(": ")
                    .AppendLine(string.Join(", ", people.Select(m => MarkdownText.Inline(ExportNames.Label(m.Code, m.DisplayName)))));
            }
        }
        md.AppendLine();
    }

    private static void WriteGuide(StringBuilder md, SessionExport export)
    {
        md.AppendLine("## Guide").AppendLine();
        if (export.Prompts.Count == 0)
        {
            md.AppendLine("The guide is empty.").AppendLine();
            return;
        }
        foreach (var p in export.Prompts)
        {
            md.Append(p.Position.ToString(Invariant)).Append(". **").Append(PromptKinds.Label(p.Kind)).Append(":** ").AppendLine(MarkdownText.Inline(p.Text));
        }
        md.AppendLine();
    }

    private static void WriteAnswers(StringBuilder md, SessionExport export)
    {
        md.AppendLine("## Answers").AppendLine();
        foreach (var p in export.Prompts)
        {
            md.Append("### ").Append(p.Position.ToString(Invariant)).Append(". ").AppendLine(MarkdownText.Inline(p.Text)).AppendLine();
            var answers = PromptResults.LatestAnswers(export.Events, p.Id);
            switch (p.Kind)
            {
                case PromptKinds.Poll:
                    WriteCounts(md, "Option", PromptResults.Distribution(p, answers));
                    break;
                case PromptKinds.Rating or PromptKinds.Seq:
                    var max = p.Kind == PromptKinds.Seq ? Limits.SeqScale : p.ScaleMax ?? 0;
                    if (PromptResults.MeanRating(answers) is { } mean)
                    {
                        md.Append("Mean ").Append(mean.ToString("0.0", Invariant)).Append(" of ").Append(max.ToString(Invariant))
                            .Append(" (n = ").Append(answers.Count.ToString(Invariant)).AppendLine(").").AppendLine();
                    }
                    WriteCounts(md, "Rating", PromptResults.Distribution(p, answers));
                    break;
                case PromptKinds.Sus:
                    WriteSus(md, export, answers);
                    break;
                case PromptKinds.Task:
                    WriteOutcomes(md, export, p);
                    WriteTextAnswers(md, export, answers, sayWhenNone: false);
                    break;
                default:
                    WriteTextAnswers(md, export, answers, sayWhenNone: true);
                    break;
            }
        }
    }

    private static void WriteCounts(StringBuilder md, string what, IReadOnlyList<(string Label, int Count)> counts)
    {
        md.Append("| ").Append(what).AppendLine(" | Answers |").AppendLine("| --- | ---: |");
        foreach (var (label, count) in counts)
        {
            md.Append("| ").Append(MarkdownText.Inline(label)).Append(" | ").Append(count.ToString(Invariant)).AppendLine(" |");
        }
        md.AppendLine();
    }

    private static void WriteTextAnswers(StringBuilder md, SessionExport export, IReadOnlyList<SessionEvent> answers, bool sayWhenNone)
    {
        var texts = answers.Where(a => !string.IsNullOrWhiteSpace(a.Text)).ToList();
        if (texts.Count == 0)
        {
            if (sayWhenNone)
            {
                md.AppendLine("No answers.").AppendLine();
            }
            return;
        }
        foreach (var a in texts)
        {
            md.Append("**").Append(MarkdownText.Inline(export.Label(a.ParticipantId ?? a.ActorId, a.ActorCode))).AppendLine("**").AppendLine();
            md.AppendLine(MarkdownText.Quote(a.Text!)).AppendLine();
        }
    }

    private static void WriteSus(StringBuilder md, SessionExport export, IReadOnlyList<SessionEvent> answers)
    {
        var scores = answers
            .Select(a => (Who: export.Label(a.ParticipantId ?? a.ActorId, a.ActorCode), Items: AnswerData.Items(a)))
            .Where(x => x.Items.Length == Limits.SusItems && x.Items.All(i => i is >= 1 and <= 5))
            .Select(x => (x.Who, Score: Metrics.Sus.Score(x.Items)))
            .ToList();
        if (scores.Count == 0)
        {
            md.AppendLine("No answers.").AppendLine();
            return;
        }
        md.Append("Mean SUS score ").Append(scores.Average(s => s.Score).ToString("0.0", Invariant))
            .Append(" (n = ").Append(scores.Count.ToString(Invariant)).AppendLine(").").AppendLine();
        md.AppendLine("| Participant | SUS score |").AppendLine("| --- | ---: |");
        foreach (var (who, score) in scores)
        {
            md.Append("| ").Append(MarkdownText.Inline(who)).Append(" | ").Append(score.ToString("0.0", Invariant)).AppendLine(" |");
        }
        md.AppendLine();
    }

    private static void WriteOutcomes(StringBuilder md, SessionExport export, Prompt task)
    {
        var attempts = Metrics.TaskAttempts.LastPerParticipant(Metrics.SessionMetrics.Attempts(export.Events, task.Id));
        if (attempts.Count == 0)
        {
            md.AppendLine("No attempt ended.").AppendLine();
            return;
        }
        md.AppendLine("| Participant | Outcome (last attempt) | Time |").AppendLine("| --- | --- | ---: |");
        foreach (var a in attempts)
        {
            md.Append("| ").Append(MarkdownText.Inline(export.Label(a.ParticipantId))).Append(" | ").Append(MarkdownText.Inline(a.Outcome))
                .Append(" | ").Append(a.Seconds is { } s ? Seconds(s) : "").AppendLine(" |");
        }
        md.AppendLine();
    }

    private static void WriteNotes(StringBuilder md, SessionExport export)
    {
        md.AppendLine("## Notes and backroom messages").AppendLine();
        var notes = export.Events.Where(e => e.Type is EventTypes.Note or EventTypes.BackroomMessage).ToList();
        if (notes.Count == 0)
        {
            md.AppendLine("None.").AppendLine();
            return;
        }
        foreach (var e in notes)
        {
            md.Append("- ").Append(Clock(e.AtMs)).Append(" · **").Append(MarkdownText.Inline(export.Label(e.ActorId, e.ActorCode))).Append("**")
                .Append(e.Type == EventTypes.Note ? " note" : " message");
            if (export.Label(e.ParticipantId) is { Length: > 0 } about)
            {
                md.Append(" about ").Append(MarkdownText.Inline(about));
            }
            if (e.Tags.Count > 0)
            {
                md.Append(" [").Append(string.Join(", ", e.Tags.Select(MarkdownText.Inline))).Append(']');
            }
            md.Append(": ").AppendLine(MarkdownText.Inline(e.Text ?? ""));
        }
        md.AppendLine();
    }

    private static void WriteMetrics(StringBuilder md, SessionExport export)
    {
        var m = export.Metrics;
        md.AppendLine("## Usability metrics").AppendLine();
        if (m.Tasks.Count + m.Seq.Count + m.Sus.Count == 0)
        {
            md.AppendLine("The guide has no tasks, SEQ or SUS prompts.");
            return;
        }
        md.Append("Completion counts each participant's last outcome, ")
            .Append(m.PartialCountsAsSuccess ? "success and partial" : "success only")
            .AppendLine("; intervals are 95% (adjusted-Wald for completion, t for means; time on task on the log scale).").AppendLine();
        if (m.Tasks.Count > 0)
        {
            md.AppendLine("| Task | Success | Rate | 95% interval | Time on task (geometric mean) |")
                .AppendLine("| --- | --- | ---: | --- | ---: |");
            foreach (var t in m.Tasks)
            {
                md.Append("| ").Append(t.Position.ToString(Invariant)).Append(". ").Append(MarkdownText.Inline(t.Text))
                    .Append(" | ").Append(t.Successes.ToString(Invariant)).Append(" of ").Append(t.Attempts.ToString(Invariant))
                    .Append(" | ").Append(t.Rate is { } r ? Percent(r) : "–")
                    .Append(" | ").Append(t.Low is { } lo && t.High is { } hi ? $"{Percent(lo)}–{Percent(hi)}" : "–")
                    .Append(" | ").Append(t.TimeOnTask is { } time ? Seconds(time.GeometricMeanSeconds) : "–")
                    .AppendLine(" |");
            }
            md.AppendLine();
        }
        if (m.Seq.Count > 0)
        {
            md.AppendLine("| SEQ | n | Mean (1-7) | 95% interval |").AppendLine("| --- | ---: | ---: | --- |");
            foreach (var s in m.Seq)
            {
                md.Append("| ").Append(s.Position.ToString(Invariant)).Append(". ").Append(MarkdownText.Inline(s.Text))
                    .Append(" | ").Append(s.N.ToString(Invariant))
                    .Append(" | ").Append(OneDecimal(s.Mean))
                    .Append(" | ").Append(Range(s.Low, s.High)).AppendLine(" |");
            }
            md.AppendLine();
        }
        if (m.Sus.Count > 0)
        {
            md.AppendLine("| SUS | n | Mean score | 95% interval | Grade | Adjective |").AppendLine("| --- | ---: | ---: | --- | --- | --- |");
            foreach (var s in m.Sus)
            {
                md.Append("| ").Append(s.Position.ToString(Invariant)).Append(". SUS")
                    .Append(" | ").Append(s.N.ToString(Invariant))
                    .Append(" | ").Append(OneDecimal(s.Mean))
                    .Append(" | ").Append(Range(s.Low, s.High))
                    .Append(" | ").Append(s.Grade ?? "–")
                    .Append(" | ").Append(s.Adjective ?? "–").AppendLine(" |");
            }
            md.AppendLine();
        }
    }

    private static string RolePlural(string role) => role switch
    {
        Roles.Participant => "Participants",
        Roles.Observer => "Observers",
        _ => "Facilitators",
    };

    private static string Percent(double p) => (p * 100).ToString("0", Invariant) + "%";

    private static string Seconds(double s) => s.ToString("0.0", Invariant) + " s";

    private static string OneDecimal(double? value) => value?.ToString("0.0", Invariant) ?? "–";

    private static string Range(double? low, double? high) =>
        low is { } l && high is { } h ? $"{l.ToString("0.0", Invariant)}–{h.ToString("0.0", Invariant)}" : "–";
}
