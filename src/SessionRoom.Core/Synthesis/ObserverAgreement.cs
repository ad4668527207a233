using System.Globalization;

namespace SessionRoom.Core.Synthesis;

/// <summary>How strong a kappa is, in the words of Landis and Koch (1977).</summary>
public enum KappaBand
{
    /// <summary>Below 0: observers agreed less than chance would make them.</summary>
    Poor,

    /// <summary>0.00 to 0.20.</summary>
    Slight,

    /// <summary>0.21 to 0.40.</summary>
    Fair,

    /// <summary>0.41 to 0.60.</summary>
    Moderate,

    /// <summary>0.61 to 0.80.</summary>
    Substantial,

    /// <summary>0.81 to 1.00.</summary>
    AlmostPerfect,
}

/// <summary>How much several observers agreed when sorting the same subjects (e.g. tagging the same moments).</summary>
/// <param name="Kappa">Fleiss' kappa: 1 is perfect agreement, 0 is what chance alone gives, below 0 is worse than chance.</param>
/// <param name="ObservedAgreement">P̄: over subjects, the mean share of rater pairs that chose the same category (0-1).</param>
/// <param name="ExpectedAgreement">Pe: the agreement expected by chance from how often each category was used overall (0-1).</param>
/// <param name="PercentAgreement">P̄ as a percentage (0-100).</param>
/// <param name="Subjects">How many subjects (moments) were rated.</param>
/// <param name="Raters">How many raters (observers) rated each subject.</param>
/// <param name="Band">The Landis and Koch band of the kappa, read at two decimals (see <see cref="ObserverAgreement.BandOf"/>).</param>
public sealed record AgreementResult(
    double Kappa,
    double ObservedAgreement,
    double ExpectedAgreement,
    double PercentAgreement,
    int Subjects,
    int Raters,
    KappaBand Band)
{
    /// <summary>The band in plain words, e.g. "moderate" or "almost perfect".</summary>
    public string BandName => ObserverAgreement.NameOf(Band);

    /// <summary>
    /// One sentence for non-statisticians, e.g. "The two observers agreed on 78% of moments; after allowing for
    /// chance agreement, kappa is 0.52 (moderate)." With more than two observers the percentage is the average over
    /// pairs of observers, and the sentence says so. A percentage short of 100 never shows as 100%.
    /// </summary>
    public string Explain()
    {
        var percent = Math.Round(PercentAgreement, MidpointRounding.AwayFromZero);
        if (percent >= 100 && ObservedAgreement < 1)
        {
            percent = 99;
        }
        var who = Raters == 2 ? "The two observers agreed" : "On average, any two observers agreed";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{who} on {percent:0}% of moments; after allowing for chance agreement, kappa is {ObserverAgreement.RoundKappa(Kappa):0.00} ({BandName}).");
    }
}

/// <summary>
/// Inter-observer agreement: Fleiss' kappa (Fleiss, 1971, "Measuring nominal scale agreement among many raters",
/// Psychological Bulletin 76(5), 378-382) and percent agreement, for N subjects each put into one of k categories by
/// the same number n of raters (who need not be the same people from subject to subject).
/// </summary>
public static class ObserverAgreement
{
    /// <summary>The category of <see cref="TagMatrix"/> counting observers who applied the tag.</summary>
    public const int Applied = 0;

    /// <summary>The category of <see cref="TagMatrix"/> counting observers who did not apply the tag.</summary>
    public const int NotApplied = 1;

