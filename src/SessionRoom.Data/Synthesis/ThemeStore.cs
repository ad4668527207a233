using System.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.Data.Synthesis;

/// <summary>
/// The affinity board of a study (tables <c>themes</c> and <c>theme_cards</c>, migration 0006): themes spanning all the
/// study's sessions, each holding notes and answers ("cards", named by session and seq) in order, and the unsorted pool
/// of every other note and answer with text. Every change is one transaction and checks names and positions with
/// <see cref="ThemeRules"/>. A card is in at most one theme, and goes when its event is deleted (a consent withdrawal).
/// Positions are 1-based and kept contiguous by every change (deleted events may leave gaps until the next one).
/// </summary>
public sealed class ThemeStore(Db db, TimeProvider clock)
{
    /// <summary>The columns of a card, from <c>events e</c> with its session, author, participant and prompt; callers add joins, WHERE and ORDER BY.</summary>
    private const string CardColumns =
        """
        e.session_id AS SessionId, s.title AS SessionTitle, e.seq AS Seq, e.type AS Type, e.text AS Text,
               a.code AS ActorCode, pm.code AS ParticipantCode, p.position AS PromptPosition, p.text AS PromptText, e.at_ms AS AtMs
        FROM events e
        JOIN sessions s ON s.id = e.session_id
        LEFT JOIN members a ON a.id = e.actor_id
        LEFT JOIN members pm ON pm.id = e.participant_id
        LEFT JOIN prompts p ON p.id = e.prompt_id

        """;

    /// <summary>Events of the study that can be cards; callers add the study and any other condition.</summary>
    private const string CardFilter = "e.type IN ('note', 'answer') AND e.text IS NOT NULL AND TRIM(e.text) <> ''";

    private const string Unsorted = "NOT EXISTS (SELECT 1 FROM theme_cards tc WHERE tc.session_id = e.session_id AND tc.seq = e.seq)";

    /// <summary>The study's board, with at most <paramref name="poolLimit"/> unsorted cards; null when there is no such study.</summary>
    public ThemeBoard? Board(Guid studyId, int poolLimit = ThemeRules.PoolLimit) => db.Read((c, tx) =>
    {
        if (!StudyExists(c, tx, studyId))
        {
            return null;
        }
        var themes = ReadThemes(c, tx, studyId, themeId: null);
        var pool = ReadPool(c, tx, studyId, poolLimit);
        var total = c.ExecuteScalar<long>(
            $"SELECT COUNT(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE s.study_id = @studyId AND {CardFilter} AND {Unsorted}",
            new { studyId }, tx);
        return new ThemeBoard(studyId, themes, pool, (int)total);
    });

    /// <summary>The unsorted cards, in board order, at most <paramref name="limit"/> (for theme suggestions).</summary>
    public IReadOnlyList<BoardCard> Pool(Guid studyId, int limit = ThemeRules.SuggestionLimit) => db.Read((c, tx) =>
    {
        RequireStudy(c, tx, studyId);
        return ReadPool(c, tx, studyId, limit);
    });

    /// <summary>One theme of the study with its cards.</summary>
    public BoardTheme Theme(Guid studyId, Guid themeId) => db.Read((c, tx) =>
    {
        RequireStudy(c, tx, studyId);
        return ReadThemes(c, tx, studyId, themeId).SingleOrDefault() ?? throw NoTheme();
    });

    /// <summary>
    /// A new theme at the end of the board, named <paramref name="name"/> (checked by <see cref="ThemeRules.Name"/>, unique in the
    /// study). <paramref name="cards"/> (e.g. a suggestion's) go into it in that order, each checked like <see cref="MoveCard"/>;
    /// a card already in a theme by now stays there (someone else sorted it first), so the new theme may hold fewer.
    /// </summary>
    public BoardTheme CreateTheme(Guid studyId, string? name, IReadOnlyList<CardKey>? cards = null) => db.InTransaction((c, tx) =>
    {
        var valid = ThemeRules.Name(name);
        RequireStudy(c, tx, studyId);
        ThemeRules.RequireUniqueName(valid, ThemeNames(c, tx, studyId));
        var now = db.Now(clock);
        var id = Guid.NewGuid();
        var position = c.ExecuteScalar<long>("SELECT COALESCE(MAX(position), 0) + 1 FROM themes WHERE study_id = @studyId", new { studyId }, tx);
        c.Execute(
            "INSERT INTO themes (id, study_id, name, position, created_utc, updated_utc) VALUES (@id, @studyId, @valid, @position, @now, @now)",
            new { id, studyId, valid, position, now }, tx);
        var order = new List<CardKey>();
        foreach (var card in (cards ?? []).Distinct())
        {
            RequireCard(c, tx, studyId, card);
            if (ThemeOf(c, tx, card) is null)
            {
                order.Add(card);
            }
        }
        WriteCards(c, tx, id, order);
        return ReadThemes(c, tx, studyId, id).Single();
    });

