using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Metrics;

/// <summary>The System Usability Scale (Brooke, 1996).</summary>
public static class Sus
{
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
}