    /// <summary>
    /// Fleiss' kappa of a matrix where <c>counts[i][j]</c> is how many raters put subject i in category j; every row
    /// has the same k categories and sums to the same n ≥ 2 raters. With n_ij the cell counts:
    /// P_i = Σ_j n_ij(n_ij − 1) / (n(n − 1)) (the share of agreeing rater pairs on subject i), P̄ = mean of P_i;
    /// p_j = Σ_i n_ij / (N·n), Pe = Σ_j p_j²; κ = (P̄ − Pe) / (1 − Pe).
    /// When every rating falls in one category, Pe = 1 and the formula is 0/0; agreement is then perfect (P̄ = 1),
    /// so kappa is defined as 1 rather than NaN.
    /// </summary>
    public static AgreementResult Compute(IReadOnlyList<IReadOnlyList<int>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count < 1)
        {
            throw new ArgumentException("Agreement needs at least one subject.", nameof(counts));
        }
        var first = counts[0] ?? throw new ArgumentException("Subject 1 has no category counts.", nameof(counts));
        var categories = first.Count;
        var raters = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var row = counts[i] ?? throw new ArgumentException($"Subject {i + 1} has no category counts.", nameof(counts));
            if (row.Count != categories)
            {
                throw new ArgumentException(
                    $"Every subject needs a count for each of the same categories: subject 1 has {categories}, subject {i + 1} has {row.Count}.",
                    nameof(counts));
            }
            var sum = 0L;
            for (var j = 0; j < categories; j++)
            {
                if (row[j] < 0)
                {
                    throw new ArgumentException($"Subject {i + 1} has a negative count in category {j + 1}.", nameof(counts));
                }
                sum += row[j];
            }
            if (sum > int.MaxValue)
            {
                throw new ArgumentException($"Subject {i + 1} has too many ratings.", nameof(counts));
            }
            if (i == 0)
            {
                raters = (int)sum;
            }
            else if (sum != raters)
            {
                throw new ArgumentException(
                    $"Every subject must be rated by the same number of raters: subject 1 has {raters}, subject {i + 1} has {sum}.",
                    nameof(counts));
            }
        }
        if (raters < 2)
        {
            throw new ArgumentException($"Agreement needs at least two raters per subject; there are {raters}.", nameof(counts));
        }

        var subjects = counts.Count;
        var totals = new double[categories];
        var agreeingPairs = 0.0; // Σ_i Σ_j n_ij(n_ij − 1): ordered pairs of raters who agreed, over all subjects
        foreach (var row in counts)
        {
            for (var j = 0; j < categories; j++)
            {
                totals[j] += row[j];
                agreeingPairs += (double)row[j] * (row[j] - 1);
            }
        }
        var ratings = (double)subjects * raters;
        var observed = agreeingPairs / (subjects * (double)raters * (raters - 1));
        var expected = totals.Sum(t => (t / ratings) * (t / ratings));
        // All ratings in one category ⇔ Pe = 1; checked on the integer totals so rounding cannot hide it.
        var kappa = totals.Any(t => t == ratings) ? 1.0 : (observed - expected) / (1 - expected);
        return new AgreementResult(kappa, observed, expected, observed * 100, subjects, raters, BandOf(kappa));
    }

    /// <summary>
    /// The subjects × {applied, not applied} matrix of one tag: <c>applied[m][o]</c> says whether observer o applied
    /// the tag to moment m (every moment needs a decision from each of the same observers). Column
    /// <see cref="Applied"/> counts the observers who applied it, <see cref="NotApplied"/> those who did not.
    /// </summary>
    public static int[][] TagMatrix(IReadOnlyList<IReadOnlyList<bool>> applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        var matrix = new int[applied.Count][];
        for (var m = 0; m < applied.Count; m++)
        {
            var decisions = applied[m] ?? throw new ArgumentException($"Moment {m + 1} has no decisions.", nameof(applied));
            if (decisions.Count != applied[0].Count)
            {
                throw new ArgumentException(
                    $"Every moment needs a decision from each observer: moment 1 has {applied[0].Count}, moment {m + 1} has {decisions.Count}.",
                    nameof(applied));
            }
            var yes = decisions.Count(d => d);
            matrix[m] = [yes, decisions.Count - yes];
        }
        return matrix;
    }

    /// <summary>Agreement on one tag from binary decisions (<see cref="TagMatrix"/>, then <see cref="Compute"/>).</summary>
    public static AgreementResult ForTag(IReadOnlyList<IReadOnlyList<bool>> applied) => Compute(TagMatrix(applied));

    /// <summary>
    /// The Landis and Koch (1977) band of a kappa: below 0 poor, 0.00-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,
    /// 0.61-0.80 substantial, 0.81-1.00 almost perfect. The table is written at two decimals, so kappa is first rounded
    /// to two decimals (half away from zero): 0.204 is slight, 0.206 fair, and the band always matches the kappa shown
    /// by <see cref="AgreementResult.Explain"/>. A kappa that rounds to 0.00 (e.g. −0.004) is slight.
    /// </summary>
    public static KappaBand BandOf(double kappa)
    {
        if (double.IsNaN(kappa) || kappa < -1 || kappa > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "A kappa lies between -1 and 1.");
        }
        var k = RoundKappa(kappa);
        return k switch
        {
            < 0 => KappaBand.Poor,
            <= 0.20 => KappaBand.Slight,
            <= 0.40 => KappaBand.Fair,
            <= 0.60 => KappaBand.Moderate,
            <= 0.80 => KappaBand.Substantial,
            _ => KappaBand.AlmostPerfect,
        };
    }

    /// <summary>The band in plain words, as used in sentences: "poor", "slight", ..., "almost perfect".</summary>
    public static string NameOf(KappaBand band) => band switch
    {
        KappaBand.Poor => "poor",
        KappaBand.Slight => "slight",
        KappaBand.Fair => "fair",
        KappaBand.Moderate => "moderate",
        KappaBand.Substantial => "substantial",
        KappaBand.AlmostPerfect => "almost perfect",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Unknown kappa band."),
    };

    /// <summary>Kappa at two decimals, half away from zero; adding 0.0 turns a rounded −0 into 0 so it never prints as "-0.00".</summary>
    public static double RoundKappa(double kappa) => Math.Round(kappa, 2, MidpointRounding.AwayFromZero) + 0.0;
}