    /// <summary>Renames a theme (checked and unique in the study, ignoring case; its own name in another case is fine).</summary>
    public BoardTheme Rename(Guid studyId, Guid themeId, string? name) => db.InTransaction((c, tx) =>
    {
        var valid = ThemeRules.Name(name);
        RequireTheme(c, tx, studyId, themeId);
        ThemeRules.RequireUniqueName(valid, ThemeNames(c, tx, studyId), themeId);
        c.Execute("UPDATE themes SET name = @valid, updated_utc = @now WHERE id = @themeId", new { valid, themeId, now = db.Now(clock) }, tx);
        return ReadThemes(c, tx, studyId, themeId).Single();
    });

    /// <summary>Moves every card of <paramref name="fromId"/> to the end of <paramref name="intoId"/>, in their order, and deletes <paramref name="fromId"/>.</summary>
    public BoardTheme Merge(Guid studyId, Guid fromId, Guid intoId) => db.InTransaction((c, tx) =>
    {
        RequireTheme(c, tx, studyId, fromId);
        if (fromId == intoId)
        {
            throw InputException.For("into", "A theme cannot be merged into itself; choose another theme.");
        }
        RequireTheme(c, tx, studyId, intoId, field: "into");
        var order = CardOrder(c, tx, intoId).Concat(CardOrder(c, tx, fromId)).ToList();
        c.Execute("DELETE FROM theme_cards WHERE theme_id = @fromId", new { fromId }, tx);
        WriteCards(c, tx, intoId, order);
        DeleteTheme(c, tx, studyId, fromId);
        Touch(c, tx, intoId);
        return ReadThemes(c, tx, studyId, intoId).Single();
    });

    /// <summary>Deletes a theme; its cards return to the unsorted pool (nothing else is deleted).</summary>
    public void Delete(Guid studyId, Guid themeId) => db.InTransaction((c, tx) =>
    {
        RequireTheme(c, tx, studyId, themeId);
        DeleteTheme(c, tx, studyId, themeId);
    });

    /// <summary>
    /// Puts a card into <paramref name="themeId"/> at the 1-based <paramref name="position"/> (null: at the end), taking it out
    /// of any other theme (or moving it within this one); with <paramref name="themeId"/> null, returns it to the pool.
    /// Only a note or answer with text of one of the study's sessions can be a card.
    /// Returns the theme it is now in (null: the pool).
    /// </summary>
    public BoardTheme? MoveCard(Guid studyId, CardKey card, Guid? themeId, int? position = null) => db.InTransaction((c, tx) =>
    {
        if (themeId is { } target)
        {
            RequireTheme(c, tx, studyId, target);
        }
        else
        {
            RequireStudy(c, tx, studyId);
        }
        RequireCard(c, tx, studyId, card);
        var from = ThemeOf(c, tx, card);
        if (themeId is not { } into)
        {
            if (from is { } old)
            {
                WriteCards(c, tx, old, CardOrder(c, tx, old).Where(k => k != card).ToList());
                Touch(c, tx, old);
            }
            return null;
        }
        if (from is { } previous && previous != into)
        {
            WriteCards(c, tx, previous, CardOrder(c, tx, previous).Where(k => k != card).ToList());
            Touch(c, tx, previous);
        }
        var order = CardOrder(c, tx, into).Where(k => k != card).ToList();
        var at = ThemeRules.Position(position, order.Count + 1);
        order.Insert(at - 1, card);
        WriteCards(c, tx, into, order);
        Touch(c, tx, into);
        return ReadThemes(c, tx, studyId, into).Single();
    });

    /// <summary>Moves a theme to a 1-based position on the board, shifting the others. Returns the themes' ids in their new order.</summary>
    public IReadOnlyList<Guid> MoveTheme(Guid studyId, Guid themeId, int? position) => db.InTransaction((c, tx) =>
    {
        RequireTheme(c, tx, studyId, themeId);
        var order = c.Query<Guid>("SELECT id FROM themes WHERE study_id = @studyId ORDER BY position, created_utc, id", new { studyId }, tx)
            .Where(id => id != themeId).ToList();
        var at = ThemeRules.Position(position ?? throw InputException.For("position", "Send the theme's new 1-based position."), order.Count + 1);
        order.Insert(at - 1, themeId);
        WritePositions(c, tx, order);
        return (IReadOnlyList<Guid>)order;
    });

