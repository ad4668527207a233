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

    /// <summary>
    /// A consent withdrawal on one server while the other server's writer holds the session (here: a transaction
    /// that locks the row as the writer does and commits one more event of the participant). The withdrawal waits,
    /// then counts that event into its high-water mark, so its seq is never given again.
    /// </summary>
    [Fact]
    public async Task A_withdrawal_waits_for_a_writer_holding_the_session_and_no_seq_is_given_twice()
    {
        await using var db = await TestDatabase.CreateAsync();
        var (a, b) = (db.MigratedServer(), db.NewServer());
        var room = LiveRoom.Create(a);
        await using (var server = new ServerWriter(a))
        {
            await server.Writer.WriteAsync(room.Facilitator, new StartSession(Guid.NewGuid()));
            await server.Writer.WriteAsync(room.Participant, new React(Guid.NewGuid(), "confused"));
            await server.Writer.WriteAsync(room.Facilitator, new EndSession(Guid.NewGuid()));
        }

        long held;
        Task<SessionRoom.Core.Studies.Withdrawal> withdrawal;
        await using (var writer = await new Npgsql.NpgsqlDataSourceBuilder(db.ConnectionString).Build().OpenConnectionAsync())
        {
            await using var tx = await writer.BeginTransactionAsync();
            await writer.ExecuteAsync("SELECT id FROM sessions WHERE id = @SessionId FOR NO KEY UPDATE", new { room.SessionId }, tx);
            held = await writer.ExecuteScalarAsync<long>("SELECT MAX(seq) + 1 FROM events WHERE session_id = @SessionId", new { room.SessionId }, tx);
            // The participant's reaction once more, under the next seq, committed only after the withdrawal has begun.
            await writer.ExecuteAsync(
                """
                INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted)
                SELECT session_id, @held, gen_random_uuid(), gen_random_uuid(), type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json, restricted
                FROM events WHERE session_id = @SessionId AND actor_id = @MemberId ORDER BY seq DESC LIMIT 1
                """, new { held, room.SessionId, room.Participant.MemberId }, tx);

            withdrawal = Task.Run(() => new SessionRoom.Data.Synthesis.WithdrawalStore(b, TimeProvider.System).Withdraw(room.SessionId, room.Participant.MemberId));
            await Task.Delay(500);
            Assert.False(withdrawal.IsCompleted, "the withdrawal should wait for the writer's transaction");
            await tx.CommitAsync();
        }
        await withdrawal;

        await using var after = b.Open();
        Assert.True(await after.ExecuteScalarAsync<long>("SELECT seq_floor FROM sessions WHERE id = @SessionId", new { room.SessionId }) >= held);
        Assert.Equal(0, await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE session_id = @SessionId AND actor_id = @MemberId", new { room.SessionId, room.Participant.MemberId }));
        await using var next = new ServerWriter(b);
        var ack = await next.Writer.WriteAsync(room.Observer, new JoinPresence(Guid.NewGuid()));
        Assert.True(ack.Seq > held, $"seq {ack.Seq} was given before, to an event the withdrawal deleted");
    }
}
