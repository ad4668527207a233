using System.Diagnostics;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

public sealed class SynthesisThemeSuggestionsTests
{
    // Three notes about price, three about a hidden checkout button, and two unrelated ones (u1, u2).
    private static readonly ThemeItem[] Notes =
    [
        new("p1", "The price is too expensive for what you get"),
        new("c1", "Could not find the checkout button, it was hidden"),
        new("p2", "Expensive subscription; the price and cost felt high"),
        new("u1", "Loved the onboarding animation"),
        new("c2", "Checkout button hidden below the fold"),
        new("p3", "Cost is a concern, the price seems expensive"),
        new("u2", "Search results load slowly on mobile"),
        new("c3", "The checkout button is hidden behind the cookie banner"),
    ];

    private static HashSet<string> AsSet(IEnumerable<string> ids) => new(ids, StringComparer.Ordinal);

    private static List<HashSet<string>> Groups(IReadOnlyList<ThemeSuggestion> suggestions) =>
        suggestions.Select(s => AsSet(s.ItemIds)).ToList();

    [Fact]
    public void Suggest_PriceAndCheckoutNotes_TwoThemesWithSensibleTerms()
    {
        var themes = ThemeSuggestions.Suggest(Notes);
        Assert.Equal(2, themes.Count);
        // Same size, so the group whose first note comes first (p1, position 0) leads; ids in input order.
        Assert.Equal(["p1", "p2", "p3"], themes[0].ItemIds);
        Assert.Equal(["c1", "c2", "c3"], themes[1].ItemIds);
        // "price" and "expensive" are in all three price notes with equal weight in each ("expensive" first on the
        // tie), then "cost", in two of them.
        Assert.Equal(["expensive", "price", "cost"], themes[0].TopTerms);
        // "button", "checkout", "hidden" each weigh the same in every checkout note: alphabetical.
        Assert.Equal(["button", "checkout", "hidden"], themes[1].TopTerms);
        Assert.DoesNotContain(themes, t => t.ItemIds.Contains("u1") || t.ItemIds.Contains("u2"));
    }

