using Npgsql;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

// Each test makes its own database and opens several connections to it; one test at a time keeps
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
    private readonly List<Db> _servers = [];

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
    public Db NewServer()
    {
        var server = Db.Postgres(ConnectionString);
        _servers.Add(server);
        return server;
    }

    /// <summary>A new server with the schema migrated.</summary>
    public Db MigratedServer()
    {
        var server = NewServer();
        server.Migrate();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
        // FORCE: a test that failed half-way may have left a connection open.
        await using (var drop = _admin.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await _admin.DisposeAsync();
    }
}

/// <summary>A live session made through the stores, with its facilitator, an observer and a participant.</summary>
internal sealed record LiveRoom(Guid SessionId, Caller Facilitator, Caller Observer, Caller Participant)
{
    public static LiveRoom Create(Db db)
    {
        var study = new StudyStore(db, TimeProvider.System).Create(new ValidStudy("Two servers", null));
        var session = new SessionStore(db, TimeProvider.System).Create(study.Id, new ValidSession("Round 1", SessionModes.FocusGroup, ["confused"], []))!;
        var members = new MemberStore(db, TimeProvider.System);
        var f = members.FacilitatorMember(session.Id, "Facilitator");
        Caller Join(string role)
        {
            var m = members.Join(members.CreateInvite(session.Id, role, null).Token, null)!;
            return new Caller(m.MemberId, session.Id, m.Role, m.Code, m.DisplayName);
        }
        return new LiveRoom(session.Id, new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName), Join(Roles.Observer), Join(Roles.Participant));
    }
}

/// <summary>The event writer of one server; nobody listens to its fan-out, and a failed batch is remembered.</summary>
internal sealed class ServerWriter : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Exception> _failures = new();

    public ServerWriter(Db db)
    {
        Writer = new EventWriter(db, new LiveSessions(new LiveOptions()), new NoPublisher(), TimeProvider.System, _failures.Enqueue);
    }

    public EventWriter Writer { get; }

    public IReadOnlyCollection<Exception> Failures => _failures;

    public ValueTask DisposeAsync() => Writer.DisposeAsync();

    private sealed class NoPublisher : IEventPublisher
    {
        public void Publish(IReadOnlyList<SessionEvent> events)
        {
        }
    }
}
