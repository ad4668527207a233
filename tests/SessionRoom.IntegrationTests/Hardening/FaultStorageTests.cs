using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Live;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Issue 8, faults of the store during a live session: the disk full, the file system read-only, the
/// database locked by another program. Each time the writer is told clearly that nothing was stored,
/// nothing is half-written, no acknowledged event is lost, the server and its reads stay up, and the
/// session continues (the refused writes retried with their clientEventIds, seq without a gap) once
/// the fault is gone.
/// </summary>
public sealed class FaultStorageTests : IAsyncLifetime
{
    /// <summary>What EventWriter tells every caller of a batch that could not be committed.</summary>
    private const string NotStored = "could not be stored";

    private readonly LiveServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [FaultFact]
    public Task DiskFull_DuringSession_WritesRefusedClearlyNothingHalfWrittenAndSessionContinues() =>
        InjectedFaultAsync("disk-full", "ENOSPC", "database or disk is full", "pwrite64", "fallocate");

    [FaultFact]
    public Task FileSystemReadOnly_DuringSession_WritesRefusedClearlyNothingHalfWrittenAndSessionContinues() =>
        InjectedFaultAsync("read-only", "EROFS", "disk I/O error", "pwrite64", "ftruncate", "fallocate");

    private async Task InjectedFaultAsync(string scenario, string errno, string logged, params string[] syscalls)
    {
        var figures = new Dictionary<string, object> { ["errno"] = errno };
        var outcome = "fail";
        var total = Stopwatch.StartNew();
        try
        {
            var room = await Room.OpenAsync(_server);
            await room.WriteRoundsAsync(10, "before");

            var fault = await SyscallFault.StartAsync(SyscallFault.ServerPid(_server.App), errno, syscalls);
            List<Room.Write> refused;
            await using (fault)
            {
                // The first refusal (writes racing strace's attach may still be stored, and acknowledged).
                var first = await room.WriteUntilRefusedAsync();
                Assert.Contains(NotStored, first.Error!.Message, StringComparison.Ordinal);

                // Every write while the fault lasts, several at once from three members (batched together), is refused clearly.
                refused = [first, .. await room.WriteRoundsAsync(4, "during", expectRefusal: true)];
                Assert.All(refused, w => Assert.Contains(NotStored, w.Error!.Message, StringComparison.Ordinal));
                Assert.All(refused, w => Assert.Contains("try again", w.Error!.Message, StringComparison.OrdinalIgnoreCase));

                // The server, its health check and its reads stay up; the connections stay open.
                await FaultHelp.AssertHealthyAsync(_server.App);
                var seen = await room.Observer.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L);
                Assert.Equal(room.Acked.Values.Order(), seen.Where(e => room.Acked.ContainsKey(e.ClientEventId)).Select(e => e.Seq));
                Assert.All(room.Clients, c => Assert.Equal(HubConnectionState.Connected, c.Connection.State));
                room.AssertNoneStored(refused);
            }
            figures["refusedDuringFault"] = refused.Count;

            // Fixed: the refused writes, retried as an offline outbox would (same clientEventId), are stored once each.
            await room.RetryAsync(refused);
            await room.WriteRoundsAsync(5, "after");

            await room.AssertEverythingStoredOnceAsync();
            figures["eventsChecked"] = StoredLog.AssertConsistent(_server.App);
            Assert.Contains(logged, _server.App.Output, StringComparison.Ordinal);
            figures["acknowledged"] = room.Acked.Count;
            outcome = "pass";
        }
        finally
        {
            figures["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
            ReliabilityLog.Record("fault", scenario, 1, outcome, figures);
        }
    }

