using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using SessionRoom.Data.Postgres;

namespace SessionRoom.Data;

/// <summary>Where SessionRoom keeps its data (<c>SessionRoom:Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>One embedded SQLite file in the data directory (the default: nothing to set up).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, which several servers can share.</summary>
    Postgres,
}

/// <summary>
/// Opens pooled connections to SessionRoom's database, SQLite or PostgreSQL, with the settings every
/// connection needs. Every store runs its SQL through this one class, on either provider: the SQL is
/// written to run on both, and the few places where it cannot (full-text search, SQLite's scalar
/// MAX against PostgreSQL's GREATEST, SQLite's FTS table) branch on <see cref="Provider"/> next to the
/// SQL, so both forms are read together.
/// </summary>
/// <remarks>
/// Values: on SQLite ids are GUID text and times ISO-8601 UTC text (<see cref="DapperTypes"/>); on
/// PostgreSQL they are <c>uuid</c> and <c>timestamptz</c>, and flags are <c>boolean</c> (SQLite reads
/// <c>TRUE</c>/<c>FALSE</c> as 1/0, so SQL writes flags as <c>TRUE</c>/<c>FALSE</c>).
/// </remarks>
public sealed class Db : IDisposable
{
    public const string FileName = "sessionroom.db";

    /// <summary>
    /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. It is
    /// both SQLite's busy timeout and Microsoft.Data.Sqlite's retry of a busy statement (its command
    /// timeout), which otherwise adds 30 s of its own: a locked database stalled every live write for
    /// half a minute before the writer was told.
    /// </summary>
    public const int BusyTimeoutSeconds = 5;

    private readonly NpgsqlDataSource? _postgres;

    static Db() => DapperTypes.Register();

