using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Metrics;

/// <summary>SUS results of a group of participants.</summary>
/// <param name="Count">How many participants answered the SUS.</param>
/// <param name="Scores">Each participant's 0-100 SUS score, in input order.</param>
/// <param name="Mean">The average SUS score.</param>
/// <param name="StandardDeviation">How far scores typically sit from the mean; null with a single score.</param>
/// <param name="Interval">The range the average score of all users plausibly lies in (95% t-interval, clipped to 0-100); null with a single score.</param>
/// <param name="Grade">The school-style grade (A+ to F) of the mean on the Sauro-Lewis curved grading scale, where C is about average (68).</param>
/// <param name="Adjective">The word people used for products scoring like the mean (Bangor, Kortum and Miller, 2009), e.g. "Good".</param>
public sealed record SusResult(
    int Count,
    IReadOnlyList<double> Scores,
    double Mean,
    double? StandardDeviation,
    ConfidenceInterval? Interval,
    string Grade,
    string Adjective);

/// <summary>The System Usability Scale (Brooke, 1996).</summary>
public static class Sus
{
    // Sauro-Lewis curved grading scale (Sauro and Lewis, "Quantifying the User Experience", 2nd ed., 2016, ch. 8;
    // also Lewis and Sauro, 2018, "Item benchmarks for the System Usability Scale", JUS 13(3)), as lower bounds:
    // A+ 84.1-100, A 80.8-84.0, A- 78.9-80.7, B+ 77.2-78.8, B 74.1-77.1, B- 72.6-74.0, C+ 71.1-72.5,
    // C 65.0-71.0, C- 62.7-64.9, D 51.7-62.6, F 0-51.6. A mean between two published ranges (e.g. 84.05)
    // takes the lower grade, since it has not reached the next lower bound.
    private static readonly (double Min, string Grade)[] Grades =
    [
        (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
        (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0, "F"),
    ];

    // Bangor, Kortum and Miller (2009), "Determining what individual SUS scores mean: adding an adjective
    // rating scale", Journal of Usability Studies 4(3), 114-123, Table 3: mean SUS score of the participants who
    // chose each adjective: Worst Imaginable 12.5, Awful 20.3, Poor 35.7, OK 50.9, Good 71.4, Excellent 85.5,
    // Best Imaginable 90.9. The paper gives means, not bands, so a score takes the adjective whose mean is
    // nearest; the cut-offs are the midpoints between neighbouring means (a midpoint itself goes up):
    // (12.5+20.3)/2 = 16.4, (20.3+35.7)/2 = 28.0, (35.7+50.9)/2 = 43.3, (50.9+71.4)/2 = 61.15,
    // (71.4+85.5)/2 = 78.45, (85.5+90.9)/2 = 88.2.
    private static readonly (double Min, string Adjective)[] Adjectives =
    [
        (88.2, "Best imaginable"), (78.45, "Excellent"), (61.15, "Good"), (43.3, "OK"),
        (28.0, "Poor"), (16.4, "Awful"), (0, "Worst imaginable"),
    ];

    /// <summary>
    /// The 0-100 score of ten item answers of 1-5: odd-numbered items (positive statements) count
    /// answer - 1, even-numbered ones (negative statements) 5 - answer; the sum times 2.5.
    /// </summary>
    public static double Score(IReadOnlyList<int> items)
    {
        if (items.Count != Limits.SusItems || items.Any(x => x is < 1 or > 5))
        {
            throw new ArgumentException($"SUS needs exactly {Limits.SusItems} answers of 1 to 5.", nameof(items));
        }
        return items.Select((x, i) => i % 2 == 0 ? x - 1 : 5 - x).Sum() * 2.5;
    }

    /// <summary>
    /// Scores every participant's ten answers (throwing on a missing or out-of-range answer, as <see cref="Score"/>)
    /// and summarises them: mean, 95% t-interval, grade and adjective; null when nobody answered.
    /// </summary>
    public static SusResult? Summarize(IEnumerable<IReadOnlyList<int>> answerSets)
    {
        ArgumentNullException.ThrowIfNull(answerSets);
        var scores = answerSets
            .Select(items => Score(items ?? throw new ArgumentException("A participant's SUS answers are missing.", nameof(answerSets))))
            .ToList();
        if (scores.Count == 0)
        {
            return null;
        }
        var mean = Stats.MeanWithInterval(scores);
        return new SusResult(
            scores.Count,
            scores,
            mean.Mean,
            mean.StandardDeviation,
            mean.Interval?.Clip(0, 100),
            Grade(mean.Mean),
            Adjective(mean.Mean));
    }

    /// <summary>The Sauro-Lewis curved grade (A+ to F) of a 0-100 SUS score or mean.</summary>
    public static string Grade(double score)
    {
        CheckScore(score);
        return Grades.First(g => score >= g.Min).Grade;
    }

    /// <summary>The Bangor et al. (2009) adjective whose typical SUS score is nearest this 0-100 score or mean.</summary>
    public static string Adjective(double score)
    {
        CheckScore(score);
        return Adjectives.First(a => score >= a.Min).Adjective;
    }

    private static void CheckScore(double score)
    {
        if (double.IsNaN(score) || score < 0 || score > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A SUS score lies between 0 and 100.");
        }
    }
}
