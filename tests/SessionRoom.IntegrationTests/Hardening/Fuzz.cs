using System.Globalization;
using System.Text;
using CsCheck;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// How much to fuzz, from which seed. By default every fuzz test tries a bounded number of inputs from a fixed seed,
/// so the normal test run is quick and the same every time. <c>SESSIONROOM_FUZZ</c> asks for more:
/// <c>long</c> is <see cref="LongFactor"/> times the default count of each test, a number is that many inputs per
/// test. <c>SESSIONROOM_FUZZ_SEED</c> (a whole number) starts from another seed, e.g. to explore, or to reproduce a
/// run of a CI log whose seed differs.
/// </summary>
public static class FuzzSettings
{
    public const string CountVariable = "SESSIONROOM_FUZZ";
    public const string SeedVariable = "SESSIONROOM_FUZZ_SEED";

    /// <summary>The seed of every fuzz test unless <see cref="SeedVariable"/> says otherwise.</summary>
    public const ulong DefaultSeed = 20_260_805;

    public const int LongFactor = 20;

    /// <summary>The seed of this run.</summary>
    public static ulong Seed { get; } =
        Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } seed
            ? ulong.Parse(seed, NumberStyles.None, CultureInfo.InvariantCulture)
            : DefaultSeed;

    /// <summary>How many inputs a test with a default of <paramref name="defaultCount"/> tries in this run.</summary>
    public static int Count(int defaultCount)
    {
        var value = Environment.GetEnvironmentVariable(CountVariable)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return defaultCount;
        }
        if (value.Equals("long", StringComparison.OrdinalIgnoreCase))
        {
            return defaultCount * LongFactor;
        }
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new InvalidOperationException($"{CountVariable} is \"long\" or a number of inputs per test, not \"{value}\".");
    }

    /// <summary>
    /// The inputs of one test: <paramref name="count"/> values of <paramref name="gen"/>, drawn one after the other from
    /// one PCG stream seeded with <see cref="Seed"/> (and <paramref name="stream"/>, so tests draw different inputs),
    /// each with the CsCheck seed that regenerates it alone (<c>gen.Generate(PCG.Parse(caseSeed), null, out _)</c>).
    /// </summary>
    /// <remarks>
    /// CsCheck's <c>Sample</c> uses a given seed for the first iteration only and random ones after it, in parallel,
    /// and shrinks a failure by calling again and again; against one live server whose state each call may change,
    /// a fixed sequence run in order is what makes a run repeatable, so the tests draw from CsCheck generators here
    /// and check every input themselves.
    /// </remarks>
    public static IEnumerable<(int Index, string CaseSeed, T Value)> Cases<T>(Gen<T> gen, uint stream, int count) =>
        Cases(_ => gen, stream, count);

    /// <summary>As <see cref="Cases{T}(Gen{T}, uint, int)"/>, the i-th input drawn from <c>genFor(i)</c> (e.g. round robin over endpoints).</summary>
    public static IEnumerable<(int Index, string CaseSeed, T Value)> Cases<T>(Func<int, Gen<T>> genFor, uint stream, int count)
    {
        var pcg = new PCG(stream, Seed);
        for (var i = 0; i < count; i++)
        {
            var caseSeed = pcg.ToString();
            yield return (i, caseSeed, genFor(i).Generate(pcg, null, out _));
        }
    }
}

