using System.Data;
using System.Text.Json;
using Dapper;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Stores;

/// <summary>Sessions, their tags and their discussion guides (prompts, numbered from 1).</summary>
public sealed class SessionStore(Db db, TimeProvider clock)
{
    /// <summary>Creates a session in a study. Null when the study does not exist.</summary>
    public Session? Create(Guid studyId, ValidSession input) => db.InTransaction((c, tx) =>
    {
        if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM studies WHERE id = @studyId", new { studyId }, tx) == 0)
        {
            return null;
        }
        var id = Guid.NewGuid();
        c.Execute(
            """
            INSERT INTO sessions (id, study_id, title, mode, status, blind, created_utc)
            VALUES (@id, @studyId, @Title, @Mode, @status, @Blind, @now)
            """,
            new { id, studyId, input.Title, input.Mode, status = SessionStatuses.Draft, input.Blind, now = db.Now(clock) }, tx);
        // Tags left out: the study's codebook as it is now (API.md).
        var tags = input.Tags ?? StudyStore.ReadCodebook(c, tx, studyId).Select(t => t.Name).ToList();
        WriteTags(c, tx, id, tags);
        var position = 1;
        foreach (var prompt in input.Prompts)
        {
            InsertPrompt(c, tx, id, Guid.NewGuid(), position++, prompt);
        }
        return Read(c, tx, id);
    });

    public Session? Get(Guid id) => db.Read((c, tx) => Read(c, tx, id));

    public IReadOnlyList<SessionSummary> ListForStudy(Guid studyId) => db.Read((c, tx) =>
        c.Query<SummaryRow>(
            """
            SELECT s.id AS Id, s.study_id AS StudyId, s.title AS Title, s.mode AS Mode, s.status AS Status,
                   (SELECT COUNT(*) FROM prompts p WHERE p.session_id = s.id) AS PromptCount,
                   s.created_utc AS CreatedUtc
            FROM sessions s
            WHERE s.study_id = @studyId
            ORDER BY s.created_utc, s.id
            """, new { studyId }, tx)
        .Select(r => new SessionSummary(r.Id, r.StudyId, r.Title, r.Mode, r.Status, (int)r.PromptCount, r.CreatedUtc))
        .ToList());

    /// <summary>Changes title, mode and (unless null) tags and blind mode. False when the session does not exist.</summary>
    public bool UpdateDetails(Guid id, string title, string mode, IReadOnlyList<string>? tags, bool? blind = null) => db.InTransaction((c, tx) =>
    {
        if (c.Execute(
            "UPDATE sessions SET title = @title, mode = @mode, blind = COALESCE(@blind, blind) WHERE id = @id",
            new { id, title, mode, blind }, tx) == 0)
        {
            return false;
        }
        if (tags is not null)
        {
            WriteTags(c, tx, id, tags);
        }
        return true;
    });

    public bool Delete(Guid id) => db.InTransaction((c, tx) =>
        c.Execute("DELETE FROM sessions WHERE id = @id", new { id }, tx) == 1);

    /// <summary>Appends a prompt to the guide.</summary>
    /// <exception cref="NotFoundException">No such session.</exception>
    /// <exception cref="ConflictException">The session has ended or its guide is full.</exception>
    public Prompt AddPrompt(Guid sessionId, ValidPrompt prompt) => db.InTransaction((c, tx) =>
    {
        RequireEditable(c, tx, sessionId);
        var count = c.ExecuteScalar<long>("SELECT COUNT(*) FROM prompts WHERE session_id = @sessionId", new { sessionId }, tx);
        if (count >= Limits.PromptsMax)
        {
            throw new ConflictException($"A guide holds at most {Limits.PromptsMax} prompts.");
        }
        var id = Guid.NewGuid();
        InsertPrompt(c, tx, sessionId, id, (int)count + 1, prompt);
        return ReadPrompts(c, tx, sessionId).Single(p => p.Id == id);
    });

    /// <inheritdoc cref="AddPrompt"/>
    public Prompt UpdatePrompt(Guid sessionId, Guid promptId, ValidPrompt p) => db.InTransaction((c, tx) =>
    {
        RequireEditable(c, tx, sessionId);
        var changed = c.Execute(
            """
            UPDATE prompts SET kind = @Kind, text = @Text, options_json = @options, multiple = @Multiple,
                               scale_max = @ScaleMax, success_criteria = @SuccessCriteria, url = @Url,
                               show_criteria = @showCriteria
            WHERE id = @promptId AND session_id = @sessionId
            """,
            new { promptId, sessionId, p.Kind, p.Text, options = OptionsJson(p.Options), p.Multiple, p.ScaleMax, p.SuccessCriteria, p.Url, showCriteria = p.ShowCriteria == true }, tx);
        if (changed == 0)
        {
            throw new NotFoundException("That prompt is not in this session's guide.");
        }
        return ReadPrompts(c, tx, sessionId).Single(x => x.Id == promptId);
    });

