using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.Data.Synthesis;

/// <summary>What a tag matrix counts tags against: the prompt or the participant of each tagged event.</summary>
public static class MatrixBy
{
    public const string Prompt = "prompt";
    public const string Participant = "participant";

    public static readonly IReadOnlyList<string> All = [Prompt, Participant];

    /// <summary>The <c>by</c> of a request, checked: "prompt" or "participant" (any case); anything else is a 400.</summary>
    public static string Parse(string? by)
    {
        var value = by?.Trim().ToLowerInvariant();
        return value is Prompt or Participant ? value : throw InputException.For("by", "by is prompt or participant.");
    }
}

/// <summary>
/// One row of a tag matrix: a prompt (or prompts of the same wording) or a participant, with a count per tag.
/// </summary>
/// <param name="Key">The row's id: the prompt's id (for a pooled row, its first prompt's), the participant's member id, or "none".</param>
/// <param name="Label">"2. What do you use today?", the wording of a pooled prompt, a participant's code (never a name), "(no prompt)" or "(none)".</param>
/// <param name="Sessions">The titles of the sessions the row draws on.</param>
/// <param name="SessionId">With <paramref name="PromptId"/> or <paramref name="ParticipantId"/>: where the row's events are in one session's timeline; null when they are not (pooled rows over several sessions, "(none)" rows).</param>
/// <param name="Counts">Per tag, in the order of <see cref="TagMatrix.Tags"/>: how many of the row's events carry it.</param>
/// <param name="Total">The row's counts added up (an event with two tags counts twice).</param>
public sealed record MatrixRow(
    string Key, string Label, IReadOnlyList<string> Sessions, Guid? SessionId, Guid? PromptId, Guid? ParticipantId, IReadOnlyList<int> Counts, int Total);

/// <summary>
/// Tagged events counted per tag and per prompt or participant, for one session or a whole study.
/// </summary>
/// <param name="Tags">The columns: the sessions' tags in guide order, then any other tag used, each once (case-insensitively).</param>
/// <param name="TagTotals">Per tag: how many events of the session or study carry it.</param>
/// <param name="Total">The tag totals added up.</param>
public sealed record TagMatrix(
    Guid StudyId, Guid? SessionId, string By, IReadOnlyList<string> Tags, IReadOnlyList<MatrixRow> Rows, IReadOnlyList<int> TagTotals, int Total)
{
    /// <summary>The highest count of any cell (the heat maps' full intensity), 0 when nothing is tagged.</summary>
    public int Max => Rows.SelectMany(r => r.Counts).DefaultIfEmpty(0).Max();
}

/// <summary>Both matrices of one scope, from one read.</summary>
public sealed record TagMatrices(TagMatrix ByPrompt, TagMatrix ByParticipant)
{
    public TagMatrix For(string by) => by == MatrixBy.Prompt ? ByPrompt : ByParticipant;
}

/// <summary>An event behind a matrix cell, with its session, prompt and participant code.</summary>
public sealed record MatrixItem(Guid SessionId, string SessionTitle, SessionEvent Event, Prompt? Prompt, string? ParticipantCode);

/// <summary>
/// The tag matrices of the review: how many tagged events (notes, reactions, and any other event with rows in
/// <c>event_tags</c>) carry each tag, per prompt and per participant, for one session or a whole study; and the
/// events behind one cell.
/// <list type="bullet">
/// <item>An event's prompt is <c>prompt_id</c> (the prompt on screen for notes and reactions, the answered prompt
/// for answers); events before the first prompt make a "(no prompt)" row. Its participant is <c>participant_id</c>
/// (whom a note names, who reacted or answered); events with none (an observer's reaction, a note about nobody)
/// make a "(none)" row. Both extra rows appear only when they count something.</item>
/// <item>Study level: prompts of different sessions that have the same wording (trimmed, spaces collapsed, any
/// case: <see cref="StudyMetrics.Key"/>, as the usability metrics pool tasks) are one row, labelled with the wording
/// as first written and listing its sessions; a study that runs one guide in every session so reads as one table
/// of that guide. Participants are people of one session, so they stay one row each, with their session.</item>
/// <item>Participants appear by code, never by name; every participant of the scope has a row, counts or not.</item>
/// </list>
/// Counts come from <c>tag_prompt_counts</c> and <c>tag_participant_counts</c>, which triggers keep up to date as
/// tags are written and events deleted (migration 0008): two indexed reads of a few hundred rows per session, where
/// counting <c>event_tags</c> joined to <c>events</c> took about 250 ms on 100,000 events.
/// </summary>
public sealed class MatrixStore(Db db)
{
    public const string None = "none";
    public const string NoPromptLabel = "(no prompt)";
    public const string NoParticipantLabel = "(none)";

