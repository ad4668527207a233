using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace SessionRoom.Data;

/// <summary>
/// Opens pooled connections to the SessionRoom SQLite file with the settings every connection needs.
/// WAL is a property of the file (set once by <see cref="Migrator"/>); the rest are per connection.
/// </summary>
public sealed class Db
{
    public const string FileName = "sessionroom.db";

    /// <summary>
    /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. It is
    /// both SQLite's busy timeout and Microsoft.Data.Sqlite's retry of a busy statement (its command
    /// timeout), which otherwise adds 30 s of its own: a locked database stalled every live write for
    /// half a minute before the writer was told.
    /// </summary>
    public const int BusyTimeoutSeconds = 5;

    static Db() => DapperTypes.Register();

    public Db(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, FileName);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>
    /// The database is locked, read-only, full or failing (SQLITE_BUSY, _LOCKED, _READONLY, _IOERR,
    /// _FULL, _CANTOPEN): a state of the server to wait out and tell the caller about, not a bug of the call.
    /// </summary>
    public static bool IsUnavailable(SqliteException e) => e.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14;

    public string ConnectionString { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        // synchronous=FULL: an acknowledged write survives power loss, not just a crash.
        // busy_timeout: readers and the writer wait for each other instead of failing.
        connection.Execute($"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000};");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it.</summary>
    public T InTransaction<T>(Func<IDbConnection, IDbTransaction, T> work)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var result = work(connection, tx);
        tx.Commit();
        return result;
    }

    public void InTransaction(Action<IDbConnection, IDbTransaction> work) =>
        InTransaction<object?>((c, tx) =>
        {
            work(c, tx);
            return null;
        });

    /// <summary>Runs reads in one deferred transaction, so several queries see one snapshot without taking the write lock.</summary>
    public T Read<T>(Func<IDbConnection, IDbTransaction, T> query)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction(deferred: true);
        var result = query(connection, tx);
        tx.Commit();
        return result;
    }
}