    /// <summary>The SQLite file <see cref="FileName"/> in <paramref name="dataDirectory"/> (made if missing).</summary>
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
        Provider = StorageProvider.Sqlite;
    }

    private Db(NpgsqlDataSource dataSource)
    {
        _postgres = dataSource;
        ConnectionString = dataSource.ConnectionString;
        FilePath = null;
        Provider = StorageProvider.Postgres;
    }

    /// <summary>
    /// The PostgreSQL database named by <paramref name="connectionString"/> (an Npgsql connection string).
    /// Statements run often (the event writer's, the stores') are prepared by Npgsql after a few uses
    /// (<c>Max Auto Prepare=64</c>) unless the connection string says otherwise, e.g. <c>Max Auto Prepare=0</c> behind a
    /// pooler in transaction mode.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string cannot be read.</exception>
    public static Db Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // As given (the typed builder's ContainsKey answers "is this a keyword", not "was it set").
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>();
        if (!given.Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            builder.MaxAutoPrepare = 64;
        }
        return new(NpgsqlDataSource.Create(builder.ConnectionString));
    }

    public StorageProvider Provider { get; }

    public bool IsPostgres => Provider == StorageProvider.Postgres;

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// The database is locked, read-only, full, out of connections or cannot be reached: a state of the
    /// server to wait out and tell the caller about, not a bug of the call. SQLite: SQLITE_BUSY, _LOCKED,
    /// _READONLY, _IOERR, _FULL, _CANTOPEN. PostgreSQL: no connection (refused, broken, timed out, the pool
    /// exhausted), SQLSTATE class 08 (connection), 53 (insufficient resources: disk full, out of memory, too
    /// many connections), 57P01-57P03 (shutting down, cannot connect now), 25006 (read-only transaction, e.g.
    /// a standby), 40001/40P01 (serialization failure, deadlock: the transaction may simply be retried),
    /// 3D000 and class 28 (the database does not exist, the role may not log in).
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14,
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal)
            || p.SqlState.StartsWith("53", StringComparison.Ordinal)
            || p.SqlState is "57P01" or "57P02" or "57P03" or "25006" or "40001" or "40P01"
            // The database is gone or refuses the role (3D000, class 28): the operator's to fix, not the caller's.
            || p.SqlState is "3D000" or "28000" or "28P01",
        // Not an answer from the server: the connection could not be made or was lost, or timed out.
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>What the caller of a write refused by <see cref="IsConflict"/> is told (over HTTP and the hub alike).</summary>
    public const string ConflictMessage =
        "Someone else changed the same thing at the same moment, so this was not carried out. Nothing was lost; look again and retry.";

    /// <summary>
    /// A uniqueness rule of the schema refused a write that the store's own check let through (two servers, or two
    /// spellings the database and .NET compare differently): the caller's to redo, as a conflict, not a server error.
    /// </summary>
    public static bool IsConflict(Exception e) => e switch
    {
        SqliteException s => s.SqliteExtendedErrorCode is 1555 or 2067, // SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>The code of a database error, for logs: SQLite's error code or PostgreSQL's SQLSTATE.</summary>
    public static string ErrorCode(DbException e) => e switch
    {
        SqliteException s => s.SqliteErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PostgresException p => p.SqlState,
        _ => e.SqlState ?? "none",
    };

    /// <summary>
    /// A GUID as a parameter of a command made without Dapper (whose type handler does this for Dapper's own
    /// parameters): SQLite's stored text, PostgreSQL's uuid.
    /// </summary>
    public object Id(Guid id) => IsPostgres ? id : DapperTypes.Text(id);

    /// <summary>GUIDs for <see cref="In"/>: SQLite's stored text, PostgreSQL's uuid[].</summary>
    public System.Collections.IEnumerable Ids(IEnumerable<Guid> ids) => IsPostgres ? ids.ToArray() : ids.Select(DapperTypes.Text).ToList();

    /// <summary>
    /// "<paramref name="column"/> is one of the list <paramref name="parameter"/>": SQLite <c>IN @list</c>, which Dapper
    /// expands into one parameter per item; PostgreSQL <c>= ANY(@list)</c>, one array parameter (Dapper passes lists
    /// to Npgsql as arrays, so <c>IN @list</c> would not parse there).
    /// </summary>
    public string In(string column, string parameter) => IsPostgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>
    /// A text column to sort by, byte by byte on both: SQLite's BINARY order; on PostgreSQL <c>COLLATE "C"</c>, since the
    /// database's own collation (e.g. en_US) ignores hyphens and case at first, so "pain-point" and "painful" would swap.
    /// </summary>
    public string Bytewise(string column) => IsPostgres ? $"{column} COLLATE \"C\"" : column;

    /// <summary>
    /// Ends a <c>SELECT ... FROM sessions WHERE id = @id</c> that a store write reads its decision from (the status,
    /// the high-water mark): on PostgreSQL the row stays locked until the transaction ends, so no server's event
    /// writer, which locks the same row before it numbers events, commits between the read and the write.
    /// <c>NO KEY UPDATE</c>: inserts of rows that refer to the session (members, invites) need not wait.
    /// Nothing on SQLite, where a store write already holds the file's write lock.
    /// </summary>
    public string LockSessionRow => IsPostgres ? " FOR NO KEY UPDATE" : "";

    /// <summary>
    /// The time now, as the database will give it back: PostgreSQL's timestamptz keeps microseconds, so there it
    /// is cut to whole microseconds (SQLite's text keeps .NET's 100 ns ticks). Every time a store writes comes from here,
    /// so what it returns (or the writer broadcasts) equals what a later read gives back.
    /// </summary>
    public DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return IsPostgres ? now.AddTicks(-(now.UtcTicks % 10)) : now;
    }

    /// <summary>Closes PostgreSQL's connection pool (SQLite's pool is the process's, and stays).</summary>
    public void Dispose() => _postgres?.Dispose();

    public DbConnection Open()
    {
        if (_postgres is not null)
        {
            return _postgres.OpenConnection();
        }
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        // synchronous=FULL: an acknowledged write survives power loss, not just a crash.
        // busy_timeout: readers and the writer wait for each other instead of failing.
        connection.Execute($"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000};");
        return connection;
    }

    /// <summary>Brings the schema up to date (each provider has its own numbered migrations) and returns what it applied.</summary>
    public IReadOnlyList<string> Migrate() => _postgres is not null
        ? PgMigrator.RunAsync(_postgres).GetAwaiter().GetResult()
        : Migrator.Run(this);

    /// <summary>
    /// The advisory lock every store write takes on PostgreSQL (any fixed number; this one spells "SR-STORE"),
    /// apart from the migrations' <c>PgMigrator.LockKey</c>.
    /// </summary>
    public const long StoreWriteLockKey = 0x53522D53544F5245;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. Store writes read, then write (the next
    /// member code, a theme's position, "is this name taken"), so they take turns: on SQLite the transaction
    /// starts IMMEDIATE (the file's write lock), on PostgreSQL it first takes one transaction-level advisory
    /// lock shared by every server. They are human-paced; the event writer, which is not, has its own
    /// per-session row locks (docs/architecture.md, "seq across servers").
    /// </summary>
    public T InTransaction<T>(Func<IDbConnection, IDbTransaction, T> work)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        if (IsPostgres)
        {
            connection.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = StoreWriteLockKey }, tx);
        }
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

    /// <summary>Runs reads in one read transaction (<see cref="BeginRead"/>), so several queries see one snapshot.</summary>
    public T Read<T>(Func<IDbConnection, IDbTransaction, T> query)
    {
        using var connection = Open();
        using var tx = BeginRead(connection);
        var result = query(connection, tx);
        tx.Commit();
        return result;
    }

    /// <summary>
    /// A transaction whose queries all see one snapshot of the database, without blocking writers.
    /// SQLite: a deferred transaction (its snapshot starts at the first read, and it never takes the
    /// write lock). PostgreSQL: REPEATABLE READ (under the default READ COMMITTED each statement would see
    /// what was committed before it started, so a page and its tags could disagree).
    /// </summary>
    public static DbTransaction BeginRead(DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => sqlite.BeginTransaction(deferred: true),
        _ => connection.BeginTransaction(IsolationLevel.RepeatableRead),
    };
}
