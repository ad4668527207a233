using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.Data.Synthesis;

/// <summary>A starred note or answer with where it stands: its session, prompt and the participant it is by or about (by code).</summary>
/// <param name="Prompt">The prompt on screen when it was written (notes) or answered (answers); null before the first prompt.</param>
/// <param name="ParticipantCode">The code of the event's participant (who answered, whom a note names); never a name.</param>
public sealed record Highlight(Guid SessionId, string SessionTitle, SessionEvent Event, Prompt? Prompt, string? ParticipantCode, DateTimeOffset StarredUtc);

/// <summary>
/// Highlights: the facilitator stars notes and answers while reviewing a timeline, and a study's highlights read
/// as one list. A star is a row of <c>highlights</c>, which goes with its event (consent withdrawal, a deleted session).
/// Starring and unstarring are idempotent.
/// </summary>
public sealed class HighlightStore(Db db, TimeProvider clock)
{
    /// <summary>The event types that can be starred.</summary>
    public static readonly IReadOnlyList<string> StarrableTypes = [EventTypes.Note, EventTypes.Answer];

    public static bool IsStarrable(string type) => StarrableTypes.Contains(type);

    /// <summary>Stars the event; true when it was not starred before. 404 for an unknown session or seq, 400 for an event that is not a note or answer.</summary>
    public bool Star(Guid sessionId, long seq) => db.InTransaction((c, tx) =>
    {
        RequireStarrable(c, tx, sessionId, seq);
        return c.Execute(
            "INSERT INTO highlights (session_id, seq, created_utc) VALUES (@sessionId, @seq, @now) ON CONFLICT (session_id, seq) DO NOTHING",
            new { sessionId, seq, now = db.Now(clock) }, tx) == 1;
    });

    /// <summary>Takes the star away; true when there was one. The same checks as <see cref="Star"/>.</summary>
    public bool Unstar(Guid sessionId, long seq) => db.InTransaction((c, tx) =>
    {
        RequireStarrable(c, tx, sessionId, seq);
        return c.Execute("DELETE FROM highlights WHERE session_id = @sessionId AND seq = @seq", new { sessionId, seq }, tx) == 1;
    });

    /// <summary>Which of <paramref name="seqs"/> (for example one page of a timeline) are starred.</summary>
    public IReadOnlySet<long> Starred(Guid sessionId, IReadOnlyCollection<long> seqs)
    {
        if (seqs.Count == 0)
        {
            return new HashSet<long>();
        }
        var (first, last) = (seqs.Min(), seqs.Max());
        var starred = db.Read((c, tx) => c.Query<long>(
            "SELECT seq FROM highlights WHERE session_id = @sessionId AND seq BETWEEN @first AND @last",
            new { sessionId, first, last }, tx).ToHashSet());
        starred.IntersectWith(seqs);
        return starred;
    }

    /// <summary>Every highlight of the study: sessions oldest first, then in seq order within a session.</summary>
    public IReadOnlyList<Highlight> ListForStudy(Guid studyId) => db.Read((c, tx) =>
    {
        var marks = c.Query<MarkRow>(
            """
            SELECT h.session_id AS SessionId, h.seq AS Seq, h.created_utc AS StarredUtc, s.title AS SessionTitle, pm.code AS ParticipantCode
            FROM highlights h
            JOIN sessions s ON s.id = h.session_id
            JOIN events e ON e.session_id = h.session_id AND e.seq = h.seq
            LEFT JOIN members pm ON pm.id = e.participant_id
            WHERE s.study_id = @studyId
            ORDER BY s.created_utc, s.id, h.seq
            """, new { studyId }, tx).ToList();
        if (marks.Count == 0)
        {
            return (IReadOnlyList<Highlight>)[];
        }
        var events = new Dictionary<(Guid, long), SessionEvent>();
        foreach (var sessionId in marks.Select(m => m.SessionId).Distinct())
        {
            var rows = c.Query<EventRow>(
                EventRow.Select + "JOIN highlights h ON h.session_id = e.session_id AND h.seq = e.seq WHERE e.session_id = @sessionId ORDER BY e.seq",
                new { sessionId }, tx).ToList();
            var tags = c.Query<(long Seq, string Tag)>(
                $"SELECT t.seq, t.tag FROM event_tags t JOIN highlights h ON h.session_id = t.session_id AND h.seq = t.seq WHERE t.session_id = @sessionId ORDER BY t.seq, {db.Bytewise("t.tag")}",
                new { sessionId }, tx).ToLookup(t => t.Seq, t => t.Tag);
            foreach (var row in rows)
            {
                events[(sessionId, row.Seq)] = row.ToEvent(sessionId, tags[row.Seq].ToList());
            }
        }
        // As Db.Ids: Dapper expands a list without the GUID type handler.
        var promptIds = events.Values.Select(e => e.PromptId).OfType<Guid>().Distinct().ToList();
        var prompts = promptIds.Count == 0 ? [] : c.Query<PromptRow>(PromptRow.Select + " WHERE " + db.In("id", "promptIds"), new { promptIds = db.Ids(promptIds) }, tx)
            .Select(p => p.ToPrompt()).ToDictionary(p => p.Id);
        return marks.Select(m =>
        {
            var e = events[(m.SessionId, m.Seq)];
            return new Highlight(m.SessionId, m.SessionTitle, e, e.PromptId is { } p ? prompts.GetValueOrDefault(p) : null, m.ParticipantCode, m.StarredUtc);
        }).ToList();
    });

    private static void RequireStarrable(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Guid sessionId, long seq)
    {
        var type = c.ExecuteScalar<string?>("SELECT type FROM events WHERE session_id = @sessionId AND seq = @seq", new { sessionId, seq }, tx);
        if (type is null)
        {
            var session = c.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions WHERE id = @sessionId", new { sessionId }, tx);
            throw new NotFoundException(session == 0 ? "There is no session with that id." : $"This session has no event {seq}.");
        }
        if (!IsStarrable(type))
        {
            throw InputException.For("seq", $"Only notes and answers can be starred; event {seq} is a {type}.");
        }
    }

    private sealed class MarkRow
    {
        public Guid SessionId { get; set; }
        public long Seq { get; set; }
        public DateTimeOffset StarredUtc { get; set; }
        public string SessionTitle { get; set; } = "";
        public string? ParticipantCode { get; set; }
    }
}