/// <summary>Writes JSON text by hand, so it can hold what a serializer will not write (lone surrogates, any nesting).</summary>
public static class JsonText
{
    /// <summary>A JSON string literal of <paramref name="value"/>: control characters, quotes, backslashes and unpaired surrogates escaped, the rest as is.</summary>
    public static string Quote(string value)
    {
        var json = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                json.Append(c).Append(value[++i]);
            }
            else if (c is '"' or '\\')
            {
                json.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                json.Append(c);
            }
        }
        return json.Append('"').ToString();
    }

    public static string Array(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";

    public static string Fields(IEnumerable<(string Name, string Json)> fields) =>
        "{" + string.Join(",", fields.Select(f => Quote(f.Name) + ":" + f.Json)) + "}";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="depth"/> arrays, one inside the other.</summary>
    public static string DeepArray(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary><paramref name="depth"/> objects, one inside the other: <c>{"a":{"a":...{}}}</c>.</summary>
    public static string DeepObject(int depth)
    {
        var json = new StringBuilder(depth * 6);
        for (var i = 0; i < depth; i++)
        {
            json.Append("{\"a\":");
        }
        json.Append("{}");
        return json.Append('}', depth).ToString();
    }
}

/// <summary>Generators of hostile input: text that breaks naive code, numbers at the edges, JSON of the wrong shape.</summary>
public static class Hostile
{
    /// <summary>Pieces of text that have broken programs before.</summary>
    public static readonly string[] Pieces =
    [
        "", " ", "   ", "\t", "\r\n", "\n\n\n", "\0", "a\0b", "\u0001\u001f\u007f",
        "\ud800", "\udc00", "\udc00\ud800", "x\ud83dy", // unpaired and reversed surrogates
        "\u202eevil\u202c", "\u200f\u200e", "\u2028\u2029", "\u0085", "\ufeff", "\ufffe", "\uffff", "\u00ad", "\u200b",
        "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇳", "👍🏽", "𝐀𝐁𝐂", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a",
        "İı", "ß", "ǅ", "Ⅻ", "ﬃ", "日本語", "العربية", "עברית", "한국어", "\u0301",
        "'; DROP TABLE events;--", "\" OR 1=1 --", "NEAR(a b)", "\"unterminated", "a AND", "*", "^", "col:val",
        "<script>alert(1)</script>", "=cmd|' /c calc'!A1", "@SUM(1)", "+1", "-1", "../../etc/passwd", "%00", "%ZZ",
        "{{7*7}}", "${jndi:ldap://x}", "null", "true", "NaN", "Infinity", "-0", "1e999", "0x10",
        "confused", "CONFUSED", " delight ", "delight,confused",
        "00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}", "not-a-guid",
    ];

    /// <summary>
    /// Text: a random ASCII string, pieces glued together, or a long run of one piece, up to
    /// <paramref name="maxBytes"/> bytes once written as a JSON string in UTF-8.
    /// </summary>
    public static Gen<string> Text(int maxBytes) => Gen.Frequency(
        (3, Gen.String),
        (6, Gen.OneOf(Pieces).Array[1, 4].Select(p => string.Concat(p))),
        (2, Gen.OneOf(Pieces)),
        (1, Gen.Select(Gen.OneOf("x", "é", "👍", " ", "\ud800", "\0"), Gen.OneOf(200, 2_001, 4_001, 10_000, 40_000, 1_000_000),
            (piece, bytes) => Repeat(piece, Math.Min(bytes, maxBytes)))));

    /// <summary>Whole numbers at the edges of every integer type, and a few ordinary ones.</summary>
    public static Gen<string> WholeNumber { get; } = Gen.Frequency(
        (4, Gen.OneOf("0", "1", "-1", "2", "7", "10", "11", "99", "-0", "2147483647", "2147483648", "-2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "18446744073709551616", "123456789012345678901234567890")),
        (2, Gen.Long.Select(JsonText.Number)),
        (1, Gen.Int[-5, 600].Select(i => JsonText.Number(i))));

    /// <summary>Numbers that are not whole, or not numbers a reader can hold.</summary>
    public static Gen<string> Fraction { get; } = Gen.OneOf("0.5", "1.0", "-0.0", "2.5", "1e3", "1E-7", "1e308", "-1e308", "1e309", "4.9e-324", "0.30000000000000004");

    /// <summary>GUID-like text: valid ones in several spellings and near misses.</summary>
    public static Gen<string> GuidText { get; } = Gen.Frequency(
        (3, Gen.Guid.Select(g => g.ToString())),
        (1, Gen.Guid.Select(g => g.ToString("N"))),
        (1, Gen.Guid.Select(g => g.ToString("B").ToUpperInvariant())),
        (1, Gen.Guid.Select(g => g.ToString()[..35])),
        (1, Gen.Guid.Select(g => g + "0")),
        (1, Gen.Const(Guid.Empty.ToString())));

    /// <summary>Any JSON value, up to <paramref name="maxString"/> characters in a string and nesting of any depth.</summary>
    public static Gen<string> Json(int maxString, IReadOnlyList<string>? fieldNames = null)
    {
        var names = Gen.Frequency(
            (3, Gen.OneOf((fieldNames ?? ["name", "text", "id"]).ToArray())),
            (1, Text(64)),
            (1, Gen.OneOf("__proto__", "constructor", "$type", "", "Name", "NAME", "extra")));
        var scalar = Gen.Frequency(
            (2, Gen.Const("null")),
            (1, Gen.OneOf("true", "false")),
            (3, WholeNumber),
            (1, Fraction),
            (5, Text(maxString).Select(JsonText.Quote)),
            (2, GuidText.Select(JsonText.Quote)));
        var deep = Gen.Select(Gen.OneOf(65, 100, 1_000, 10_000), Gen.Bool, (depth, arrays) => arrays ? JsonText.DeepArray(depth) : JsonText.DeepObject(depth));
        var value = Gen.Recursive<string>((depth, self) => depth >= 3
            ? scalar
            : Gen.Frequency(
                (6, scalar),
                (2, self.Array[0, 4].Select(JsonText.Array)),
                (2, Gen.Select(names, self).Array[0, 4].Select(fields => JsonText.Fields(fields.Select(f => (f.Item1, f.Item2)))))));
        return Gen.Frequency((12, value), (1, deep));
    }

    /// <summary><paramref name="piece"/> repeated to about <paramref name="bytes"/> bytes of JSON string content.</summary>
    private static string Repeat(string piece, int bytes)
    {
        var each = Math.Max(1, Encoding.UTF8.GetByteCount(JsonText.Quote(piece)) - 2);
        return new StringBuilder().Insert(0, piece, Math.Max(1, bytes / each)).ToString();
    }
}
