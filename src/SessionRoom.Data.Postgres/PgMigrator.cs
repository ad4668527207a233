using Dapper;
using Npgsql;

namespace SessionRoom.Data.Postgres;

/// <summary>
/// Applies the numbered <c>Migrations/*.sql</c> files embedded in this assembly to a PostgreSQL
/// database, in name order, each in its own transaction together with its row in the
/// <c>schema_migrations</c> journal. A file already in the journal is skipped, so running again is a
/// no-op. Every transaction first takes one transaction-level advisory lock, so two servers starting
/// at once apply each file once: the second waits, then finds it in the journal.
/// (PostgreSQL's DDL is transactional, so a file that fails leaves nothing of itself behind.)
/// </summary>
public static class PgMigrator
{
    /// <summary>The advisory lock key every migrating server takes (any fixed number; this one spells "SR-MIGR").</summary>
    public const long LockKey = 0x53522D4D49475200;

    private const string Prefix = "Migrations.";

    /// <summary>The embedded migrations, in the order they are applied.</summary>
    public static IReadOnlyList<string> Available { get; } = typeof(PgMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Brings the database up to date and returns the names of the migrations it applied.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The journal itself, under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can both
        // pass the check and then one fails on the catalog's unique index.
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            await Lock(connection, tx, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_utc timestamptz NOT NULL)",
                transaction: tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
        }

        var applied = new List<string>();
        foreach (var name in Available)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await Lock(connection, tx, cancellationToken);
            // Checked after taking the lock, so a server that waited sees what the other one committed.
            var done = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = @name)", new { name }, tx, cancellationToken: cancellationToken));
            if (done)
            {
                continue;
            }
            await connection.ExecuteAsync(new CommandDefinition(ReadScript(name), transaction: tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (name, applied_utc) VALUES (@name, now())", new { name }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            applied.Add(name);
        }
        return applied;
    }

    /// <summary>Held until the transaction ends (commit or rollback), so it can never be left behind.</summary>
    private static Task Lock(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = LockKey }, tx, cancellationToken: cancellationToken));

    private static string ReadScript(string name)
    {
        using var stream = typeof(PgMigrator).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"Migration {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