    /// <summary>Both matrices for the study, or only <paramref name="sessionId"/> of it. 404 for an unknown study, or a session not in it.</summary>
    public TagMatrices Compute(Guid studyId, Guid? sessionId) => db.Read((c, tx) =>
    {
        var scope = Scope.Read(c, tx, studyId, sessionId);
        var byPromptCounts = ReadCounts(db, c, tx, scope, "tag_prompt_counts", "prompt_id");
        var byParticipantCounts = ReadCounts(db, c, tx, scope, "tag_participant_counts", "participant_id");
        var tags = ReadTagColumns(c, tx, scope, byPromptCounts);

        var promptRows = PromptRows(scope);
        var participantRows = ParticipantRows(scope);
        // Keyed by the ids as stored (text), so the thousands of count rows of a study need no GUID parsing.
        var promptIndex = promptRows.SelectMany((r, i) => r.PromptIds.Select(id => (Id: DapperTypes.Text(id), i)))
            .ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var participantIndex = participantRows.Select((r, i) => (Id: DapperTypes.Text(r.MemberId), i))
            .ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        var totals = new int[tags.Count];
        foreach (var n in byPromptCounts)
        {
            totals[tags.Index[n.Tag]] += n.N;
        }
        var (byPrompt, noPromptSessions) = Fold(byPromptCounts, tags, promptIndex, promptRows.Count);
        var (byParticipant, noParticipantSessions) = Fold(byParticipantCounts, tags, participantIndex, participantRows.Count);

        var prompts = promptRows.Select((r, i) =>
        {
            var one = r.PromptIds.Count == 1 ? scope.Prompts.Single(p => p.Id == r.PromptIds[0]) : null;
            return Row(byPrompt, i, r.PromptIds[0].ToString(), r.Label, r.Sessions, one?.SessionId, one?.Id, null);
        }).ToList();
        AddNoneRow(prompts, byPrompt, promptRows.Count, NoPromptLabel, scope, noPromptSessions);

        var participants = participantRows.Select((r, i) =>
            Row(byParticipant, i, r.MemberId.ToString(), r.Code, [r.SessionTitle], r.SessionId, null, r.MemberId)).ToList();
        AddNoneRow(participants, byParticipant, participantRows.Count, NoParticipantLabel, scope, noParticipantSessions);

        return new TagMatrices(
            new TagMatrix(studyId, sessionId, MatrixBy.Prompt, tags.Names, prompts, totals, totals.Sum()),
            new TagMatrix(studyId, sessionId, MatrixBy.Participant, tags.Names, participants, totals, totals.Sum()));
    });

