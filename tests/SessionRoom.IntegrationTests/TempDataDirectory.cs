using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using SessionRoom.Data;

namespace SessionRoom.IntegrationTests;

/// <summary>A fresh folder under the system temp directory, deleted (with its SQLite files) on dispose.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sessionroom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        // Pooled connections keep the file open; close them before deleting.
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Another test's pool may still hold a handle for a moment; the OS temp cleaner gets the rest.
        }
    }
}

/// <summary>
/// A migrated database of its own: what every store test starts from. SQLite: a file in a temp folder.
/// PostgreSQL: a database made for this test on the server named by <see cref="PostgresServer.EnvironmentVariable"/>
/// and dropped on dispose.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempDataDirectory _directory = new();
    private readonly string? _postgresName;

    public TestDatabase()
        : this(StorageProvider.Sqlite)
    {
    }

    public TestDatabase(StorageProvider provider)
    {
        if (provider == StorageProvider.Postgres)
        {
            (_postgresName, var connectionString) = PostgresServer.CreateDatabase();
            Db = Db.Postgres(connectionString);
        }
        else
        {
            Db = new Db(_directory.Path);
            Db.Migrate();
        }
    }

    public Db Db { get; }

    public string DirectoryPath => _directory.Path;

    public void Dispose()
    {
        Db.Dispose();
        if (_postgresName is not null)
        {
            PostgresServer.DropDatabase(_postgresName);
        }
        _directory.Dispose();
    }
}

/// <summary>
/// The PostgreSQL the tests run against: <see cref="EnvironmentVariable"/>, which test.sh sets after starting a
/// throwaway cluster. Each test gets a copy of one migrated template database (a file copy: much faster than
/// migrating each one).
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "SESSIONROOM_TEST_POSTGRES";

    private static readonly Lazy<string> Template = new(CreateTemplate);

    /// <summary>The server's connection string; fails the test (never skips it) when none is given.</summary>
    public static string ConnectionString(string database)
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. The store tests run on PostgreSQL too and need a real one: run `bash test.sh`, " +
                $"which starts a throwaway cluster and sets it, or set {EnvironmentVariable} to the connection string of a role that " +
                "may CREATE DATABASE (e.g. Host=127.0.0.1;Port=5432;Username=postgres).");
        }
        return new NpgsqlConnectionStringBuilder(given) { Database = database }.ConnectionString;
    }

    /// <summary>A new database, migrated or (for the app to migrate) empty: its name and connection string.</summary>
    public static (string Name, string ConnectionString) CreateDatabase(bool migrated = true)
    {
        var name = "sessionroom_test_" + Guid.NewGuid().ToString("N");
        Admin(migrated ? $"CREATE DATABASE {name} TEMPLATE {Template.Value}" : $"CREATE DATABASE {name} {Collation}");
        return (name, ConnectionString(name));
    }

    public static void DropDatabase(string name) => Admin($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");

    /// <summary>
    /// A deployment's database sorts text as its locale does (en_US.utf8 in the official image, which skips hyphens and
    /// case at first), not as the throwaway cluster's C locale: the tests' databases use ICU's en-US, so a query that
    /// sorts differently from SQLite shows.
    /// </summary>
    private const string Collation = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'";

    private static string CreateTemplate()
    {
        var name = "sessionroom_template_" + Guid.NewGuid().ToString("N");
        Admin($"CREATE DATABASE {name} {Collation}");
        using (var db = Db.Postgres(ConnectionString(name) + ";Pooling=false"))
        {
            db.Migrate();
        }
        // Dropped when the test run ends (the throwaway cluster goes with it in test.sh).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DropDatabase(name);
        return name;
    }

    private static void Admin(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        connection.Open();
        connection.Execute(sql);
    }
}
