using System.Reflection;
using Dapper;

namespace SessionRoom.Data;

/// <summary>
/// Applies the numbered <c>Migrations/*.sql</c> files embedded in this assembly, in name order,
/// each in its own transaction together with its row in the <c>schema_migrations</c> journal.
/// A file already in the journal is skipped, so running again is a no-op.
/// (Twenty lines here do what dbup-sqlite would, without its extra dependency chain.)
/// </summary>
public static class Migrator
{
    private const string Prefix = "Migrations.";

    public static IReadOnlyList<string> Available { get; } = typeof(Migrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Brings the database up to date and returns the names of the migrations it applied.</summary>
    public static IReadOnlyList<string> Run(Db db)
    {
        using var connection = db.Open();
        connection.Execute("PRAGMA journal_mode = WAL;");
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)");
        var applied = new List<string>();
        foreach (var name in Available)
        {
            using var tx = connection.BeginTransaction();
            // Checked inside the transaction so two servers starting at once cannot both apply it.
            var done = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations WHERE name = @name", new { name }, tx) > 0;
            if (done)
            {
                continue;
            }
            connection.Execute(ReadScript(name), transaction: tx);
            connection.Execute(
                "INSERT INTO schema_migrations (name, applied_utc) VALUES (@name, @now)",
                new { name, now = DateTimeOffset.UtcNow },
                tx);
            tx.Commit();
            applied.Add(name);
        }
        return applied;
    }

    private static string ReadScript(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"Migration {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
