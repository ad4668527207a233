using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Data;
using SessionRoom.Data.Live;

namespace SessionRoom.PostgresTests;

/// <summary>
/// Dapper's type handlers are global to the process: SessionRoom.Data's (GUIDs and times as text, which SQLite needs)
/// must not turn PostgreSQL's <c>uuid</c> and <c>timestamptz</c> parameters into text, nor the other way round, when
/// both providers are used in one process (as the test runs do).
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
            sqlite.Migrate();
            var id = Guid.NewGuid();
            var at = new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.FromHours(2));
            using (var connection = sqlite.Open())
            {
                var stored = connection.QuerySingle<(string IdType, string Id, string AtType, string At)>(
                    "SELECT typeof(@id), @id, typeof(@at), @at", new { id, at });
                Assert.Equal(("text", id.ToString("D"), "text", "2026-11-24T13:30:00.0000000Z"), stored);
            }

            await using var database = await TestDatabase.CreateAsync();
            var postgres = database.MigratedServer();
            using (var connection = postgres.Open())
            {
                var types = connection.QuerySingle<(string IdType, Guid Id, string AtType, DateTimeOffset At)>(
                    "SELECT pg_typeof(@id)::text, @id, pg_typeof(@at)::text, @at", new { id, at });
                Assert.Equal(("uuid", id, "timestamp with time zone"), (types.IdType, types.Id, types.AtType));
                Assert.Equal(at, types.At);
            }

            // The same stores and writer on both, in one process.
            foreach (var db in new[] { sqlite, postgres })
            {
                var room = LiveRoom.Create(db);
                await using var server = new ServerWriter(db);
                await server.Writer.WriteAsync(room.Facilitator, new StartSession(Guid.NewGuid()));
                var ack = await server.Writer.WriteAsync(room.Observer, new AddNote(Guid.NewGuid(), "both stores in one process", ["confused"], room.Participant.MemberId));
                var read = new EventStore(db).Since(room.Facilitator, 1).Single();
                Assert.Equal((2L, false), (ack.Seq, ack.Duplicate));
                Assert.Equal((room.Observer.MemberId, room.Participant.MemberId, "both stores in one process", "confused"),
                    (read.ActorId, read.ParticipantId, read.Text, Assert.Single(read.Tags)));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }
}
