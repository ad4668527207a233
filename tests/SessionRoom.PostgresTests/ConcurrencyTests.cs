using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Npgsql;
using SessionRoom.Core.Live;
using Xunit.Abstractions;

namespace SessionRoom.PostgresTests;

/// <summary>Two servers (two separate connection pools) writing to the same database at once.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_servers_appending_to_one_session_get_seq_1_to_N_without_gaps_or_repeats()
    {
        const int Servers = 2, TasksPerServer = 8, EventsPerTask = 200;
        await using var db = await TestDatabase.CreateAsync();
        var logs = new[] { await db.MigratedLogAsync(), await db.MigratedLogAsync() };
        var session = Guid.NewGuid();
        await logs[0].AddSessionAsync(session);
        var acked = new ConcurrentDictionary<Guid, long>();

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Servers * TasksPerServer).Select(t => Task.Run(async () =>
        {
            var log = logs[t % Servers];
            var random = new Random(t);
            var mine = new List<long>();
            for (var sent = 0; sent < EventsPerTask;)
            {
                // Batches of 1 to 8 events: single appends and group commits interleave.
                var batch = Enumerable.Range(0, Math.Min(random.Next(1, 9), EventsPerTask - sent)).Select(_ => Events.New(session)).ToList();
                var acks = await log.AppendAsync(batch);
                Assert.All(acks, a => Assert.False(a.Duplicate));
                foreach (var (e, a) in batch.Zip(acks))
                {
                    Assert.True(acked.TryAdd(e.ClientEventId, a.Seq));
                    mine.Add(a.Seq);
                }
                sent += batch.Count;
            }
            // One writer's events keep the order it wrote them in.
            Assert.Equal(mine.Order(), mine);
        })));
        output.WriteLine($"{Servers * TasksPerServer * EventsPerTask} events from {Servers * TasksPerServer} writers in {watch.ElapsedMilliseconds} ms");

        const int N = Servers * TasksPerServer * EventsPerTask;
        Assert.Equal(Enumerable.Range(1, N).Select(i => (long)i), acked.Values.Order());
        var stored = await logs[1].SinceAsync(session, 0);
        Assert.Equal(Enumerable.Range(1, N).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.All(stored, e => Assert.Equal(acked[e.ClientEventId], e.Seq));
    }

    [Fact]
    public async Task Retries_of_one_client_event_id_from_both_servers_at_once_store_it_once_with_one_seq()
    {
        const int Rounds = 40, AttemptsPerServer = 3;
        await using var db = await TestDatabase.CreateAsync();
        var logs = new[] { await db.MigratedLogAsync(), await db.MigratedLogAsync() };
        var session = Guid.NewGuid();
        await logs[0].AddSessionAsync(session);

        for (var round = 1; round <= Rounds; round++)
        {
            var clientEventId = Guid.NewGuid();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Each attempt is a new event (new id) carrying the same clientEventId, as a client's retry is.
            var attempts = Enumerable.Range(0, 2 * AttemptsPerServer).Select(i => Task.Run(async () =>
            {
                await start.Task;
                return (await logs[i % 2].AppendAsync([Events.New(session, clientEventId)]))[0];
            })).ToList();
            start.SetResult();
            var acks = await Task.WhenAll(attempts);

            Assert.All(acks, a => Assert.Equal(round, a.Seq));
            Assert.Single(acks, a => !a.Duplicate);
        }

        var stored = await logs[1].SinceAsync(session, 0);
        Assert.Equal(Enumerable.Range(1, Rounds).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.Equal(Rounds, stored.Select(e => e.ClientEventId).Distinct().Count());
    }

    [Fact]
    public async Task Failing_batches_among_concurrent_appends_leave_no_gap()
    {
        await using var db = await TestDatabase.CreateAsync();
        var logs = new[] { await db.MigratedLogAsync(), await db.MigratedLogAsync() };
        var session = Guid.NewGuid();
        await logs[0].AddSessionAsync(session);
        var taken = Events.New(session);
        await logs[0].AppendAsync([taken]);
        var good = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                if (i % 3 == 2)
                {
                    // Takes numbers for its first two events, then fails on a stored event's id.
                    await Assert.ThrowsAsync<PostgresException>(() =>
                        logs[t % 2].AppendAsync([Events.New(session), Events.New(session), Events.New(session) with { Id = taken.Id }]));
                }
                else
                {
                    await logs[t % 2].AppendAsync([Events.New(session), Events.New(session)]);
                    Interlocked.Add(ref good, 2);
                }
            }
        })));

        var stored = await logs[1].SinceAsync(session, 0);
        Assert.Equal(1 + good, stored.Count);
        Assert.Equal(Enumerable.Range(1, 1 + good).Select(i => (long)i), stored.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_writer_holding_one_session_blocks_that_session_only_and_its_rollback_leaves_no_gap()
    {
        await using var db = await TestDatabase.CreateAsync();
        var logs = new[] { await db.MigratedLogAsync(), await db.MigratedLogAsync() };
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await logs[0].AddSessionAsync(a);
        await logs[0].AddSessionAsync(b);

        // Server 1 is mid-append on session A: it has taken A's next number and not committed.
        await using var holder = await db.NewServer().OpenConnectionAsync();
        await using var held = await holder.BeginTransactionAsync();
        Assert.Equal(1, await holder.ExecuteScalarAsync<long>("UPDATE sessions SET last_seq = last_seq + 1 WHERE id = @a RETURNING last_seq", new { a }, held));

        // Server 2 appends to B straight away...
        var toB = await logs[1].AppendAsync([Events.New(b)]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([new Ack(1, false)], toB);
        // ...while its append to A waits for A's row.
        var toA = logs[1].AppendAsync([Events.New(a)]);
        await Task.Delay(500);
        Assert.False(toA.IsCompleted);

        await held.RollbackAsync();
        // The rolled-back number is given again: no gap.
        Assert.Equal([new Ack(1, false)], await toA.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Batches_naming_the_same_sessions_in_opposite_orders_do_not_deadlock()
    {
        await using var db = await TestDatabase.CreateAsync();
        var logs = new[] { await db.MigratedLogAsync(), await db.MigratedLogAsync() };
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await logs[0].AddSessionAsync(a);
        await logs[0].AddSessionAsync(b);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var (first, second) = t % 2 == 0 ? (a, b) : (b, a);
            for (var i = 0; i < 25; i++)
            {
                await logs[t % 2].AppendAsync([Events.New(first), Events.New(second)]);
            }
        })));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), (await logs[0].SinceAsync(a, 0)).Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), (await logs[0].SinceAsync(b, 0)).Select(e => e.Seq));
    }
}
