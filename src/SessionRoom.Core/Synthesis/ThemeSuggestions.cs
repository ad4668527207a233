using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace SessionRoom.Core.Synthesis;

/// <summary>A note (or any short text) to group into themes.</summary>
/// <param name="Id">The caller's id of the note, returned in <see cref="ThemeSuggestion.ItemIds"/>; unique within one call.</param>
/// <param name="Text">What the note says; null counts as empty.</param>
public sealed record ThemeItem(string Id, string? Text);

/// <summary>A suggested theme: notes that read alike, and the words they share most.</summary>
/// <param name="ItemIds">The ids of the notes in the group, in input order.</param>
/// <param name="TopTerms">The words carrying the most weight in the group (highest summed TF-IDF first, ties alphabetical).</param>
public sealed record ThemeSuggestion(IReadOnlyList<string> ItemIds, IReadOnlyList<string> TopTerms);

/// <summary>
/// Suggests themes by grouping similar notes, locally and deterministically (no model, no network).
/// <list type="number">
/// <item>Tokens: the text lower-cased (invariant), split into runs of Unicode letters and digits (a combining mark
/// continues a word, so accented and Indic words stay whole); tokens of fewer than 2 letters or digits and the
/// <see cref="StopWords"/> are dropped. Scripts written without spaces (e.g. Chinese) give one token per run.</item>
/// <item>Weights (TF-IDF): tf = count of the term in the note / number of tokens kept in the note;
/// idf = ln((1 + N) / (1 + df)) + 1 with N the number of notes and df the number of notes containing the term;
/// weight = tf × idf, and each note's vector is L2-normalised (so a note's weights have a sum of squares of 1).</item>
/// <item>Similarity: cosine of two vectors (their dot product, as they are normalised), 0 to 1. Notes with the same
/// normalised vector (e.g. identical texts) are exactly 1, free of rounding.</item>
/// <item>Grouping: agglomerative clustering with average linkage (a group's similarity to another is the mean
/// similarity over all pairs of their notes), repeatedly merging the most similar pair of groups while that
/// similarity is at least the threshold. Equal similarities are broken by input order: the pair whose earlier note
/// comes first, then whose other group's earliest note comes first. Notes without any usable token never join a group.</item>
/// </list>
/// Cost: O(n²) memory (a triangular similarity matrix: 8 bytes × n(n − 1)/2, about 16 MB for 2,000 notes and 100 MB
/// at <see cref="MaxItems"/>) and, in practice, O(n²) time: similarities come from an inverted index, identical notes
/// start as one group, and each group's nearest neighbour is cached and only rechecked when it comes out on top
/// (a few hundred milliseconds for 2,000 notes).
/// </summary>
public static class ThemeSuggestions
{
    /// <summary>The most notes one call accepts; the similarity matrix grows with the square of this.</summary>
    public const int MaxItems = 5000;

    /// <summary>The default least similarity (cosine, 0-1) at which two groups merge.</summary>
    public const double DefaultThreshold = 0.3;

    /// <summary>The default least number of notes in a suggested group.</summary>
    public const int DefaultMinGroupSize = 2;

    /// <summary>The default number of top terms per group.</summary>
    public const int DefaultTopTerms = 3;

