using System.Text.Json;
using Npgsql;
using SessionRoom.Core.Live;
using SessionRoom.Data.Postgres;

// Each test makes its own database and opens up to 16 connections to it; one test at a time keeps
// the connection count under PostgreSQL's default limit and the timings readable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SessionRoom.PostgresTests;

/// <summary>
/// A fresh database for one test, on the PostgreSQL named by <see cref="EnvironmentVariable"/> (test.sh
/// starts a throwaway cluster and sets it), dropped when the test ends. <see cref="NewServer"/> opens
/// one more independent connection pool to it: a second server writing to the same database.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "SESSIONROOM_TEST_POSTGRES";

    private readonly NpgsqlDataSource _admin;
    private readonly List<NpgsqlDataSource> _servers = [];

    private TestDatabase(NpgsqlDataSource admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates the database; fails the test (never skips it) when no PostgreSQL is given.</summary>
    public static async Task<TestDatabase> CreateAsync()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. These tests need a real PostgreSQL: run `bash test.sh`, which starts a " +
                $"throwaway cluster and sets it, or set {EnvironmentVariable} to the connection string of a role that may " +
                "CREATE DATABASE (e.g. Host=127.0.0.1;Port=5432;Username=postgres).");
        }
        var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(given) { Database = "postgres", Pooling = false }.ConnectionString);
        var name = "sessionroom_test_" + Guid.NewGuid().ToString("N");
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(admin, name, new NpgsqlConnectionStringBuilder(given) { Database = name }.ConnectionString);
    }

    /// <summary>A new connection pool of its own, as a separate server would have.</summary>
    public NpgsqlDataSource NewServer()
    {
        var server = NpgsqlDataSource.Create(ConnectionString);
        _servers.Add(server);
        return server;
    }

    /// <summary>A new server with the schema migrated, and its event log.</summary>
    public async Task<PgEventLog> MigratedLogAsync()
    {
        var server = NewServer();
        await PgMigrator.RunAsync(server);
        return new PgEventLog(server);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        // FORCE: a test that failed half-way may have left a connection open.
        await using (var drop = _admin.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await _admin.DisposeAsync();
    }
}

/// <summary>Events to append.</summary>
internal static class Events
{
    public static SessionEvent New(Guid sessionId, Guid? clientEventId = null, string? text = null, params string[] tags) =>
        new(0, Guid.NewGuid(), clientEventId ?? Guid.NewGuid(), EventTypes.Note, Audiences.Backroom, Guid.NewGuid(), null, null, null,
            1234, DateTimeOffset.UtcNow, text, tags, JsonSerializer.SerializeToElement(new { n = 1 }))
        {
            SessionId = sessionId,
        };
}
