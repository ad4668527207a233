using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Data.Live;
using Xunit.Abstractions;

namespace SessionRoom.PostgresTests;

/// <summary>
/// Two servers (two connection pools, each with its own event writer, as two SessionRoom processes have) writing
/// to the same sessions of one database at once: seq stays 1, 2, 3... per session, and a clientEventId is stored once.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_servers_writing_to_two_sessions_at_once_give_each_session_seq_1_to_N_without_gaps_or_repeats()
    {
        const int TasksPerServer = 6, EventsPerTask = 120;
        await using var db = await TestDatabase.CreateAsync();
        var (a, b) = (db.MigratedServer(), db.NewServer());
        var rooms = new[] { LiveRoom.Create(a), LiveRoom.Create(a) };
        await using var serverA = new ServerWriter(a);
        await using var serverB = new ServerWriter(b);
        var servers = new[] { serverA, serverB };
        foreach (var room in rooms)
        {
            await serverA.Writer.WriteAsync(room.Facilitator, new StartSession(Guid.NewGuid()));
        }
        var acked = new ConcurrentDictionary<Guid, (Guid Session, long Seq)>();

        var watch = Stopwatch.StartNew();
        // Every task writes to both sessions, in its own order, so batches of both servers name both sessions.
        await Task.WhenAll(Enumerable.Range(0, 2 * TasksPerServer).Select(t => Task.Run(async () =>
        {
            var server = servers[t % 2];
            var mine = new Dictionary<Guid, List<long>>();
            for (var i = 0; i < EventsPerTask; i++)
            {
                var room = rooms[(i + t) % 2];
                var id = Guid.NewGuid();
                var ack = await server.Writer.WriteAsync(room.Observer, new AddNote(id, $"note {t}/{i}", [], null));
                Assert.False(ack.Duplicate);
                Assert.True(acked.TryAdd(id, (room.SessionId, ack.Seq)));
                (mine.TryGetValue(room.SessionId, out var seqs) ? seqs : mine[room.SessionId] = []).Add(ack.Seq);
            }
            // One writer's events keep the order it wrote them in.
            Assert.All(mine.Values, seqs => Assert.Equal(seqs.Order(), seqs));
        })));
        output.WriteLine($"{acked.Count} events from {2 * TasksPerServer} writers on 2 servers in {watch.ElapsedMilliseconds} ms");

        Assert.Empty(serverA.Failures);
        Assert.Empty(serverB.Failures);
        foreach (var room in rooms)
        {
            var mine = acked.Where(x => x.Value.Session == room.SessionId).ToDictionary(x => x.Key, x => x.Value.Seq);
            // seq 1 is the start of the session.
            Assert.Equal(Enumerable.Range(2, mine.Count).Select(i => (long)i), mine.Values.Order());
            var stored = new EventStore(b).Since(room.Facilitator, 0);
            Assert.Equal(Enumerable.Range(1, mine.Count + 1).Select(i => (long)i), stored.Select(e => e.Seq));
            Assert.All(stored.Skip(1), e => Assert.Equal(mine[e.ClientEventId], e.Seq));
        }
    }

    [Fact]
    public async Task Retries_of_one_client_event_id_from_both_servers_at_once_store_it_once_with_one_seq()
    {
        const int Rounds = 40, AttemptsPerServer = 3;
        await using var db = await TestDatabase.CreateAsync();
        var (a, b) = (db.MigratedServer(), db.NewServer());
        var room = LiveRoom.Create(a);
        await using var serverA = new ServerWriter(a);
        await using var serverB = new ServerWriter(b);
        await serverA.Writer.WriteAsync(room.Facilitator, new StartSession(Guid.NewGuid()));

        for (var round = 0; round < Rounds; round++)
        {
            var command = new AddNote(Guid.NewGuid(), $"round {round}", [], null);
            var acks = await Task.WhenAll(Enumerable.Range(0, 2 * AttemptsPerServer).Select(i =>
                Task.Run(() => (i % 2 == 0 ? serverA : serverB).Writer.WriteAsync(room.Observer, command))));

            Assert.Single(acks.Select(x => x.Seq).Distinct());
            Assert.Single(acks, x => !x.Duplicate);
            Assert.Equal(round + 2, acks[0].Seq);
        }
        using var c = b.Open();
        Assert.Equal(Rounds + 1, c.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE session_id = @id", new { id = room.SessionId }));
    }
}
