using System.Text;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;

namespace SessionRoom.Data.Synthesis;

/// <summary>
/// The review's reads of the event log, for the facilitator (every audience): a session's timeline,
/// filtered and paged by seq, and full-text search over notes, answers and messages across a study
/// (SQLite: FTS5, table <c>event_text</c>, filled by the event writer; PostgreSQL: the generated
/// tsvector column <c>events.text_search</c> with a GIN index).
/// </summary>
public sealed class TimelineStore(Db db)
{
    /// <summary>
    /// Up to <paramref name="limit"/> events of the session with seq above <paramref name="afterSeq"/> that pass
    /// <paramref name="filter"/> (checked by <see cref="TimelineRules.Check"/>), ascending. Keyset paging: the
    /// cost of a page does not grow with how far into the session it is.
    /// </summary>
    public TimelinePage Page(Guid sessionId, TimelineFilter filter, long afterSeq, int limit) => db.Read((c, tx) =>
    {
        var where = new StringBuilder("WHERE e.session_id = @sessionId AND e.seq > @afterSeq");
        if (filter.Types is { Count: > 0 })
        {
            where.Append(" AND " + db.In("e.type", "types"));
        }
        if (filter.Tag is not null)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM event_tags t WHERE t.session_id = e.session_id AND t.seq = e.seq AND lower(t.tag) = lower(@tag))");
        }
        if (filter.PromptId is not null)
        {
            where.Append(" AND e.prompt_id = @promptId");
        }
        if (filter.ParticipantId is not null)
        {
            where.Append(" AND e.participant_id = @participantId");
        }
        if (filter.ActorId is not null)
        {
            where.Append(" AND e.actor_id = @actorId");
        }
        if (filter.Text is not null)
        {
            // SQLite: the FTS5 table event_text. PostgreSQL: the events' own tsvector column (GIN index).
            where.Append(db.IsPostgres
                ? " AND e.text_search @@ to_tsquery('simple', @match)"
                : " AND e.seq IN (SELECT seq FROM event_text WHERE event_text MATCH @match AND session_id = @sessionId)");
        }
        var rows = c.Query<EventRow>(
            EventRow.Select + where + " ORDER BY e.seq LIMIT @take",
            new
            {
                sessionId,
                afterSeq,
                types = filter.Types,
                tag = filter.Tag,
                promptId = filter.PromptId,
                participantId = filter.ParticipantId,
                actorId = filter.ActorId,
                match = db.IsPostgres ? SearchQuery.ToTsQuery(filter.Text) : SearchQuery.ToFts(filter.Text),
                take = limit + 1,
            }, tx).ToList();
        var page = rows.Take(limit).ToList();
        var tags = page.Count == 0 ? null : c.Query<(long Seq, string Tag)>(
            $"SELECT seq, tag FROM event_tags WHERE session_id = @sessionId AND seq BETWEEN @first AND @last ORDER BY seq, {db.Bytewise("tag")}",
            new { sessionId, first = page[0].Seq, last = page[^1].Seq }, tx).ToLookup(t => t.Seq, t => t.Tag);
        var events = page.Select(r => r.ToEvent(sessionId, tags![r.Seq].ToList())).ToList();
        return new TimelinePage(events, rows.Count > limit ? page[^1].Seq : null);
    });

    /// <summary>
    /// Events of the study whose text matches <paramref name="text"/> (see <see cref="SearchQuery"/>), best
    /// match first (FTS5 rank), at most <paramref name="limit"/>, each with a snippet around the matched words.
    /// FTS5 picks the best <paramref name="limit"/> by rank alone, so snippets and joins are made for those only
    /// (a common word in a 100,000-event study matched thousands); equal ranks are then ordered by session and seq.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(Guid studyId, string text, int limit) => db.Read((c, tx) =>
    {
        var match = db.IsPostgres ? SearchQuery.ToTsQuery(text) : SearchQuery.ToFts(text);
        if (match is null)
        {
            return (IReadOnlyList<SearchHit>)[];
        }
        // The best matches first, then their snippets. SQLite: FTS5's rank (lower is better) and snippet().
        // PostgreSQL: ts_rank over the GIN-indexed tsvector (higher is better, so negated) and ts_headline.
        var best = db.IsPostgres
            ? """
              WITH best AS (
                  SELECT f.session_id, f.seq, f.rank,
                         ts_headline('simple', f.text, to_tsquery('simple', @match),
                                     'StartSel=' || @start || ', StopSel=' || @end || ', MaxWords=16, MinWords=8, ShortWord=0, MaxFragments=1, FragmentDelimiter=…') AS snippet
                  FROM (SELECT e.session_id, e.seq, e.text, -ts_rank(e.text_search, to_tsquery('simple', @match)) AS rank
                        FROM events e
                        WHERE e.text_search @@ to_tsquery('simple', @match) AND e.session_id IN (SELECT id FROM sessions WHERE study_id = @studyId)
                        ORDER BY rank
                        LIMIT @limit) f
              )
              """
            : """
              WITH best AS (
                SELECT f.session_id, f.seq, f.rank, snippet(event_text, 0, @start, @end, '…', 16) AS snippet
                FROM event_text f
                WHERE event_text MATCH @match AND f.session_id IN (SELECT id FROM sessions WHERE study_id = @studyId)
                ORDER BY f.rank
                LIMIT @limit
            )
            """;
        return c.Query<HitRow>(
            best + """
            SELECT b.session_id AS SessionId, s.title AS SessionTitle, e.seq AS Seq, e.type AS Type, e.at_ms AS AtMs,
                   m.code AS ActorCode, p.position AS PromptPosition, b.snippet AS Snippet
            FROM best b
            JOIN sessions s ON s.id = b.session_id
            JOIN events e ON e.session_id = b.session_id AND e.seq = b.seq
            LEFT JOIN members m ON m.id = e.actor_id
            LEFT JOIN prompts p ON p.id = e.prompt_id
            ORDER BY b.rank, s.created_utc, e.seq
            """,
            new { match, studyId, limit, start = SearchQuery.MarkStart.ToString(), end = SearchQuery.MarkEnd.ToString() }, tx)
            .Select(r => new SearchHit(r.SessionId, r.SessionTitle, r.Seq, r.Type, r.AtMs, r.ActorCode, r.PromptPosition is { } p ? (int)p : null, r.Snippet))
            .ToList();
    });

    private sealed class HitRow
    {
        public Guid SessionId { get; set; }
        public string SessionTitle { get; set; } = "";
        public long Seq { get; set; }
        public string Type { get; set; } = "";
        public long AtMs { get; set; }
        public string? ActorCode { get; set; }
        public long? PromptPosition { get; set; }
        public string Snippet { get; set; } = "";
    }
}
