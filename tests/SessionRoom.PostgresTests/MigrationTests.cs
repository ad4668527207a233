using Dapper;
using SessionRoom.Data.Postgres;

namespace SessionRoom.PostgresTests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_apply_once_and_a_second_run_applies_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = db.NewServer();

        var first = server.Migrate();
        var second = server.Migrate();

        Assert.Equal(PgMigrator.Available, first);
        Assert.Contains("0001_initial.sql", first);
        Assert.Empty(second);
        using var c = server.Open();
        Assert.Equal(PgMigrator.Available, c.Query<string>("SELECT name FROM schema_migrations ORDER BY name").ToList());
        var tables = c.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name").ToList();
        // SQLite's tables, but for its FTS5 table event_text (a tsvector column of events here).
        Assert.Equal(
            ["codebook_tags", "event_tags", "events", "highlights", "invites", "member_tokens", "members", "prompts", "schema_migrations",
             "session_tags", "sessions", "settings", "studies", "tag_participant_counts", "tag_prompt_counts", "theme_cards", "themes", "withdrawals"],
            tables);
    }

    [Fact]
    public async Task Two_servers_migrating_at_once_apply_each_migration_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (a, b) = (db.NewServer(), db.NewServer());

        var both = await Task.WhenAll(Task.Run(a.Migrate), Task.Run(b.Migrate));

        // Whichever got the lock first applied everything; the other found it all in the journal.
        Assert.Equal(PgMigrator.Available, both.SelectMany(applied => applied).Order(StringComparer.Ordinal));
        using var c = a.Open();
        Assert.Equal(PgMigrator.Available.Count, c.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"));
    }
}