    /// <summary>
    /// The events behind one cell, in session order then seq order, at most <paramref name="limit"/>: those of the row
    /// <paramref name="rowKey"/> (a <see cref="MatrixRow.Key"/>) of the <paramref name="by"/> matrix that carry <paramref name="tag"/>.
    /// </summary>
    public IReadOnlyList<MatrixItem> Items(Guid studyId, Guid? sessionId, string by, string rowKey, string tag, int limit) => db.Read((c, tx) =>
    {
        by = MatrixBy.Parse(by);
        var scope = Scope.Read(c, tx, studyId, sessionId);
        var key = rowKey == None ? (Guid?)null : Guid.TryParse(rowKey, out var g) ? g : throw InputException.For("row", "row is an id from the matrix, or \"none\".");
        string where;
                IReadOnlyList<Guid> ids = [];
        if (by == MatrixBy.Prompt)
        {
            if (key is { } promptId)
            {
                var prompt = scope.Prompts.FirstOrDefault(p => p.Id == promptId) ?? throw new NotFoundException("That prompt is not in this study or session.");
                var wording = StudyMetrics.Key(prompt.Text);
                ids = scope.IsSession
                    ? [promptId]
                    : scope.Prompts.Where(p => StudyMetrics.Key(p.Text) == wording).Select(p => p.Id).ToList();
                where = db.In("e.prompt_id", "ids");
            }
            else
            {
                where = "(e.prompt_id IS NULL OR e.prompt_id NOT IN (SELECT id FROM prompts WHERE session_id = @sessionId))";
            }
        }
        else
        {
            ids = key is { } memberId ? [memberId] : [];
            where = key is null
                ? "(e.participant_id IS NULL OR e.participant_id NOT IN (SELECT id FROM members WHERE session_id = @sessionId AND role = 'participant'))"
                : db.In("e.participant_id", "ids");
        }

        var items = new List<MatrixItem>();
        foreach (var session in scope.Sessions)
        {
            if (items.Count >= limit)
            {
                break;
            }
            var rows = c.Query<EventRow>(
                EventRow.Select +
                $"""
                WHERE e.session_id = @sessionId AND {where}
                  AND EXISTS (SELECT 1 FROM event_tags t WHERE t.session_id = e.session_id AND t.seq = e.seq AND lower(t.tag) = lower(@tag))
                ORDER BY e.seq LIMIT @take
                """, new { sessionId = session.Id, ids = db.Ids(ids), tag, take = limit - items.Count }, tx).ToList();
            if (rows.Count == 0)
            {
                continue;
            }
            var seqs = rows.Select(r => r.Seq).ToList();
            var tags = c.Query<(long Seq, string Tag)>(
                $"SELECT seq, tag FROM event_tags WHERE session_id = @sessionId AND {db.In("seq", "seqs")} ORDER BY seq, {db.Bytewise("tag")}", new { sessionId = session.Id, seqs }, tx)
                .ToLookup(t => t.Seq, t => t.Tag);
            foreach (var row in rows)
            {
                var e = row.ToEvent(session.Id, tags[row.Seq].ToList());
                var prompt = e.PromptId is { } p ? scope.Prompts.FirstOrDefault(x => x.Id == p) : null;
                var code = e.ParticipantId is { } m ? scope.Participants.FirstOrDefault(x => x.Id == m)?.Code : null;
                items.Add(new MatrixItem(session.Id, session.Title, e, prompt?.ToPrompt(), code));
            }
        }
        return items;
    });

    /// <summary>
    /// The scope's rows of one count table (<c>tag_prompt_counts</c> or <c>tag_participant_counts</c>), read with a
    /// plain data reader: a study has thousands, and mapping each through Dapper cost more than the query.
    /// </summary>
    private static List<CountRow> ReadCounts(Db db, System.Data.IDbConnection c, System.Data.IDbTransaction tx, Scope scope, string table, string keyColumn)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        // Ids as text on both providers (CAST is a no-op on SQLite; PostgreSQL's uuid text is SQLite's form).
        command.CommandText = $"SELECT CAST(session_id AS TEXT), tag, {keyColumn}, n FROM {table} WHERE session_id IN ({scope.Sql}) AND n > 0";
        Add(command, "studyId", db.Id(scope.StudyId));
        if (scope.SessionId is { } id)
        {
            Add(command, "sessionId", db.Id(id));
        }
        using var reader = command.ExecuteReader();
        var rows = new List<CountRow>();
        while (reader.Read())
        {
            rows.Add(new CountRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }
        return rows;
    }

    private static void Add(System.Data.IDbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// The counts as a grid of rows (by <paramref name="index"/>; a key not in it, or '', goes to the extra row
    /// <paramref name="none"/>) by tag columns, and the sessions whose counts went to the extra row.
    /// </summary>
    private static (int[,] Cells, HashSet<Guid> NoneSessions) Fold(List<CountRow> counts, TagColumns tags, Dictionary<string, int> index, int none)
    {
        var cells = new int[none + 1, tags.Count];
        var noneSessions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in counts)
        {
            if (!index.TryGetValue(n.Key, out var row))
            {
                row = none;
                noneSessions.Add(n.SessionId);
            }
            cells[row, tags.Index[n.Tag]] += n.N;
        }
        return (cells, noneSessions.Select(Guid.Parse).ToHashSet());
    }

