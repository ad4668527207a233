using Dapper;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Stores;

/// <summary>Studies and their codebooks.</summary>
public sealed class StudyStore(Db db, TimeProvider clock)
{
    public Study Create(ValidStudy input, IReadOnlyList<CodebookTag>? codebook = null)
    {
        var study = new Study(Guid.NewGuid(), input.Name, input.Goal, db.Now(clock), input.ConsentText);
        db.InTransaction((c, tx) =>
        {
            c.Execute(
                "INSERT INTO studies (id, name, goal, consent_text, created_utc) VALUES (@Id, @Name, @Goal, @ConsentText, @CreatedUtc)",
                study, tx);
            if (codebook is not null)
            {
                WriteCodebook(c, tx, study.Id, codebook);
            }
        });
        return study;
    }

    public Study? Get(Guid id) => db.Read((c, tx) =>
        c.QuerySingleOrDefault<StudyRow>(
            "SELECT id AS Id, name AS Name, goal AS Goal, consent_text AS ConsentText, created_utc AS CreatedUtc FROM studies WHERE id = @id",
            new { id }, tx)?.ToStudy());

    public IReadOnlyList<StudySummary> List() => db.Read((c, tx) =>
        c.Query<StudySummaryRow>(
            """
            SELECT s.id AS Id, s.name AS Name, s.goal AS Goal,
                   (SELECT COUNT(*) FROM sessions x WHERE x.study_id = s.id) AS SessionCount
            FROM studies s
            ORDER BY s.created_utc DESC, s.id
            """, transaction: tx)
        .Select(r => new StudySummary(r.Id, r.Name, r.Goal, (int)r.SessionCount))
        .ToList());

    /// <summary>Renames a study or changes its goal. False when the study does not exist.</summary>
    public bool Update(Guid id, ValidStudy input) => db.InTransaction((c, tx) =>
        c.Execute("UPDATE studies SET name = @Name, goal = @Goal, consent_text = @ConsentText WHERE id = @id", new { id, input.Name, input.Goal, input.ConsentText }, tx) == 1);

    /// <summary>Deletes a study with all its sessions and their logs. False when it does not exist.</summary>
    public bool Delete(Guid id) => db.InTransaction((c, tx) =>
        c.Execute("DELETE FROM studies WHERE id = @id", new { id }, tx) == 1);

    public IReadOnlyList<CodebookTag> GetCodebook(Guid studyId) => db.Read((c, tx) => ReadCodebook(c, tx, studyId));

    /// <summary>Replaces the study's codebook. False when the study does not exist.</summary>
    public bool SetCodebook(Guid studyId, IReadOnlyList<CodebookTag> tags) => db.InTransaction((c, tx) =>
    {
        if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM studies WHERE id = @studyId", new { studyId }, tx) == 0)
        {
            return false;
        }
        WriteCodebook(c, tx, studyId, tags);
        return true;
    });

    internal static IReadOnlyList<CodebookTag> ReadCodebook(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Guid studyId) =>
        c.Query<CodebookRow>(
            "SELECT name AS Name, color AS Color, hotkey AS Hotkey FROM codebook_tags WHERE study_id = @studyId ORDER BY position",
            new { studyId }, tx)
        .Select(r => new CodebookTag(r.Name, r.Color, r.Hotkey is { } k ? (int)k : null))
        .ToList();

    private static void WriteCodebook(System.Data.IDbConnection c, System.Data.IDbTransaction tx, Guid studyId, IReadOnlyList<CodebookTag> tags)
    {
        c.Execute("DELETE FROM codebook_tags WHERE study_id = @studyId", new { studyId }, tx);
        c.Execute(
            "INSERT INTO codebook_tags (study_id, position, name, color, hotkey) VALUES (@studyId, @position, @Name, @Color, @Hotkey)",
            tags.Select((t, i) => new { studyId, position = i, t.Name, t.Color, t.Hotkey }), tx);
    }

    private sealed class StudyRow
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public string? Goal { get; set; }
        public DateTimeOffset CreatedUtc { get; set; }
        public string? ConsentText { get; set; }

        public Study ToStudy() => new(Id, Name, Goal, CreatedUtc, ConsentText);
    }

    private sealed class StudySummaryRow
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public string? Goal { get; set; }
        public long SessionCount { get; set; }
    }

    private sealed class CodebookRow
    {
        public string Name { get; set; } = "";
        public string Color { get; set; } = "";
        public long? Hotkey { get; set; }
    }
}
