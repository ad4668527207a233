namespace SessionRoom.Core.Metrics;

/// <summary>
/// Student's t distribution, used for confidence intervals on means of small samples.
/// Written out here (no statistics package): the CDF comes from the regularized incomplete beta
/// function, and the inverse is found by Newton steps kept inside a bisection bracket.
/// </summary>
public static class StudentT
{
    /// <summary>
    /// The probability that a t-distributed value with <paramref name="degreesOfFreedom"/> is at most <paramref name="t"/>.
    /// </summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        CheckDegreesOfFreedom(degreesOfFreedom);
        if (double.IsNaN(t))
        {
            throw new ArgumentException("t must be a number.", nameof(t));
        }
        return t >= 0 ? 1 - UpperTail(t, degreesOfFreedom) : UpperTail(-t, degreesOfFreedom);
    }

    /// <summary>
    /// The value below which a t-distributed value falls with probability <paramref name="p"/>
    /// (for example <c>InverseCdf(0.975, 10)</c> is about 2.228, the critical value of a 95% interval from 11 values).
    /// </summary>
    public static double InverseCdf(double p, double degreesOfFreedom)
    {
        CheckDegreesOfFreedom(degreesOfFreedom);
        if (double.IsNaN(p) || p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "p must lie strictly between 0 and 1.");
        }
        if (p == 0.5)
        {
            return 0;
        }
        // By symmetry solve for the upper tail q = P(T > t) with t > 0, which keeps precision for p near 1.
        var q = p < 0.5 ? p : 1 - p;
        var t = UpperQuantile(q, degreesOfFreedom);
        return p < 0.5 ? -t : t;
    }

    /// <summary>The critical value of a two-sided 95% interval: <c>InverseCdf(0.975, df)</c>.</summary>
    public static double Critical95(int degreesOfFreedom) => InverseCdf(0.975, degreesOfFreedom);

    /// <summary>P(T &gt; t) for t ≥ 0: half the regularized incomplete beta I_x(df/2, 1/2) at x = df/(df + t²).</summary>
    internal static double UpperTail(double t, double df)
    {
        var t2 = t * t;
        if (double.IsInfinity(t2))
        {
            return 0;
        }
        var x = df / (df + t2);
        return 0.5 * SpecialFunctions.RegularizedIncompleteBeta(df / 2, 0.5, x);
    }

    /// <summary>The density of the t distribution.</summary>
    internal static double Density(double t, double df) =>
        Math.Exp(SpecialFunctions.LogGamma((df + 1) / 2) - SpecialFunctions.LogGamma(df / 2)
            - (0.5 * Math.Log(df * Math.PI)) - ((df + 1) / 2 * Math.Log(1 + (t * t / df))));

    private static double UpperQuantile(double q, double df)
    {
        // Exact closed forms (Cauchy for df = 1; Hill 1970 / Johnson-Kotz for df = 2).
        if (df == 1)
        {
            return 1 / Math.Tan(Math.PI * q);
        }
        if (df == 2)
        {
            return (1 - (2 * q)) / Math.Sqrt(2 * q * (1 - q));
        }

        // Bracket the root of UpperTail(t) = q: the tail is 0.5 at t = 0 and falls monotonically.
        double lo = 0, hi = 1;
        while (UpperTail(hi, df) > q)
        {
            lo = hi;
            hi *= 2;
            if (hi > 1e300)
            {
                return hi;
            }
        }

        // Newton steps on f(t) = UpperTail(t) - q (f' = -density), falling back to bisection when a step
        // would leave the bracket; the bracket shrinks every iteration, so this always converges.
        var t = (lo + hi) / 2;
        for (var i = 0; i < 200; i++)
        {
            var f = UpperTail(t, df) - q;
            if (f == 0)
            {
                return t;
            }
            if (f > 0)
            {
                lo = t;
            }
            else
            {
                hi = t;
            }
            var density = Density(t, df);
            var next = density > 0 ? t + (f / density) : double.NaN;
            if (double.IsNaN(next) || next <= lo || next >= hi)
            {
                next = (lo + hi) / 2;
            }
            if (Math.Abs(next - t) <= 1e-15 * Math.Max(1, Math.Abs(t)) || hi - lo <= 1e-15 * Math.Max(1, hi))
            {
                return next;
            }
            t = next;
        }
        return t;
    }

    private static void CheckDegreesOfFreedom(double df)
    {
        if (double.IsNaN(df) || double.IsInfinity(df) || df <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(df), df, "Degrees of freedom must be a positive finite number.");
        }
    }
}

/// <summary>Log-gamma and the regularized incomplete beta function behind <see cref="StudentT"/>.</summary>
internal static class SpecialFunctions
{
    // Lanczos approximation, g = 7, n = 9 (the coefficients published by Godfrey; relative error about 1e-15).
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }
        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < Lanczos.Length; i++)
        {
            a += Lanczos[i] / (x + i);
        }
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }

    /// <summary>
    /// I_x(a, b), the regularized incomplete beta function, by the continued fraction evaluated with the
    /// modified Lentz method (Press et al., Numerical Recipes, 3rd ed., §6.4), using the symmetry
    /// I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges faster.
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }
        if (x >= 1)
        {
            return 1;
        }
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        const double epsilon = 1e-15;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        if (Math.Abs(d) < tiny)
        {
            d = tiny;
        }
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 100_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }
            c = 1 + (aa / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }
            c = 1 + (aa / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < epsilon)
            {
                break;
            }
        }
        return h;
    }
}