    [Fact]
    public void Suggest_SameInputTwice_IdenticalOutput()
    {
        var first = ThemeSuggestions.Suggest(Notes);
        var second = ThemeSuggestions.Suggest(Notes);
        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].ItemIds, second[i].ItemIds);
            Assert.Equal(first[i].TopTerms, second[i].TopTerms);
        }
    }

    [Fact]
    public void Suggest_ShuffledInput_SameGroupsAsSets()
    {
        var original = ThemeSuggestions.Suggest(Notes);
        var expected = Groups(original);
        var expectedTerms = original.Select(s => string.Join(",", s.TopTerms)).Order(StringComparer.Ordinal).ToList();
        int[][] orders = [[7, 6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 2, 7, 1, 5, 4], [6, 3, 4, 1, 7, 5, 0, 2]];
        foreach (var order in orders)
        {
            var shuffled = ThemeSuggestions.Suggest(order.Select(i => Notes[i]).ToList());
            var actual = Groups(shuffled);
            Assert.Equal(expected.Count, actual.Count);
            Assert.All(expected, group => Assert.Contains(actual, g => g.SetEquals(group)));
            // Top terms are computed from the same weights, so they match too.
            Assert.Equal(expectedTerms, shuffled.Select(s => string.Join(",", s.TopTerms)).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Suggest_ThresholdOne_NoGroupsForDifferentTexts() =>
        Assert.Empty(ThemeSuggestions.Suggest(Notes, threshold: 1.0));

    [Fact]
    public void Suggest_IdenticalTexts_AlwaysGroup()
    {
        // Case and punctuation do not matter: the tokens, hence the vectors, are the same, and their similarity is exactly 1.
        ThemeItem[] items =
        [
            .. Notes,
            new("d1", "Search filters reset after going back"),
            new("d2", "search FILTERS reset — after going back!"),
        ];
        var themes = ThemeSuggestions.Suggest(items, threshold: 1.0);
        var theme = Assert.Single(themes);
        Assert.Equal(["d1", "d2"], theme.ItemIds);
        Assert.Equal(1.0, ThemeSuggestions.Similarity(items[^2].Text, items[^1].Text, items.Select(i => i.Text).ToList()));
        Assert.Contains(ThemeSuggestions.Suggest(items), t => t.ItemIds.SequenceEqual(["d1", "d2"]));
    }

    [Fact]
    public void Suggest_ManyIdenticalTexts_OneGroup()
    {
        var items = Enumerable.Range(0, 5).Select(i => new ThemeItem($"n{i}", "Checkout button hidden")).ToList();
        var theme = Assert.Single(ThemeSuggestions.Suggest(items, threshold: 1.0));
        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], theme.ItemIds);
    }

    [Fact]
    public void Suggest_StopWordsOnly_NoGroup()
    {
        // Every token is a stop word or a single letter, even though the texts are identical.
        ThemeItem[] items = [new("a", "It is what it is"), new("b", "It is what it is"), new("c", "I was there, a b c"), new("d", "...!?")];
        Assert.Empty(ThemeSuggestions.Suggest(items, threshold: 0.01));
    }

    [Fact]
    public void Suggest_NotesWithoutTokens_NeverJoinAGroup()
    {
        ThemeItem[] items = [new("a", "Checkout button hidden"), new("empty", ""), new("b", "checkout button hidden"), new("null", null), new("stop", "the and of")];
        var theme = Assert.Single(ThemeSuggestions.Suggest(items, threshold: 0.01));
        Assert.Equal(["a", "b"], theme.ItemIds);
    }

    [Fact]
    public void Suggest_Empty_ReturnsEmpty() =>
        Assert.Empty(ThemeSuggestions.Suggest([]));

    [Fact]
    public void Suggest_AboveMax_Throws()
    {
        var items = Enumerable.Range(0, ThemeSuggestions.MaxItems + 1).Select(i => new ThemeItem($"n{i}", "note")).ToList();
        var ex = Assert.Throws<ArgumentException>(() => ThemeSuggestions.Suggest(items));
        Assert.Contains("at most 5000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Suggest_DuplicateOrMissingIds_Throw()
    {
        Assert.Throws<ArgumentException>(() => ThemeSuggestions.Suggest([new("a", "x y"), new("a", "x y")]));
        Assert.Throws<ArgumentException>(() => ThemeSuggestions.Suggest([new(null!, "x y")]));
        Assert.Throws<ArgumentException>(() => ThemeSuggestions.Suggest([null!]));
        Assert.Throws<ArgumentNullException>(() => ThemeSuggestions.Suggest(null!));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Suggest_ThresholdOutOfRange_Throws(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ThemeSuggestions.Suggest(Notes, threshold: threshold));

    [Fact]
    public void Suggest_BadGroupSizeOrTermCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThemeSuggestions.Suggest(Notes, minGroupSize: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThemeSuggestions.Suggest(Notes, topTerms: 0));
    }

    [Fact]
    public void Suggest_MinGroupSize_DropsSmallerGroups()
    {
        Assert.Equal(2, ThemeSuggestions.Suggest(Notes, minGroupSize: 3).Count);
        Assert.Empty(ThemeSuggestions.Suggest(Notes, minGroupSize: 4));
    }

    [Fact]
    public void Suggest_TopTermsCount_IsRespected()
    {
        var themes = ThemeSuggestions.Suggest(Notes, topTerms: 1);
        Assert.Equal(["expensive"], themes[0].TopTerms);
        Assert.Equal(["button"], themes[1].TopTerms);
    }

    [Fact]
    public void Suggest_OrdersBySizeThenFirstPosition()
    {
        ThemeItem[] items =
        [
            new("l1", "Login code email arrived late"),
            new("l2", "Login code email arrived late again"),
            new("c1", "Checkout button hidden"),
            new("c2", "Checkout button hidden on mobile"),
            new("c3", "Checkout button hidden under banner"),
            new("s1", "Search filters reset"),
            new("s2", "Search filters reset after back"),
        ];
        var themes = ThemeSuggestions.Suggest(items);
        Assert.Equal(3, themes.Count);
        Assert.Equal(["c1", "c2", "c3"], themes[0].ItemIds); // largest first, although it starts later
        Assert.Equal(["l1", "l2"], themes[1].ItemIds); // then by first note's position
        Assert.Equal(["s1", "s2"], themes[2].ItemIds);
    }

    [Fact]
    public void Suggest_TiedPairs_BrokenByInputOrder()
    {
        // "red" and "blue" have the same document frequency, so s(red, red blue) = s(red blue, blue) = 1/√2 = 0.7071
        // exactly, while s(red, blue) = 0. The earliest pair merges first; the third note's average-linkage
        // similarity to that group is then (0 + 0.7071)/2 = 0.354, below the 0.5 threshold, so it stays alone.
        var forward = ThemeSuggestions.Suggest([new("r", "red"), new("rb", "red blue"), new("b", "blue")], threshold: 0.5);
        Assert.Equal(["r", "rb"], Assert.Single(forward).ItemIds);

        var backward = ThemeSuggestions.Suggest([new("b", "blue"), new("rb", "red blue"), new("r", "red")], threshold: 0.5);
        Assert.Equal(["b", "rb"], Assert.Single(backward).ItemIds);
    }

    [Fact]
    public void Suggest_AverageLinkage_UsesMeanOfAllPairs()
    {
        // Same three notes, threshold 0.35: after the first merge the third note's linkage is 0.354 ≥ 0.35, so all join.
        var all = ThemeSuggestions.Suggest([new("r", "red"), new("rb", "red blue"), new("b", "blue")], threshold: 0.35);
        Assert.Equal(["r", "rb", "b"], Assert.Single(all).ItemIds);
    }

    /// <summary>
    /// Average-linkage clustering straight from the definition, O(n³): every step scans all pairs for the most similar
    /// (first pair in input order on a tie), merges it if at least the threshold, and averages similarities by
    /// Lance-Williams. Returns groups of 2+ notes as input positions, largest first, then by first note.
    /// </summary>
    private static List<List<int>> NaiveGroups(IReadOnlyList<string> texts, double threshold)
    {
        var n = texts.Count;
        var sim = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                sim[i, j] = sim[j, i] = ThemeSuggestions.Similarity(texts[i], texts[j], texts);
            }
        }
        var groups = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        var active = Enumerable.Repeat(true, n).ToArray();
        while (true)
        {
            var (a, b, best) = (-1, -1, double.NegativeInfinity);
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    if (active[i] && active[j] && sim[i, j] > best)
                    {
                        (a, b, best) = (i, j, sim[i, j]);
                    }
                }
            }
            if (a < 0 || best < threshold)
            {
                break;
            }
            double sizeA = groups[a].Count, sizeB = groups[b].Count;
            for (var k = 0; k < n; k++)
            {
                if (active[k] && k != a && k != b)
                {
                    sim[a, k] = sim[k, a] = ((sizeA * sim[a, k]) + (sizeB * sim[b, k])) / (sizeA + sizeB);
                }
            }
            active[b] = false;
            groups[a].AddRange(groups[b]);
            groups[a].Sort();
        }
        return groups.Where((g, i) => active[i] && g.Count >= 2).OrderByDescending(g => g.Count).ThenBy(g => g[0]).ToList();
    }

    private static void AssertMatchesNaive(IReadOnlyList<string> texts, double threshold)
    {
        var items = texts.Select((t, i) => new ThemeItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), t)).ToList();
        var actual = ThemeSuggestions.Suggest(items, threshold)
            .Select(s => string.Join(",", s.ItemIds))
            .ToList();
        var expected = NaiveGroups(texts, threshold).Select(g => string.Join(",", g)).ToList();
        Assert.NotEmpty(expected); // a comparison worth making
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.2)]
    [InlineData(0.3)]
    [InlineData(0.4)]
    [InlineData(0.5)]
    [InlineData(0.6)]
    [InlineData(0.8)]
    public void Suggest_ManyTies_MatchesNaiveClustering(double threshold)
    {
        // Every set of 1 to 3 of five words (25 distinct notes, many equal similarities), in a scrambled order:
        // the cached-nearest-neighbour clustering must make exactly the merges of the naive definition.
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo"];
        var texts = new List<string>();
        for (var mask = 1; mask < 32; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) <= 3)
            {
                texts.Add(string.Join(' ', words.Where((_, i) => (mask & (1 << i)) != 0)));
            }
        }
        Assert.Equal(25, texts.Count);
        var scrambled = texts.Select((t, i) => (Key: (i * 7) % 25, Text: t)).OrderBy(x => x.Key).Select(x => x.Text).ToList();
        AssertMatchesNaive(scrambled, threshold);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.35)]
    [InlineData(0.5)]
    public void Suggest_DuplicateNotes_MatchNaiveClustering(double threshold)
    {
        // Identical notes start as one group inside Suggest; merging them one by one gives the same groups.
        string[] texts =
        [
            "checkout button hidden", "price expensive", "checkout button hidden", "checkout hidden banner",
            "price cost", "search slow", "price expensive", "checkout button hidden", "search filters reset",
            "price expensive", "button banner", "search slow mobile",
        ];
        AssertMatchesNaive(texts, threshold);
    }

    [Theory]
    [InlineData(0.15)]
    [InlineData(0.3)]
    [InlineData(0.45)]
    public void Suggest_PseudoRandomNotes_MatchesNaiveClustering(double threshold)
    {
        // 120 notes of 2 to 5 distinct words from 25 (a fixed linear congruential generator, no duplicates).
        var state = 2024u;
        int Next(int max) => (int)((state = (state * 1664525u) + 1013904223u) >> 16) % max;
        var texts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (texts.Count < 120)
        {
            var count = 2 + Next(4);
            var picked = new SortedSet<int>();
            while (picked.Count < count)
            {
                picked.Add(Next(25));
            }
            var text = string.Join(' ', picked.Select(w => $"word{w}"));
            if (seen.Add(text))
            {
                texts.Add(text);
            }
        }
        AssertMatchesNaive(texts, threshold);
    }

    [Fact]
    public void Similarity_TinyCorpus_MatchesHandArithmetic()
    {
        // Corpus (N = 3): "red red apple", "red pear", "green pear". Document frequencies: red 2, apple 1, pear 2, green 1.
        // idf = ln((1 + N)/(1 + df)) + 1: red = ln(4/3) + 1 = 1.287682, apple = ln(4/2) + 1 = 1.693147, pear = 1.287682.
        // a = "red red apple": tf red 2/3, apple 1/3 → raw (red 0.858455, apple 0.564382), norm √(0.736945 + 0.318527) = 1.027362
        //   → normalised red 0.835592, apple 0.549351.
        // b = "red pear": tf 1/2 each → raw (0.643841, 0.643841) → normalised 1/√2 = 0.707107 each.
        // cosine = only "red" is shared: 0.835592 × 0.707107 = 0.590852.
        string[] corpus = ["red red apple", "red pear", "green pear"];
        Assert.Equal(0.590852, ThemeSuggestions.Similarity(corpus[0], corpus[1], corpus), 6);
        Assert.Equal(0.0, ThemeSuggestions.Similarity(corpus[0], corpus[2], corpus)); // nothing shared
        Assert.Equal(ThemeSuggestions.Similarity(corpus[1], corpus[0], corpus), ThemeSuggestions.Similarity(corpus[0], corpus[1], corpus));

        var weights = ThemeSuggestions.Weigh([ThemeSuggestions.Tokenize(corpus[0])], corpus.Select(ThemeSuggestions.Tokenize).ToList());
        var a = Assert.Single(weights);
        Assert.Equal(["apple", "red"], a.Select(w => w.Term)); // ordinal term order
        Assert.Equal(0.549351, a[0].Weight, 6);
        Assert.Equal(0.835592, a[1].Weight, 6);
    }

    [Fact]
    public void Similarity_NoUsableTokens_IsZero() =>
        Assert.Equal(0.0, ThemeSuggestions.Similarity("the", "the", ["the", "the"]));

    [Fact]
    public void Tokenize_LowerCasesSplitsAndDropsStopWordsAndShortTokens() =>
        // "Don't" splits into "don" (a stop word) and "t" (too short); "the" is a stop word; digits count as letters.
        Assert.Equal(
            ["click", "checkout", "button", "2fa", "x2"],
            ThemeSuggestions.Tokenize("Don't click the Checkout-button!! 2FA x2"));

    [Fact]
    public void Tokenize_UnicodeLettersAndCombiningMarks()
    {
        // Precomposed and decomposed accents both stay inside the word; an em dash splits.
        Assert.Equal(["café", "crème", "überweisung"], ThemeSuggestions.Tokenize("Café crème—Überweisung"));
        Assert.Equal(["cafe\u0301"], ThemeSuggestions.Tokenize("CAFE\u0301!"));
        Assert.Equal(["naïve", "grösse"], ThemeSuggestions.Tokenize("naïve GRÖSSE"));
        // A one-letter word stays too short with its accent, whichever way the accent is encoded; a leading mark is a separator.
        Assert.Empty(ThemeSuggestions.Tokenize("é e\u0301 \u0301x"));
    }

    [Fact]
    public void Tokenize_NullOrEmpty_NoTokens()
    {
        Assert.Empty(ThemeSuggestions.Tokenize(null));
        Assert.Empty(ThemeSuggestions.Tokenize(""));
        Assert.Empty(ThemeSuggestions.Tokenize("a I x - ! the"));
    }

    [Fact]
    public void Suggest_TwoThousandNotes_FinishesQuicklyAndDeterministically()
    {
        // Synthetic notes from a fixed linear congruential generator (no Random), mixing 40 topics of 3 words with filler.
        string[] filler = ["page", "screen", "tapped", "looked", "said", "tried", "again", "later", "menu", "form", "field", "list"];
        var items = new List<ThemeItem>();
        var state = 12345u;
        uint Next() => state = (state * 1664525u) + 1013904223u;
        for (var i = 0; i < 2000; i++)
        {
            var topic = (int)(Next() >> 8) % 40;
            var words = new List<string> { $"topic{topic}a", $"topic{topic}b", $"topic{topic}c" };
            for (var w = 0; w < 4; w++)
            {
                words.Add(filler[(int)(Next() >> 8) % filler.Length]);
            }
            items.Add(new ThemeItem($"n{i}", string.Join(' ', words)));
        }

        var watch = Stopwatch.StartNew();
        var first = ThemeSuggestions.Suggest(items);
        watch.Stop();
        var second = ThemeSuggestions.Suggest(items);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(first.Select(s => string.Join(",", s.ItemIds)), second.Select(s => string.Join(",", s.ItemIds)));
        // Every topic's notes end up together, and only with each other.
        Assert.Equal(40, first.Count);
        foreach (var theme in first)
        {
            var topics = theme.ItemIds.Select(id => items[int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)].Text!.Split(' ')[0]).Distinct().ToList();
            Assert.Single(topics);
        }
        Assert.Equal(2000, first.Sum(t => t.ItemIds.Count));
    }
}