    /// <summary>
    /// English words too common to say what a note is about: articles, pronouns, auxiliary verbs, prepositions,
    /// conjunctions, and the fragments left by splitting contractions on the apostrophe ("don't" → "don", "t").
    /// Kept short on purpose: IDF already down-weights words found in most notes, and long lists drop words that matter
    /// in research notes (e.g. "help", "first", "show"). One-letter words never count anyway.
    /// </summary>
    public static readonly FrozenSet<string> StopWords = new[]
    {
        "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but",
        "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "him", "his",
        "how", "if", "in", "into", "is", "it", "its", "just", "me", "my", "no", "not", "of", "on", "or", "our", "out",
        "she", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to",
        "too", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "who", "will", "with",
        "would", "you", "your",
        "aren", "couldn", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn", "ll", "re", "ve", "wasn", "weren",
        "won", "wouldn",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Groups similar notes (see the class summary for the method). Returns the groups with at least
    /// <paramref name="minGroupSize"/> notes, largest first, then by the input position of their first note.
    /// </summary>
    /// <param name="items">The notes; at most <see cref="MaxItems"/>, with unique non-null ids.</param>
    /// <param name="threshold">The least average-linkage similarity at which groups merge, above 0 and at most 1.</param>
    /// <param name="minGroupSize">The least number of notes in a returned group (at least 2).</param>
    /// <param name="topTerms">How many top terms to give per group (at least 1).</param>
    public static IReadOnlyList<ThemeSuggestion> Suggest(
        IReadOnlyList<ThemeItem> items,
        double threshold = DefaultThreshold,
        int minGroupSize = DefaultMinGroupSize,
        int topTerms = DefaultTopTerms)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count > MaxItems)
        {
            throw new ArgumentException($"Theme suggestions take at most {MaxItems} notes; got {items.Count}.", nameof(items));
        }
        if (double.IsNaN(threshold) || threshold <= 0 || threshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The similarity threshold must be above 0 and at most 1.");
        }
        if (minGroupSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(minGroupSize), minGroupSize, "A group needs at least 2 notes.");
        }
        if (topTerms < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(topTerms), topTerms, "At least one top term is needed.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"Note {i + 1} is missing.", nameof(items));
            if (item.Id is null)
            {
                throw new ArgumentException($"Note {i + 1} has no id.", nameof(items));
            }
            if (!ids.Add(item.Id))
            {
                throw new ArgumentException($"Note id '{item.Id}' appears more than once.", nameof(items));
            }
        }

        var tokens = items.Select(item => Tokenize(item.Text)).ToList();
        var weights = Weigh(tokens, tokens);
        // Only notes with a usable token take part.
        var notes = Enumerable.Range(0, items.Count).Where(i => weights[i].Count > 0).ToList();
        var vocabulary = Vocabulary(notes.Select(i => weights[i]));

        // Notes with identical vectors (similarity exactly 1, the most there is) would be merged before anything
        // else, so they start as one group, counted by its number of notes in the averages: the same groups, in
        // fewer steps. `starting[g]` lists the input positions of group g's notes, ordered by their first note.
        var byVector = new Dictionary<TermVector, int>(TermVectorComparer.Instance);
        var vectors = new List<TermVector>();
        var starting = new List<List<int>>();
        foreach (var i in notes)
        {
            var vector = Index(weights[i], vocabulary);
            if (byVector.TryGetValue(vector, out var same))
            {
                starting[same].Add(i);
            }
            else
            {
                byVector.Add(vector, vectors.Count);
                vectors.Add(vector);
                starting.Add([i]);
            }
        }

        var suggestions = new List<(int First, ThemeSuggestion Suggestion)>();
        foreach (var slots in Cluster(vectors, starting.Select(g => g.Count).ToList(), threshold))
        {
            var members = slots.SelectMany(s => starting[s]).Order().ToList();
            if (members.Count >= minGroupSize)
            {
                suggestions.Add((members[0], new ThemeSuggestion(
                    members.Select(m => items[m].Id).ToList(),
                    TopTerms(members.Select(m => weights[m]), topTerms))));
            }
        }
        return suggestions
            .OrderByDescending(s => s.Suggestion.ItemIds.Count)
            .ThenBy(s => s.First)
            .Select(s => s.Suggestion)
            .ToList();
    }

    /// <summary>
    /// The cosine similarity (0-1) of the TF-IDF vectors of <paramref name="a"/> and <paramref name="b"/>, with
    /// IDF taken from <paramref name="corpus"/> (normally all the notes, including these two): the same weights
    /// and similarity <see cref="Suggest"/> clusters on. 0 when either text has no usable token.
    /// </summary>
    public static double Similarity(string? a, string? b, IReadOnlyList<string?> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var pair = Weigh([Tokenize(a), Tokenize(b)], corpus.Select(Tokenize).ToList());
        var vocabulary = Vocabulary(pair);
        return Cosine(Index(pair[0], vocabulary), Index(pair[1], vocabulary));
    }

    /// <summary>The tokens of a text as used for weighting, in text order (see the class summary).</summary>
    public static IReadOnlyList<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }
        var word = new StringBuilder();
        Span<char> utf16 = stackalloc char[2];
        var length = 0; // letters and digits (runes, not UTF-16 units; marks do not count)
        void Flush()
        {
            if (length >= 2)
            {
                var token = word.ToString();
                if (!StopWords.Contains(token))
                {
                    tokens.Add(token);
                }
            }
            word.Clear();
            length = 0;
        }
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var isMark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
            if (Rune.IsLetterOrDigit(rune) || (isMark && word.Length > 0))
            {
                word.Append(utf16[..Rune.ToLowerInvariant(rune).EncodeToUtf16(utf16)]);
                length += isMark ? 0 : 1;
            }
            else
            {
                Flush();
            }
        }
        Flush();
        return tokens;
    }

    /// <summary>
    /// The L2-normalised TF-IDF weights of each tokenised document, as (term, weight) pairs in ordinal term order,
    /// with document frequencies and N taken from <paramref name="corpus"/>. Empty for a document without tokens.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<(string Term, double Weight)>> Weigh(
        IReadOnlyList<IReadOnlyList<string>> documents,
        IReadOnlyList<IReadOnlyList<string>> corpus)
    {
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in corpus)
        {
            foreach (var term in doc.Distinct(StringComparer.Ordinal))
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }
        }
        double n = corpus.Count;
        var result = new List<IReadOnlyList<(string, double)>>(documents.Count);
        foreach (var doc in documents)
        {
            var raw = doc
                .GroupBy(t => t, StringComparer.Ordinal)
                .Select(g =>
                {
                    var tf = (double)g.Count() / doc.Count;
                    var idf = Math.Log((1 + n) / (1 + documentFrequency.GetValueOrDefault(g.Key))) + 1;
                    return (Term: g.Key, Weight: tf * idf);
                })
                .OrderBy(x => x.Term, StringComparer.Ordinal)
                .ToList();
            var norm = Math.Sqrt(raw.Sum(x => x.Weight * x.Weight));
            result.Add(raw.Select(x => (x.Term, x.Weight / norm)).ToList());
        }
        return result;
    }

    /// <summary>A note's weights with terms replaced by vocabulary indices, ascending.</summary>
    internal sealed record TermVector(int[] Terms, double[] Weights);

    /// <summary>
    /// Cosine of two L2-normalised vectors: their dot product, clamped to [0, 1] against rounding; exactly 1 when
    /// the vectors are identical.
    /// </summary>
    internal static double Cosine(TermVector x, TermVector y)
    {
        if (x.Terms.Length == 0 || y.Terms.Length == 0)
        {
            return 0;
        }
        if (x.Terms.AsSpan().SequenceEqual(y.Terms) && x.Weights.AsSpan().SequenceEqual(y.Weights))
        {
            return 1;
        }
        double dot = 0;
        for (int i = 0, j = 0; i < x.Terms.Length && j < y.Terms.Length;)
        {
            if (x.Terms[i] == y.Terms[j])
            {
                dot += x.Weights[i++] * y.Weights[j++];
            }
            else if (x.Terms[i] < y.Terms[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return Math.Clamp(dot, 0, 1);
    }

    /// <summary>
    /// Average-linkage agglomerative clustering of distinct vectors, where vector i stands for
    /// <paramref name="sizes"/>[i] identical notes, merging while the best pair is at least <paramref name="threshold"/>.
    /// Returns every final group (singletons included) as ascending slot lists. A merged group keeps the slot of its
    /// earliest member, so slot order is the order of each group's first note.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<int>> Cluster(IReadOnlyList<TermVector> vectors, IReadOnlyList<int> sizes, double threshold)
    {
        var n = vectors.Count;
        // The upper triangle of the similarity matrix, row by row: (a, b) with a < b at Cell(a, b).
        var sim = new double[(long)n * (n - 1) / 2];
        int Cell(int a, int b)
        {
            if (a > b)
            {
                (a, b) = (b, a);
            }
            return (int)(((long)a * ((2L * n) - a - 1) / 2) + (b - a - 1));
        }
        FillSimilarities(vectors, sim);

        var active = new bool[n];
        Array.Fill(active, true);
        var members = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToArray();
        var size = sizes.Select(x => (double)x).ToArray();
        // Each group's nearest later group (nearest[i] > i; the first on a tie) and that similarity. A value may be
        // stale (its group merged away or the pair's similarity dropped); it is then an upper bound, rechecked only if
        // it comes out on top (Müllner, 2011, "Modern hierarchical, agglomerative clustering algorithms", the generic
        // algorithm). This keeps merges near O(n) each, even when many similarities tie.
        var nearest = new int[n];
        var nearestSim = new double[n];
        void FindNearest(int a)
        {
            nearest[a] = -1;
            nearestSim[a] = double.NegativeInfinity;
            var row = a + 1 < n ? Cell(a, a + 1) - (a + 1) : 0;
            for (var b = a + 1; b < n; b++)
            {
                if (active[b] && sim[row + b] > nearestSim[a])
                {
                    nearest[a] = b;
                    nearestSim[a] = sim[row + b];
                }
            }
        }
        for (var a = 0; a < n; a++)
        {
            FindNearest(a);
        }

        while (true)
        {
            // The best pair: the highest similarity; on a tie the earliest group, then its earliest partner.
            var a = -1;
            for (var i = 0; i < n; i++)
            {
                if (active[i] && nearest[i] >= 0 && (a < 0 || nearestSim[i] > nearestSim[a]))
                {
                    a = i;
                }
            }
            if (a < 0 || nearestSim[a] < threshold)
            {
                break; // every pair is below the threshold (stale values only overstate)
            }
            var b = nearest[a];
            if (!active[b] || sim[Cell(a, b)] != nearestSim[a])
            {
                FindNearest(a); // stale: refresh and look again
                continue;
            }

            // Merge b into a (a < b). Average linkage (Lance-Williams):
            // s(a∪b, k) = (|a|·s(a, k) + |b|·s(b, k)) / (|a| + |b|), with sizes counted in notes.
            for (var k = 0; k < n; k++)
            {
                if (active[k] && k != a && k != b)
                {
                    sim[Cell(a, k)] = ((size[a] * sim[Cell(a, k)]) + (size[b] * sim[Cell(b, k)])) / (size[a] + size[b]);
                }
            }
            active[b] = false;
            size[a] += size[b];
            members[a].AddRange(members[b]);
            members[a].Sort();
            members[b].Clear();

            FindNearest(a);
            // Earlier groups see a's new similarity: take it if it beats (or ties earlier than) their nearest.
            // A nearest that was a or b and got worse stays as a stale upper bound.
            for (var k = 0; k < a; k++)
            {
                if (active[k] && (sim[Cell(k, a)] > nearestSim[k] || (sim[Cell(k, a)] == nearestSim[k] && a < nearest[k])))
                {
                    nearest[k] = a;
                    nearestSim[k] = sim[Cell(k, a)];
                }
            }
        }

        return Enumerable.Range(0, n).Where(i => active[i]).Select(i => (IReadOnlyList<int>)members[i]).ToList();
    }

    /// <summary>
    /// Fills the upper triangle with every pair's <see cref="Cosine"/> through an inverted index, so only pairs sharing
    /// a term cost anything. A pair's products are summed in the first vector's term order, as in <see cref="Cosine"/>,
    /// giving the same values; the vectors are distinct, so no pair is exactly 1 by identity.
    /// </summary>
    private static void FillSimilarities(IReadOnlyList<TermVector> vectors, double[] sim)
    {
        var n = vectors.Count;
        var postings = new Dictionary<int, List<(int Slot, double Weight)>>();
        for (var slot = 0; slot < n; slot++)
        {
            for (var t = 0; t < vectors[slot].Terms.Length; t++)
            {
                var term = vectors[slot].Terms[t];
                if (!postings.TryGetValue(term, out var list))
                {
                    postings[term] = list = [];
                }
                list.Add((slot, vectors[slot].Weights[t]));
            }
        }
        // Slots are processed in ascending order, so slot a is always next in each of its terms' postings.
        var next = new Dictionary<int, int>();
        var row = new double[n];
        var offset = 0;
        for (var a = 0; a < n; a++)
        {
            var (terms, weights) = (vectors[a].Terms, vectors[a].Weights);
            for (var t = 0; t < terms.Length; t++)
            {
                var list = postings[terms[t]];
                var start = next.GetValueOrDefault(terms[t]) + 1;
                next[terms[t]] = start;
                for (var p = start; p < list.Count; p++)
                {
                    row[list[p].Slot] += weights[t] * list[p].Weight;
                }
            }
            for (var b = a + 1; b < n; b++)
            {
                sim[offset++] = Math.Clamp(row[b], 0, 1);
                row[b] = 0;
            }
        }
    }

    /// <summary>Equality of vectors by their terms and exact weights, for finding notes that read the same.</summary>
    private sealed class TermVectorComparer : IEqualityComparer<TermVector>
    {
        public static readonly TermVectorComparer Instance = new();

        public bool Equals(TermVector? x, TermVector? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null
                && x.Terms.AsSpan().SequenceEqual(y.Terms) && x.Weights.AsSpan().SequenceEqual(y.Weights));

        public int GetHashCode(TermVector obj)
        {
            var hash = new HashCode();
            for (var i = 0; i < obj.Terms.Length; i++)
            {
                hash.Add(obj.Terms[i]);
                hash.Add(obj.Weights[i]);
            }
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// The <paramref name="count"/> terms with the highest summed weight over the notes, ties alphabetical (ordinal).
    /// Sums are taken in note order, then term order, so they do not depend on hash ordering.
    /// </summary>
    private static IReadOnlyList<string> TopTerms(IEnumerable<IReadOnlyList<(string Term, double Weight)>> notes, int count)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var note in notes)
        {
            foreach (var (term, weight) in note)
            {
                sums[term] = sums.GetValueOrDefault(term) + weight;
            }
        }
        return sums
            .OrderByDescending(s => s.Value)
            .ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(s => s.Key)
            .ToList();
    }

    /// <summary>Every term of the weighted notes, in ordinal order, mapped to its index.</summary>
    private static Dictionary<string, int> Vocabulary(IEnumerable<IReadOnlyList<(string Term, double Weight)>> notes)
    {
        var terms = notes.SelectMany(w => w.Select(x => x.Term)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            vocabulary.Add(term, vocabulary.Count);
        }
        return vocabulary;
    }

    /// <summary>A note's weights against the vocabulary; ascending indices, as both are in ordinal term order.</summary>
    private static TermVector Index(IReadOnlyList<(string Term, double Weight)> weights, Dictionary<string, int> vocabulary) =>
        new(weights.Select(w => vocabulary[w.Term]).ToArray(), weights.Select(w => w.Weight).ToArray());
}
