using Dapper;
using SessionRoom.Data;

namespace SessionRoom.PostgresTests;

/// <summary>
/// The app loads the SQLite and the PostgreSQL stores into one process, and Dapper's type handlers are global:
/// SessionRoom.Data's (GUIDs and times as text, which SQLite needs) must not turn PostgreSQL's <c>uuid</c> and
/// <c>timestamptz</c> parameters into text, nor the other way round.
/// </summary>
public sealed class CoexistenceTests
{
    [Fact]
    public async Task With_the_SQLite_type_handlers_registered_each_database_gets_its_own_types()
    {
        var directory = Directory.CreateTempSubdirectory("sessionroom-coexistence-");
        try
        {
            var sqlite = new Db(directory.FullName); // registers SessionRoom.Data's handlers for the whole process
            Migrator.Run(sqlite);
            var id = Guid.NewGuid();
            var at = new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.FromHours(2));
            using (var connection = sqlite.Open())
            {
                var stored = connection.QuerySingle<(string IdType, string Id, string AtType, string At)>(
                    "SELECT typeof(@id), @id, typeof(@at), @at", new { id, at });
                Assert.Equal(("text", id.ToString("D"), "text", "2026-11-24T13:30:00.0000000Z"), stored);
            }

            await using var database = await TestDatabase.CreateAsync();
            var server = database.NewServer();
            await using (var connection = await server.OpenConnectionAsync())
            {
                var types = await connection.QuerySingleAsync<(string IdType, Guid Id, string AtType, DateTimeOffset At)>(
                    "SELECT pg_typeof(@id)::text, @id, pg_typeof(@at)::text, @at", new { id, at });
                Assert.Equal(("uuid", id, "timestamp with time zone"), (types.IdType, types.Id, types.AtType));
                Assert.Equal(at, types.At);
            }

            // The event log itself, with the handlers in place.
            var log = await database.MigratedLogAsync();
            var session = Guid.NewGuid();
            await log.AddSessionAsync(session);
            var written = Events.New(session, text: "both stores in one process", tags: "confused");
            var ack = Assert.Single(await log.AppendAsync([written]));
            var read = Assert.Single(await log.SinceAsync(session, 0));
            Assert.Equal((1L, false), (ack.Seq, ack.Duplicate));
            Assert.Equal((written.Id, written.ClientEventId, written.ActorId, written.Text), (read.Id, read.ClientEventId, read.ActorId, read.Text));
            Assert.Equal(written.CreatedUtc.ToUnixTimeMilliseconds(), read.CreatedUtc.ToUnixTimeMilliseconds());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }
}