    private static bool StudyExists(IDbConnection c, IDbTransaction tx, Guid studyId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM studies WHERE id = @studyId", new { studyId }, tx) > 0;

    private static void RequireStudy(IDbConnection c, IDbTransaction tx, Guid studyId)
    {
        if (!StudyExists(c, tx, studyId))
        {
            throw new NotFoundException("There is no study with that id.");
        }
    }

    private static NotFoundException NoTheme(string? field = null) =>
        new(field == "into" ? "There is no theme with that id (into) in this study." : "There is no theme with that id in this study.");

    private static void RequireTheme(IDbConnection c, IDbTransaction tx, Guid studyId, Guid themeId, string? field = null)
    {
        RequireStudy(c, tx, studyId);
        if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM themes WHERE id = @themeId AND study_id = @studyId", new { themeId, studyId }, tx) == 0)
        {
            throw NoTheme(field);
        }
    }

    /// <summary>The card must be an event of one of the study's sessions (else 404, as another study's notes are not there to see), and a note or answer with text.</summary>
    private static void RequireCard(IDbConnection c, IDbTransaction tx, Guid studyId, CardKey card)
    {
        var found = c.QuerySingleOrDefault<KindRow>(
            """
            SELECT e.type AS Type, e.text AS Text FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.session_id = @SessionId AND e.seq = @Seq AND s.study_id = @studyId
            """, new { card.SessionId, card.Seq, studyId }, tx);
        if (found is null)
        {
            throw new NotFoundException($"There is no event {card.Seq} of that session in this study.");
        }
        if (!ThemeRules.CanBeCard(found.Type, found.Text))
        {
            var what = found.Type == EventTypes.Answer ? "an answer without text (a choice or a rating)" : $"a {found.Type} event";
            throw InputException.For("seq", $"Only notes and answers with text can go on the board; event {card.Seq} of that session is {what}.");
        }
    }

    private static Guid? ThemeOf(IDbConnection c, IDbTransaction tx, CardKey card) =>
        c.ExecuteScalar<Guid?>("SELECT theme_id FROM theme_cards WHERE session_id = @SessionId AND seq = @Seq", new { card.SessionId, card.Seq }, tx);

    private static List<(Guid Id, string Name)> ThemeNames(IDbConnection c, IDbTransaction tx, Guid studyId) =>
        c.Query<ThemeRow>("SELECT id AS Id, name AS Name FROM themes WHERE study_id = @studyId", new { studyId }, tx).Select(t => (t.Id, t.Name)).ToList();

    private static List<CardKey> CardOrder(IDbConnection c, IDbTransaction tx, Guid themeId) =>
        c.Query<TagRow>(
            "SELECT session_id AS SessionId, seq AS Seq FROM theme_cards WHERE theme_id = @themeId ORDER BY position, session_id, seq", new { themeId }, tx)
        .Select(r => new CardKey(r.SessionId, r.Seq))
        .ToList();

    /// <summary>Makes the theme hold exactly <paramref name="order"/>, positions 1..n (each card leaves any other theme).</summary>
    private static void WriteCards(IDbConnection c, IDbTransaction tx, Guid themeId, IReadOnlyList<CardKey> order)
    {
        c.Execute("DELETE FROM theme_cards WHERE theme_id = @themeId", new { themeId }, tx);
        c.Execute(
            """
            INSERT INTO theme_cards (theme_id, session_id, seq, position) VALUES (@themeId, @SessionId, @Seq, @position)
            ON CONFLICT (session_id, seq) DO UPDATE SET theme_id = excluded.theme_id, position = excluded.position
            """,
            order.Select((k, i) => new { themeId, k.SessionId, k.Seq, position = i + 1 }), tx);
    }

    private static void WritePositions(IDbConnection c, IDbTransaction tx, IReadOnlyList<Guid> order) =>
        c.Execute("UPDATE themes SET position = @position WHERE id = @id", order.Select((id, i) => new { id, position = i + 1 }), tx);

    private static void DeleteTheme(IDbConnection c, IDbTransaction tx, Guid studyId, Guid themeId)
    {
        c.Execute("DELETE FROM themes WHERE id = @themeId", new { themeId }, tx);
        WritePositions(c, tx, c.Query<Guid>("SELECT id FROM themes WHERE study_id = @studyId ORDER BY position, created_utc, id", new { studyId }, tx).ToList());
    }

    private void Touch(IDbConnection c, IDbTransaction tx, Guid themeId) =>
        c.Execute("UPDATE themes SET updated_utc = @now WHERE id = @themeId", new { themeId, now = db.Now(clock) }, tx);

    /// <summary>The study's themes (or one of them) in board order, each with its cards in order.</summary>
    private List<BoardTheme> ReadThemes(IDbConnection c, IDbTransaction tx, Guid studyId, Guid? themeId)
    {
        var only = themeId is null ? "" : " AND id = @themeId";
        var themes = c.Query<ThemeRow>(
            $"SELECT id AS Id, name AS Name, position AS Position, created_utc AS CreatedUtc, updated_utc AS UpdatedUtc FROM themes WHERE study_id = @studyId{only} ORDER BY position, created_utc, id",
            new { studyId, themeId }, tx).ToList();
        if (themes.Count == 0)
        {
            return [];
        }
        var onlyCards = themeId is null ? "" : " AND tc.theme_id = @themeId";
        var cards = c.Query<CardRow>(
            "SELECT tc.theme_id AS ThemeId, " + CardColumns
            + $" JOIN theme_cards tc ON tc.session_id = e.session_id AND tc.seq = e.seq JOIN themes t ON t.id = tc.theme_id WHERE t.study_id = @studyId{onlyCards} ORDER BY tc.position, e.session_id, e.seq",
            new { studyId, themeId }, tx).ToList();
        var tags = Tags(c, tx, studyId, themeId is null ? "carded" : "theme", themeId);
        var byTheme = cards.ToLookup(r => r.ThemeId);
        return themes.Select(t => new BoardTheme(t.Id, t.Name, (int)t.Position, t.CreatedUtc, t.UpdatedUtc,
            byTheme[t.Id].Select(r => r.ToCard(tags)).ToList())).ToList();
    }

    private List<BoardCard> ReadPool(IDbConnection c, IDbTransaction tx, Guid studyId, int limit)
    {
        var rows = c.Query<CardRow>(
            "SELECT " + CardColumns + $" WHERE s.study_id = @studyId AND {CardFilter} AND {Unsorted} ORDER BY s.created_utc DESC, s.id, e.seq LIMIT @limit",
            new { studyId, limit }, tx).ToList();
        if (rows.Count == 0)
        {
            return [];
        }
        var tags = Tags(c, tx, studyId, "pool", null);
        return rows.Select(r => r.ToCard(tags)).ToList();
    }

    /// <summary>Tags of the study's card events: those in themes ("carded"), in one theme ("theme"), or unsorted ("pool").</summary>
    private ILookup<CardKey, string> Tags(IDbConnection c, IDbTransaction tx, Guid studyId, string which, Guid? themeId)
    {
        var where = which switch
        {
            "theme" => "EXISTS (SELECT 1 FROM theme_cards tc WHERE tc.session_id = e.session_id AND tc.seq = e.seq AND tc.theme_id = @themeId)",
            "carded" => "NOT " + Unsorted,
            _ => Unsorted,
        };
        return c.Query<TagRow>(
            $"""
            SELECT t.session_id AS SessionId, t.seq AS Seq, t.tag AS Tag FROM event_tags t
            JOIN events e ON e.session_id = t.session_id AND e.seq = t.seq
            JOIN sessions s ON s.id = e.session_id
            WHERE s.study_id = @studyId AND {CardFilter} AND {where}
            ORDER BY t.session_id, t.seq, {db.Bytewise("t.tag")}
            """, new { studyId, themeId }, tx)
            .ToLookup(t => new CardKey(t.SessionId, t.Seq), t => t.Tag);
    }

    private sealed class ThemeRow
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public long Position { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
        public DateTimeOffset UpdatedUtc { get; set; }
    }

    private sealed class KindRow
    {
        public string Type { get; set; } = "";
        public string? Text { get; set; }
    }

    /// <summary>A card's key, with one of its tags when read from <c>event_tags</c>.</summary>
    private sealed class TagRow
    {
        public Guid SessionId { get; set; }
        public long Seq { get; set; }
        public string Tag { get; set; } = "";
    }

    private sealed class CardRow
    {
        public Guid ThemeId { get; set; }
        public Guid SessionId { get; set; }
        public string SessionTitle { get; set; } = "";
        public long Seq { get; set; }
        public string Type { get; set; } = "";
        public string Text { get; set; } = "";
        public string? ActorCode { get; set; }
        public string? ParticipantCode { get; set; }
        public long? PromptPosition { get; set; }
        public string? PromptText { get; set; }
        public long AtMs { get; set; }

        public BoardCard ToCard(ILookup<CardKey, string> tags) =>
            new(SessionId, SessionTitle, Seq, Type, Text, ActorCode, ParticipantCode, PromptPosition is { } p ? (int)p : null, PromptText, AtMs,
                tags[new CardKey(SessionId, Seq)].ToList());
    }
}