    private static MatrixRow Row(int[,] cells, int row, string key, string label, IReadOnlyList<string> sessions, Guid? sessionId, Guid? promptId, Guid? participantId)
    {
        var counts = Enumerable.Range(0, cells.GetLength(1)).Select(t => cells[row, t]).ToList();
        return new MatrixRow(key, label, sessions, sessionId, promptId, participantId, counts, counts.Sum());
    }

    /// <summary>The "(no prompt)" or "(none)" row, when it counts anything.</summary>
    private static void AddNoneRow(List<MatrixRow> rows, int[,] cells, int row, string label, Scope scope, HashSet<Guid> sessions)
    {
        var none = Row(cells, row, None, label, scope.Sessions.Where(s => sessions.Contains(s.Id)).Select(s => s.Title).ToList(), null, null, null);
        if (none.Total > 0)
        {
            rows.Add(none);
        }
    }

    /// <summary>Prompt rows: one per prompt for a session, one per wording for a study (first appearance first).</summary>
    private static List<PromptGroup> PromptRows(Scope scope)
    {
        var groups = new List<PromptGroup>();
        var byWording = new Dictionary<string, PromptGroup>(StringComparer.Ordinal);
        foreach (var session in scope.Sessions)
        {
            foreach (var prompt in scope.Prompts.Where(p => p.SessionId == session.Id))
            {
                if (scope.IsSession)
                {
                    groups.Add(new PromptGroup($"{prompt.Position}. {prompt.Text}") { PromptIds = { prompt.Id }, Sessions = { session.Title } });
                    continue;
                }
                var wording = StudyMetrics.Key(prompt.Text);
                if (!byWording.TryGetValue(wording, out var group))
                {
                    group = new PromptGroup(prompt.Text.Trim());
                    byWording[wording] = group;
                    groups.Add(group);
                }
                group.PromptIds.Add(prompt.Id);
                if (!group.Sessions.Contains(session.Title))
                {
                    group.Sessions.Add(session.Title);
                }
            }
        }
        return groups;
    }

    /// <summary>Participant rows: every participant of the scope, by session, then by code (P2 before P10).</summary>
    private static List<ParticipantRow> ParticipantRows(Scope scope) =>
        scope.Sessions.SelectMany(s => scope.Participants.Where(m => m.SessionId == s.Id)
            .OrderBy(m => m.Code.Length).ThenBy(m => m.Code, StringComparer.Ordinal)
            .Select(m => new ParticipantRow(m.Id, m.Code, s.Id, s.Title)))
        .ToList();

    /// <summary>The tag columns: the sessions' tags in their order, then tags used but no longer in any session's list, merged case-insensitively.</summary>
    private static TagColumns ReadTagColumns(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Scope scope, List<CountRow> counts)
    {
        var sessionTags = c.Query<(string SessionId, string Name)>(
            $"SELECT CAST(session_id AS TEXT), name FROM session_tags WHERE session_id IN ({scope.Sql}) ORDER BY position", scope.Args, tx)
            .ToLookup(t => t.SessionId, t => t.Name, StringComparer.OrdinalIgnoreCase);
        var columns = new TagColumns();
        foreach (var session in scope.Sessions)
        {
            foreach (var name in sessionTags[session.Id.ToString("D")])
            {
                columns.Add(name);
            }
        }
        foreach (var n in counts)
        {
            columns.Add(n.Tag);
        }
        return columns;
    }

    private sealed class TagColumns
    {
        public List<string> Names { get; } = [];
        public Dictionary<string, int> Index { get; } = new(StringComparer.OrdinalIgnoreCase);

        public int Count => Names.Count;

        public void Add(string name)
        {
            if (Index.TryAdd(name, Names.Count))
            {
                Names.Add(name);
            }
        }
    }

