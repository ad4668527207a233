using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

/// <summary>Observer agreement over a session's tagged moments, against a hand-worked example.</summary>
public sealed class SynthesisAgreementAnalysisTests
{
    private static readonly Guid O1 = Guid.NewGuid(), O2 = Guid.NewGuid(), O3 = Guid.NewGuid(), F1 = Guid.NewGuid(), P1 = Guid.NewGuid();
    private static readonly (Guid, string)[] Observers = [(O1, "O1"), (O2, "O2"), (O3, "O3")];
    private static readonly Prompt Q1 = new(Guid.NewGuid(), 1, PromptKinds.Question, "First question");
    private static readonly Prompt Q2 = new(Guid.NewGuid(), 2, PromptKinds.Question, "Second question");
    private static readonly string[] Tags = ["confused", "delight", "pricing"];
    private static long _seq;

    private static SessionEvent Tagged(Guid actor, string code, long atSeconds, Prompt prompt, params string[] tags) =>
        new(++_seq, Guid.NewGuid(), Guid.NewGuid(), EventTypes.Note, Audiences.Backroom, actor, code, prompt.Id, null,
            atSeconds * 1000, DateTimeOffset.UnixEpoch, "note", tags, JsonSerializer.SerializeToElement(new { }));

    /// <summary>
    /// Window 30 s. Moments: 0-30 s (Q1) O1 confused, O2 confused; 30-60 s (Q1) O1 confused, O2 delight;
    /// 60-90 s (Q2) O1 delight, O2 delight; 90-120 s (Q2) O1 confused+delight, O2 delight. O3 never tags;
    /// the facilitator's and a participant's tags do not count.
    /// </summary>
    private static List<SessionEvent> Example() =>
    [
        Tagged(O1, "O1", 5, Q1, "confused"),
        Tagged(O2, "O2", 12, Q1, "confused"),
        Tagged(F1, "F1", 14, Q1, "pricing"),
        Tagged(O1, "O1", 40, Q1, "confused"),
        Tagged(O2, "O2", 41, Q1, "delight"),
        Tagged(P1, "P1", 50, Q1, "pricing") with { Type = EventTypes.Reaction, ActorId = P1 },
        Tagged(O1, "O1", 70, Q2, "delight"),
        Tagged(O2, "O2", 75, Q2, "delight"),
        Tagged(O1, "O1", 100, Q2, "confused", "delight"),
        Tagged(O2, "O2", 101, Q2, "delight"),
    ];

    [Fact]
    public void PerTag_HandWorked()
    {
        var result = AgreementAnalysis.Compute(Example(), Observers, Tags, [Q1, Q2], 30);

        Assert.Equal(["O1", "O2"], result.ObserverCodes);
        Assert.Equal(4, result.Moments);
        Assert.Null(result.Unavailable);
        // Only tags some observer used; the facilitator's and the participant's "pricing" do not count.
        Assert.Equal(["confused", "delight"], result.ByTag.Select(r => r.Label));
        // confused, per moment [O1, O2]: [T,T] [T,F] [F,F] [T,F]: P = 1, 0, 1, 0, so P̄ = 0.5;
        // applied 4 of 8 ratings, Pe = 0.5² + 0.5² = 0.5; kappa = (0.5 - 0.5) / 0.5 = 0.
        var confused = result.ByTag[0].Result!;
        Assert.Equal(0.5, confused.ObservedAgreement, 12);
        Assert.Equal(0, confused.Kappa, 12);
        // delight: [F,F] [F,T] [T,T] [T,T]: P̄ = 0.75; applied 5 of 8, Pe = 0.625² + 0.375² = 0.53125;
        // kappa = (0.75 - 0.53125) / (1 - 0.53125) = 0.466667 (moderate).
        var delight = result.ByTag[1].Result!;
        Assert.Equal(0.75, delight.ObservedAgreement, 12);
        Assert.Equal(0.53125, delight.ExpectedAgreement, 12);
        Assert.Equal(0.21875 / 0.46875, delight.Kappa, 9);
        Assert.Equal(KappaBand.Moderate, delight.Band);
        Assert.Equal(4, result.ByTag[1].Moments);
    }

    [Fact]
    public void PerPrompt_TheMomentAndTagPairsOfThatPrompt()
    {
        var result = AgreementAnalysis.Compute(Example(), Observers, Tags, [Q1, Q2], 30);

        Assert.Equal(["1. First question", "2. Second question"], result.ByPrompt.Select(r => r.Label));
        // Q1: (0-30, confused) [T,T], (0-30, delight) [F,F], (30-60, confused) [T,F], (30-60, delight) [F,T]: P̄ 0.5, Pe 0.5, kappa 0.
        Assert.Equal(0, result.ByPrompt[0].Result!.Kappa, 12);
        Assert.Equal(2, result.ByPrompt[0].Moments);
        // Q2: [F,F] [T,T] [T,F] [T,T]: P̄ 0.75, applied 5 of 8: the same figures as delight overall.
        Assert.Equal(0.21875 / 0.46875, result.ByPrompt[1].Result!.Kappa, 9);
    }

    [Fact]
    public void AWiderWindow_MergesMoments()
    {
        // 60 s windows: (Q1) O1 confused, O2 confused+delight; (Q2) O1 confused+delight, O2 delight.
        var result = AgreementAnalysis.Compute(Example(), Observers, Tags, [Q1, Q2], 60);
        Assert.Equal(2, result.Moments);
        // confused: [T,T] [T,F] -> P̄ 0.5; delight: [F,T] [T,T] -> P̄ 0.5.
        Assert.All(result.ByTag, r => Assert.Equal(0.5, r.Result!.ObservedAgreement, 12));
    }

    [Fact]
    public void FewerThanTwoTaggingObservers_SaysWhy()
    {
        var one = AgreementAnalysis.Compute(Example().Where(e => e.ActorId != O2), Observers, Tags, [Q1, Q2]);
        Assert.Equal(["O1"], one.ObserverCodes);
        Assert.Empty(one.ByTag);
        Assert.Contains("at least two observers", one.Unavailable, StringComparison.Ordinal);
        Assert.Contains("two observers", AgreementAnalysis.Compute([], Observers, Tags, [Q1]).Unavailable, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3601)]
    public void WindowOutOfRange_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AgreementAnalysis.Compute([], Observers, Tags, [], seconds));
}