    /// <summary>Removes a prompt nobody has seen yet and closes the gap in the numbering.</summary>
    public void DeletePrompt(Guid sessionId, Guid promptId) => db.InTransaction((c, tx) =>
    {
        RequireEditable(c, tx, sessionId);
        var used = c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM events WHERE session_id = @sessionId AND prompt_id = @promptId", new { sessionId, promptId }, tx);
        if (used > 0)
        {
            throw new ConflictException("This prompt was already used in the session; it stays in the guide so its answers keep their question.");
        }
        if (c.Execute("DELETE FROM prompts WHERE id = @promptId AND session_id = @sessionId", new { promptId, sessionId }, tx) == 0)
        {
            throw new NotFoundException("That prompt is not in this session's guide.");
        }
        Renumber(c, tx, sessionId, ReadPrompts(c, tx, sessionId).Select(x => x.Id).ToList());
    });

    /// <summary>Moves a prompt to a new 1-based position, shifting the others.</summary>
    public IReadOnlyList<Prompt> MovePrompt(Guid sessionId, Guid promptId, int position) => db.InTransaction((c, tx) =>
    {
        RequireEditable(c, tx, sessionId);
        var order = ReadPrompts(c, tx, sessionId).Select(x => x.Id).ToList();
        if (!order.Remove(promptId))
        {
            throw new NotFoundException("That prompt is not in this session's guide.");
        }
        if (position < 1 || position > order.Count + 1)
        {
            throw InputException.For("position", $"Position must be between 1 and {order.Count + 1}.");
        }
        order.Insert(position - 1, promptId);
        Renumber(c, tx, sessionId, order);
        return ReadPrompts(c, tx, sessionId);
    });

    /// <summary>The guide may change until the session ends; the session row stays locked (PostgreSQL) so it cannot end, or a prompt be shown, meanwhile.</summary>
    private void RequireEditable(IDbConnection c, IDbTransaction tx, Guid sessionId)
    {
        var status = c.QuerySingleOrDefault<string>("SELECT status FROM sessions WHERE id = @sessionId" + db.LockSessionRow, new { sessionId }, tx)
            ?? throw new NotFoundException("There is no such session.");
        if (status == SessionStatuses.Ended)
        {
            throw new ConflictException("This session has ended; its guide is kept as it was run.");
        }
    }

    private static void Renumber(IDbConnection c, IDbTransaction tx, Guid sessionId, IReadOnlyList<Guid> order) =>
        c.Execute(
            "UPDATE prompts SET position = @position WHERE id = @id AND session_id = @sessionId",
            order.Select((id, i) => new { id, sessionId, position = i + 1 }), tx);

    private static void WriteTags(IDbConnection c, IDbTransaction tx, Guid sessionId, IReadOnlyList<string> tags)
    {
        c.Execute("DELETE FROM session_tags WHERE session_id = @sessionId", new { sessionId }, tx);
        c.Execute(
            "INSERT INTO session_tags (session_id, position, name) VALUES (@sessionId, @position, @name)",
            tags.Select((name, i) => new { sessionId, position = i, name }), tx);
    }

    private static void InsertPrompt(IDbConnection c, IDbTransaction tx, Guid sessionId, Guid id, int position, ValidPrompt p) =>
        c.Execute(
            """
            INSERT INTO prompts (id, session_id, position, kind, text, options_json, multiple, scale_max, success_criteria, url, show_criteria)
            VALUES (@id, @sessionId, @position, @Kind, @Text, @options, @Multiple, @ScaleMax, @SuccessCriteria, @Url, @showCriteria)
            """,
            new { id, sessionId, position, p.Kind, p.Text, options = OptionsJson(p.Options), p.Multiple, p.ScaleMax, p.SuccessCriteria, p.Url, showCriteria = p.ShowCriteria == true }, tx);

    private static string? OptionsJson(IReadOnlyList<string>? options) =>
        options is null ? null : JsonSerializer.Serialize(options);

    private static Session? Read(IDbConnection c, IDbTransaction tx, Guid id)
    {
        var row = c.QuerySingleOrDefault<SessionRow>(
            """
            SELECT id AS Id, study_id AS StudyId, title AS Title, mode AS Mode, status AS Status, current_prompt_id AS CurrentPromptId, blind AS Blind
            FROM sessions WHERE id = @id
            """, new { id }, tx);
        if (row is null)
        {
            return null;
        }
        var tags = c.Query<string>("SELECT name FROM session_tags WHERE session_id = @id ORDER BY position", new { id }, tx).ToList();
        return new Session(row.Id, row.StudyId, row.Title, row.Mode, row.Status, tags, ReadPrompts(c, tx, id), row.CurrentPromptId, row.Blind != 0);
    }

    private static List<Prompt> ReadPrompts(IDbConnection c, IDbTransaction tx, Guid sessionId) =>
        c.Query<PromptRow>(PromptRow.Select + " WHERE session_id = @sessionId ORDER BY position", new { sessionId }, tx)
        .Select(r => r.ToPrompt())
        .ToList();

    private sealed class SessionRow
    {
        public Guid Id { get; set; }
        public Guid StudyId { get; set; }
        public string Title { get; set; } = "";
        public string Mode { get; set; } = "";
        public string Status { get; set; } = "";
        public Guid? CurrentPromptId { get; set; }
        public long Blind { get; set; }
    }

    private sealed class SummaryRow
    {
        public Guid Id { get; set; }
        public Guid StudyId { get; set; }
        public string Title { get; set; } = "";
        public string Mode { get; set; } = "";
        public string Status { get; set; } = "";
        public long PromptCount { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
    }
}