    /// <summary>The sessions of a matrix (oldest first) with their prompts and participants.</summary>
    private sealed class Scope
    {
        /// <summary>The ids of the scope's sessions, as a subquery on <c>@studyId</c> and <c>@sessionId</c>.</summary>
        /// <summary>The scope's session ids, from the parameters <c>@studyId</c> and (for one session) <c>@sessionId</c>.</summary>
        /// <remarks>Two forms, not <c>(@sessionId IS NULL OR id = @sessionId)</c>: PostgreSQL cannot type a null parameter compared only with IS NULL.</remarks>
        public string Sql => SqlFor(SessionId);

        private static string SqlFor(Guid? sessionId) => sessionId is null
            ? "SELECT id FROM sessions WHERE study_id = @studyId"
            : "SELECT id FROM sessions WHERE study_id = @studyId AND id = @sessionId";

        public object Args { get; private init; } = new();
        public Guid StudyId { get; private init; }
        public Guid? SessionId { get; private init; }
        public bool IsSession { get; private init; }
        public List<SessionRow> Sessions { get; private init; } = [];
        public List<ScopePrompt> Prompts { get; private init; } = [];
        public List<ScopeMember> Participants { get; private init; } = [];

        public static Scope Read(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Guid studyId, Guid? sessionId)
        {
            _ = c.ExecuteScalar<Guid?>("SELECT id FROM studies WHERE id = @studyId", new { studyId }, tx)
                ?? throw new NotFoundException("There is no study with that id.");
            var args = new { studyId, sessionId };
            var sessions = c.Query<SessionRow>(
                $"SELECT id AS Id, title AS Title FROM sessions WHERE id IN ({SqlFor(sessionId)}) ORDER BY created_utc, id",
                args, tx).ToList();
            if (sessionId is not null && sessions.Count == 0)
            {
                throw new NotFoundException("That session is not in this study.");
            }
            return new Scope
            {
                Args = args,
                StudyId = studyId,
                SessionId = sessionId,
                IsSession = sessionId is not null,
                Sessions = sessions,
                Prompts = c.Query<ScopePrompt>(
                    $"""
                    SELECT id AS Id, session_id AS SessionId, position AS Position, kind AS Kind, text AS Text, options_json AS OptionsJson, scale_max AS ScaleMax
                    FROM prompts WHERE session_id IN ({SqlFor(sessionId)}) ORDER BY position
                    """, args, tx).ToList(),
                Participants = c.Query<ScopeMember>(
                    $"SELECT id AS Id, session_id AS SessionId, code AS Code FROM members WHERE session_id IN ({SqlFor(sessionId)}) AND role = @role",
                    new { studyId, sessionId, role = Roles.Participant }, tx).ToList(),
            };
        }
    }

    private sealed record PromptGroup(string Label)
    {
        public List<Guid> PromptIds { get; } = [];
        public List<string> Sessions { get; } = [];
    }

    private sealed record ParticipantRow(Guid MemberId, string Code, Guid SessionId, string SessionTitle);

    private sealed class SessionRow
    {
        public Guid Id { get; set; }
        public string Title { get; set; } = "";
    }

    private sealed class ScopePrompt
    {
        public Guid Id { get; set; }
        public Guid SessionId { get; set; }
        public long Position { get; set; }
        public string Kind { get; set; } = "";
        public string Text { get; set; } = "";
        public string? OptionsJson { get; set; }
        public long? ScaleMax { get; set; }

        /// <summary>Enough of the prompt to show an answer to it (poll options by label, ratings against their scale).</summary>
        public Prompt ToPrompt() => new(
            Id, (int)Position, Kind, Text,
            OptionsJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<List<string>>(OptionsJson),
            ScaleMax: Kind == PromptKinds.Seq ? Limits.SeqScale : ScaleMax is { } m ? (int)m : null);
    }

    private sealed class ScopeMember
    {
        public Guid Id { get; set; }
        public Guid SessionId { get; set; }
        public string Code { get; set; } = "";
    }

    /// <summary>One row of a count table, ids as stored: <paramref name="Key"/> is a prompt's or a participant's id, or ''.</summary>
    private sealed record CountRow(string SessionId, string Tag, string Key, int N);
}