    /// <summary>
    /// Another program holds the database in a write transaction (<c>BEGIN EXCLUSIVE</c>; in WAL mode
    /// readers go on). The lock is held until the writes have been refused, so longer than the busy timeout.
    /// </summary>
    [Fact]
    public async Task DatabaseLocked_LongerThanBusyTimeout_WritesRefusedAfterBusyTimeoutReadsGoOnAndSessionContinues()
    {
        var figures = new Dictionary<string, object> { ["busyTimeoutSeconds"] = SessionRoom.Data.Db.BusyTimeoutSeconds };
        var outcome = "fail";
        var total = Stopwatch.StartNew();
        try
        {
            var room = await Room.OpenAsync(_server);
            await room.WriteRoundsAsync(5, "before");

            List<Room.Write> refused;
            var locker = StoredLog.Open(_server.App);
            try
            {
                locker.Execute("BEGIN EXCLUSIVE");
                locker.Execute("INSERT INTO settings (key, value) VALUES ('fault-test-lock', 'held')");
                var held = Stopwatch.StartNew();

                var writes = room.WriteRoundsAsync(1, "during", expectRefusal: true);
                var read = TryReadAsync(room.Facilitator);
                var health = HealthStatusAsync();
                var httpWrite = CreateStudyAsync();
                refused = await writes;
                var firstRefusal = refused.Min(w => w.RefusedAfter);
                figures["firstRefusalSeconds"] = Math.Round(firstRefusal.TotalSeconds, 1);
                figures["lockHeldSeconds"] = Math.Round(held.Elapsed.TotalSeconds, 1);

                // The writer waited for the lock about as long as the busy timeout (not the 31 s of old), then said so.
                var busy = TimeSpan.FromSeconds(SessionRoom.Data.Db.BusyTimeoutSeconds);
                Assert.InRange(firstRefusal, busy * 0.8, busy * 3);
                Assert.All(refused, w => Assert.Contains(NotStored, w.Error!.Message, StringComparison.Ordinal));

                var (events, readError) = await read;
                var healthStatus = await health;
                figures["healthDuringLock"] = (int)healthStatus;
                Assert.Null(readError);
                Assert.Equal(room.Acked.Count, events!.Count(e => room.Acked.ContainsKey(e.ClientEventId)));
                Assert.Equal(System.Net.HttpStatusCode.OK, healthStatus);

                // A write over HTTP is told the same: 503, a problem saying to try again, and when.
                using var created = await httpWrite;
                figures["httpWriteDuringLock"] = (int)created.StatusCode;
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, created.StatusCode);
                Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
                Assert.Contains("try again", await created.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
                Assert.NotNull(created.Headers.RetryAfter);
                Assert.All(room.Clients, c => Assert.Equal(HubConnectionState.Connected, c.Connection.State));
            }
            finally
            {
                // Released: the transaction rolls back and the connection closes.
                locker.Dispose();
            }

            await FaultHelp.AssertHealthyAsync(_server.App);
            room.AssertNoneStored(refused);
            using (var db = StoredLog.Open(_server.App))
            {
                Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM studies WHERE name = 'Written while the database is locked'"));
            }
            await room.RetryAsync(refused);
            await room.WriteRoundsAsync(5, "after");
            await room.AssertEverythingStoredOnceAsync();
            figures["eventsChecked"] = StoredLog.AssertConsistent(_server.App);
            figures["acknowledged"] = room.Acked.Count;
            outcome = "pass";
        }
        finally
        {
            figures["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
            ReliabilityLog.Record("fault", "locked", 1, outcome, figures);
        }
    }

    /// <summary>
    /// A member whose connection opens while the database is locked cannot be announced (their member-joined is
    /// not stored) and that connection is closed; once the lock is gone, their next connection announces them.
    /// Presence used to keep the failed connection as online (SignalR does not call OnDisconnectedAsync after a
    /// failed OnConnectedAsync), so the next connection was not the member's first and announced nobody.
    /// </summary>
    [Fact]
    public async Task MemberConnectingWhileDatabaseLocked_IsAnnouncedByTheirNextConnection()
    {
        var outcome = "fail";
        var total = Stopwatch.StartNew();
        try
        {
            var session = await _server.CreateSessionAsync();
            var member = await _server.MemberAsync(session.Id, Roles.Participant);
            var locker = StoredLog.Open(_server.App);
            try
            {
                locker.Execute("BEGIN EXCLUSIVE");
                locker.Execute("INSERT INTO settings (key, value) VALUES ('fault-test-lock', 'held')");
                await using var failed = new LiveClient(member, _server.App.BaseUrl);
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                failed.Connection.Closed += _ =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };
                // The handshake completes before the hub's OnConnectedAsync runs, so the start may succeed and the
                // close follow once the member-joined write gives up (the busy timeout), or the start itself may fail.
                var started = await Record.ExceptionAsync(() => failed.Connection.StartAsync());
                if (started is null)
                {
                    await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                Assert.Equal(HubConnectionState.Disconnected, failed.Connection.State);
            }
            finally
            {
                locker.Dispose();
            }
            Assert.DoesNotContain(await _server.AllEventsAsync(session.Id), e => e.Type == EventTypes.MemberJoined && e.ActorId == member.MemberId);

            await using var again = await _server.ConnectAsync(member);

            var until = DateTime.UtcNow.AddSeconds(10);
            IReadOnlyList<SessionEvent> joined;
            while ((joined = (await _server.AllEventsAsync(session.Id)).Where(e => e.Type == EventTypes.MemberJoined && e.ActorId == member.MemberId).ToList()).Count == 0
                   && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
            Assert.Single(joined);
            Assert.Equal(HubConnectionState.Connected, again.Connection.State);
            outcome = "pass";
        }
        finally
        {
            ReliabilityLog.Record("fault", "connect-while-locked", 1, outcome, new Dictionary<string, object> { ["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1) });
        }
    }

    private static async Task<(List<SessionEvent>? Events, HubException? Error)> TryReadAsync(LiveClient client)
    {
        try
        {
            return (await client.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L), null);
        }
        catch (HubException e)
        {
            return (null, e);
        }
    }

    private async Task<HttpResponseMessage> CreateStudyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", SessionRoom.Testing.AppServer.FacilitatorKey);
        return await http.PostAsJsonAsync($"{_server.App.BaseUrl}/api/studies", new { name = "Written while the database is locked" });
    }

    private async Task<System.Net.HttpStatusCode> HealthStatusAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return (await http.GetAsync($"{_server.App.BaseUrl}/healthz")).StatusCode;
    }

    /// <summary>A facilitator, an observer and a participant of one live session, writing notes, answers and reactions.</summary>
    private sealed class Room
    {
        private readonly LiveServer _server;
        private Session _session = default!;
        private Member _participant = default!;

        private Room(LiveServer server) => _server = server;

        public LiveClient Facilitator { get; private set; } = default!;

        public LiveClient Observer { get; private set; } = default!;

        public LiveClient Participant { get; private set; } = default!;

        public IEnumerable<LiveClient> Clients => [Facilitator, Observer, Participant];

        /// <summary>clientEventId to the seq it was acknowledged with.</summary>
        public Dictionary<Guid, long> Acked { get; } = [];

        public static async Task<Room> OpenAsync(LiveServer server)
        {
            var room = new Room(server);
            room._session = await server.CreateSessionAsync();
            room._participant = await server.MemberAsync(room._session.Id, Roles.Participant);
            room.Facilitator = await server.ConnectAsync(await server.FacilitatorAsync(room._session.Id));
            room.Observer = await server.ConnectAsync(await server.MemberAsync(room._session.Id, Roles.Observer));
            room.Participant = await server.ConnectAsync(room._participant);
            await room.Facilitator.Invoke("StartSession", Guid.NewGuid());
            await room.Facilitator.Invoke("ShowPrompt", Guid.NewGuid(), room._session.Prompts[0].Id);
            return room;
        }

        /// <summary>One write of one kind by one member, which can be sent again with the same clientEventId.</summary>
        public sealed record Write(Guid ClientEventId, Func<Task<Ack>> Retry)
        {
            public Exception? Error { get; init; }

            /// <summary>How long after it was sent the refusal came.</summary>
            public TimeSpan RefusedAfter { get; init; }
        }

        /// <summary>Sends refused writes again, as an offline outbox would (same clientEventId): each is stored now, once.</summary>
        public async Task RetryAsync(IEnumerable<Write> refused)
        {
            foreach (var w in refused)
            {
                var ack = await w.Retry();
                Assert.False(ack.Duplicate);
                Acked[w.ClientEventId] = ack.Seq;
            }
        }

        /// <summary>
        /// <paramref name="rounds"/> rounds of a tagged note about the participant, an answer and a
        /// reaction, the three of a round at once. Without <paramref name="expectRefusal"/> all must be
        /// acknowledged; with it all must be refused, and the refused writes are returned.
        /// </summary>
        public async Task<List<Write>> WriteRoundsAsync(int rounds, string label, bool expectRefusal = false)
        {
            var refused = new List<Write>();
            for (var i = 0; i < rounds; i++)
            {
                var writes = Kinds(label, i).ToList();
                var sent = Stopwatch.StartNew();
                var results = await Task.WhenAll(writes.Select(async w =>
                {
                    var result = await TryAsync(w);
                    return (result.Ack, result.Error, sent.Elapsed);
                }));
                foreach (var (write, result) in writes.Zip(results))
                {
                    if (result.Ack is { } ack)
                    {
                        Assert.False(expectRefusal, $"{label}: a write was stored while the fault lasted");
                        Assert.False(ack.Duplicate);
                        Acked[write.ClientEventId] = ack.Seq;
                    }
                    else
                    {
                        Assert.True(expectRefusal, $"{label}: a write was refused: {result.Error}");
                        refused.Add(write with { Error = result.Error, RefusedAfter = result.Elapsed });
                    }
                }
            }
            return refused;
        }

        /// <summary>Writes until one is refused (at most 20 s); acknowledged ones are kept.</summary>
        public async Task<Write> WriteUntilRefusedAsync()
        {
            var until = DateTime.UtcNow.AddSeconds(20);
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                var write = NoteWrite($"probe {i}");
                var result = await TryAsync(write);
                if (result.Ack is { } ack)
                {
                    Acked[write.ClientEventId] = ack.Seq;
                    await Task.Delay(50);
                    continue;
                }
                return write with { Error = result.Error };
            }
            throw new TimeoutException("No write was refused while the fault was on.");
        }

        /// <summary>Nothing of a refused write was stored (read from the file, beside the server).</summary>
        public void AssertNoneStored(IEnumerable<Write> refused)
        {
            var stored = StoredLog.Seqs(_server.App, _session.Id);
            Assert.DoesNotContain(refused, w => stored.ContainsKey(w.ClientEventId));
            Assert.All(Acked, a => Assert.Equal(a.Value, stored[a.Key]));
        }

        /// <summary>Every acknowledged event is stored once with its seq; the log is gap-free; clients were pushed only stored events.</summary>
        public async Task AssertEverythingStoredOnceAsync()
        {
            var stored = StoredLog.Seqs(_server.App, _session.Id);
            foreach (var (id, seq) in Acked)
            {
                Assert.True(stored.TryGetValue(id, out var s) && s == seq, $"acknowledged event {seq} is missing or moved");
            }
            var all = await _server.AllEventsAsync(_session.Id);
            FaultHelp.AssertGapFree(all.Select(e => e.Seq));
            Assert.Equal(all.Count, all.Select(e => e.ClientEventId).Distinct().Count());

            // Pushes: the facilitator sees every event, and was never sent one that was not stored.
            var last = all[^1].Seq;
            await Facilitator.WaitForAsync(es => es.Count > 0 && es[^1].Seq == last, $"every event up to {last}");
            var pushed = Facilitator.Events;
            Assert.Equal(pushed.Count, pushed.Select(e => e.Seq).Distinct().Count());
            var byId = all.ToDictionary(e => e.ClientEventId);
            Assert.All(pushed, e => Assert.True(byId.TryGetValue(e.ClientEventId, out var s) && s.Seq == e.Seq, $"pushed event {e.Seq} is not stored"));
        }

        private IEnumerable<Write> Kinds(string label, int i)
        {
            yield return NoteWrite($"{label} note {i}");
            var answerId = Guid.NewGuid();
            yield return new Write(answerId, () => Participant.Invoke("Answer", answerId, _session.Prompts[0].Id, new AnswerInput(Text: $"{label} answer {i}")));
            var reactionId = Guid.NewGuid();
            yield return new Write(reactionId, () => Participant.Invoke("React", reactionId, "delight"));
        }

        private Write NoteWrite(string text)
        {
            var id = Guid.NewGuid();
            return new Write(id, () => Observer.Invoke("AddNote", id, text, new[] { "confused", "delight" }, _participant.MemberId));
        }

        private static async Task<(Ack? Ack, Exception? Error)> TryAsync(Write write)
        {
            try
            {
                return (await write.Retry(), null);
            }
            catch (HubException e)
            {
                return (null, e);
            }
        }
    }
}
