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

        var first = await PgMigrator.RunAsync(server);
        var second = await PgMigrator.RunAsync(server);

        Assert.Equal(PgMigrator.Available, first);
        Assert.Contains("0001_event_log.sql", first);
        Assert.Empty(second);
        await using var c = await server.OpenConnectionAsync();
        Assert.Equal(PgMigrator.Available, (await c.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name")).ToList());
        var tables = (await c.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).ToList();
        Assert.Equal(["event_tags", "events", "schema_migrations", "sessions"], tables);
    }

    [Fact]
    public async Task Two_servers_migrating_at_once_apply_each_migration_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (a, b) = (db.NewServer(), db.NewServer());

        var both = await Task.WhenAll(Task.Run(() => PgMigrator.RunAsync(a)), Task.Run(() => PgMigrator.RunAsync(b)));

        // Whichever got the lock first applied everything; the other found it all in the journal.
        Assert.Equal(PgMigrator.Available, both.SelectMany(applied => applied).Order(StringComparer.Ordinal));
        await using var c = await a.OpenConnectionAsync();
        Assert.Equal(PgMigrator.Available.Count, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }
}
