using Dapper;
using SessionRoom.Data;

namespace SessionRoom.IntegrationTests;

public sealed class MigratorTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_EmptyDatabase_CreatesEveryTable()
    {
        var db = new Db(_dir.Path);
        var applied = Migrator.Run(db);

        Assert.Equal(Migrator.Available, applied);
        Assert.Contains("0001_initial.sql", applied);
        using var c = db.Open();
        var tables = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table'").ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "studies", "codebook_tags", "sessions", "session_tags", "prompts", "invites", "members",
            "member_tokens", "events", "event_tags", "event_text", "settings", "schema_migrations",
        ];
        Assert.All(expected, t => Assert.Contains(t, tables));
        Assert.Equal(applied, c.Query<string>("SELECT name FROM schema_migrations ORDER BY name"));
        Assert.True(File.Exists(Path.Combine(_dir.Path, Db.FileName)));
    }

    [Fact]
    public void Run_Twice_SecondAppliesNothing()
    {
        var db = new Db(_dir.Path);
        Assert.NotEmpty(Migrator.Run(db));
        using (var c = db.Open())
        {
            c.Execute("INSERT INTO settings (key, value) VALUES ('probe', 'kept')");
        }

        var second = Migrator.Run(db);

        Assert.Empty(second);
        using var check = db.Open();
        Assert.Equal(Migrator.Available.Count, check.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal("kept", check.ExecuteScalar<string>("SELECT value FROM settings WHERE key = 'probe'"));
    }

    [Fact]
    public void Run_NewDatabase_JournalModeIsWal()
    {
        var db = new Db(_dir.Path);
        Migrator.Run(db);
        using var c = db.Open();
        Assert.Equal("wal", c.ExecuteScalar<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public void Open_FreshConnection_HasForeignKeysAndFullSync()
    {
        var db = new Db(_dir.Path);
        Migrator.Run(db);
        using var c = db.Open();
        Assert.Equal(1L, c.ExecuteScalar<long>("PRAGMA foreign_keys"));
        Assert.Equal(2L, c.ExecuteScalar<long>("PRAGMA synchronous"));
        Assert.Equal(5000L, c.ExecuteScalar<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public void Open_ForeignKeys_AreEnforced()
    {
        var db = new Db(_dir.Path);
        Migrator.Run(db);
        using var c = db.Open();
        var e = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => c.Execute(
            "INSERT INTO sessions (id, study_id, title, mode, created_utc) VALUES ('s', 'no-such-study', 't', 'usability', '2026-01-01')"));
        Assert.Contains("FOREIGN KEY", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Constructor_MissingDirectory_CreatesIt()
    {
        var nested = Path.Combine(_dir.Path, "a", "b");
        var db = new Db(nested);
        Assert.True(Directory.Exists(nested));
        Assert.Equal(Path.Combine(Path.GetFullPath(nested), Db.FileName), db.FilePath);
    }
}
