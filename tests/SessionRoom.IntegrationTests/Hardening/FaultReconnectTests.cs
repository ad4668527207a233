using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Issue 8: the server restarts (killed, started again on the same data folder and port) under 200
/// connected clients. They all reconnect at once by themselves, catch up with GetEventsSince, and
/// send again what they could not send while it was down (their outbox, same clientEventIds): no
/// acknowledged event is lost, none is stored twice, and every client ends with its audience's
/// events exactly.
/// </summary>
public sealed class FaultReconnectTests : IAsyncLifetime
{
    private const int Participants = 150;
    private const int Observers = 50;

    private readonly DefaultLimitsServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ServerRestart_200ClientsReconnectAtOnce_AllCatchUpNothingLostNothingDuplicated()
    {
        var figures = new Dictionary<string, object> { ["clients"] = Participants + Observers };
        var outcome = "fail";
        var total = Stopwatch.StartNew();
        var clients = new List<Client>();
        try
        {
            var session = await _server.CreateSessionAsync();
            var prompt = session.Prompts[0].Id;
            var facilitator = new Client(await _server.FacilitatorAsync(session.Id), _server.App.BaseUrl);
            using var gate = new SemaphoreSlim(8);
            var members = await Task.WhenAll(Enumerable.Range(0, Participants + Observers).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    return await _server.MemberAsync(session.Id, i < Participants ? Roles.Participant : Roles.Observer);
                }
                finally
                {
                    gate.Release();
                }
            }));
            clients.AddRange(members.Select(m => new Client(m, _server.App.BaseUrl)));
            await facilitator.StartAsync();
            await Task.WhenAll(clients.Select(c => c.StartAsync()));
            await facilitator.WriteAsync(id => facilitator.Connection.InvokeAsync<Ack>("StartSession", id));
            await facilitator.WriteAsync(id => facilitator.Connection.InvokeAsync<Ack>("ShowPrompt", id, prompt));

            // Everyone writes once, then the server dies; everyone tries once more while it is down.
            await Task.WhenAll(clients.Select(c => c.WriteAsync(Writer(c, prompt, "before"))));
            _server.App.Kill();
            var down = Stopwatch.StartNew();
            await WaitAsync(() => clients.All(c => c.Connection.State != HubConnectionState.Connected), TimeSpan.FromSeconds(30), "every client to notice the server is gone");
            await Task.WhenAll(clients.Select(c => c.WriteAsync(Writer(c, prompt, "while down"))));
            Assert.All(clients, c => Assert.Single(c.Outbox));

            await _server.App.InitializeAsync();
            figures["downSeconds"] = Math.Round(down.Elapsed.TotalSeconds, 1);
            var back = Stopwatch.StartNew();
            await WaitAsync(() => clients.All(c => c.CaughtUp), TimeSpan.FromSeconds(90), "every client to reconnect and catch up");
            figures["allReconnectedSeconds"] = Math.Round(back.Elapsed.TotalSeconds, 1);
            figures["reconnectAttempts"] = clients.Sum(c => c.Attempts);
            await WaitAsync(() => facilitator.CaughtUp, TimeSpan.FromSeconds(30), "the facilitator to reconnect");

            // The outboxes go out again with the same ids, then one new write each.
            await Task.WhenAll(clients.Select(c => c.FlushAsync()));
            await Task.WhenAll(clients.Select(c => c.WriteAsync(Writer(c, prompt, "after"))));
            Assert.All(clients, c => Assert.Empty(c.Outbox));

            // Stored: every acknowledged event once, with its seq; seq without a gap; nothing half-written.
            var all = await _server.AllEventsAsync(session.Id);
            FaultHelp.AssertGapFree(all.Select(e => e.Seq));
            Assert.Equal(all.Count, all.Select(e => e.ClientEventId).Distinct().Count());
            var stored = all.ToDictionary(e => e.ClientEventId, e => e.Seq);
            var acked = clients.Append(facilitator).SelectMany(c => c.Acked).ToList();
            Assert.Equal(2 + (3 * clients.Count), acked.Count);
            Assert.All(acked, a => Assert.True(stored.TryGetValue(a.Key, out var s) && s == a.Value, $"acknowledged event {a.Value} is missing or moved"));
            StoredLog.AssertConsistent(_server.App);

            // Each client ends with exactly its audience's events (pushed or caught up), each connection pushed in order without repeats.
            var room = all.Where(e => e.Audience == Audiences.Room).Select(e => e.Seq).ToList();
            var everything = all.Select(e => e.Seq).ToList();
            List<long> Expected(Client c) => c.Member.Role == Roles.Participant ? room : everything;
            try
            {
                await WaitAsync(() => clients.All(c => c.Seen.Count >= Expected(c).Count), TimeSpan.FromSeconds(30), "every client to have every event");
            }
            catch (TimeoutException)
            {
                var byseq = all.ToDictionary(e => e.Seq);
                var lagging = clients.Where(c => c.Seen.Count < Expected(c).Count).Select(c =>
                    $"{c.Member.Code} ({c.Connection.State}, {c.Reconnects} reconnects, caught up {c.CaughtUpCount}) lacks "
                    + string.Join(", ", Expected(c).Except(c.Seen.Keys).Take(10).Select(q => $"{q} {byseq[q].Type} by {byseq[q].ActorCode}")));
                Assert.Fail($"Not every client has every event (last seq {all[^1].Seq}):\n{string.Join("\n", lagging.Take(20))}\n"
                    + $"server closed slow connections: {System.Text.RegularExpressions.Regex.Count(_server.App.Output, "was closed; it catches up")}");
            }
            foreach (var c in clients)
            {
                Assert.Equal(Expected(c), c.Seen.Keys.Order());
                c.AssertPushesInOrderWithoutRepeats();
            }
            figures["events"] = all.Count;
            figures["acknowledged"] = acked.Count;
            figures["caughtUpEvents"] = clients.Sum(c => c.CaughtUpCount);
            await facilitator.DisposeAsync();
            outcome = "pass";
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            figures["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
            ReliabilityLog.Record("fault", "restart-200-clients", 1, outcome, figures);
        }
    }

    private static Func<Guid, Task<Ack>> Writer(Client c, Guid prompt, string label) => c.Member.Role == Roles.Participant
        ? id => c.Connection.InvokeAsync<Ack>("Answer", id, prompt, new AnswerInput(Text: $"{c.Member.Code} {label}"))
        : id => c.Connection.InvokeAsync<Ack>("AddNote", id, $"{c.Member.Code} {label}", new[] { "confused" }, null);

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A client as a browser page would be: reconnects by itself, catches up from the last seq it has
    /// on each reconnect, and keeps writes that failed in an outbox to send again with the same id.
    /// </summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string? ConnectionId, long Seq)> _pushes = new();
        private int _reconnects;
        private int _caughtUp;
        private int _caughtUpCount;
        private int _attempts;
        private long _lastBeforeDrop;

        public Client(Member member, string baseUrl)
        {
            Member = member;
            Connection = new HubConnectionBuilder()
                .WithUrl($"{baseUrl}/hubs/session", o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(member.AccessToken);
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .WithAutomaticReconnect(new Retry(this))
                .Build();
            Connection.On<SessionEvent>("Event", e =>
            {
                _pushes.Enqueue((Connection.ConnectionId, e.Seq));
                Seen[e.Seq] = e;
            });
            // As the participant page does: remember the last seq seen when the connection dropped, and
            // catch up from there. Pushes on the new connection can arrive before Reconnected runs, so
            // the highest seq seen by then may already be past events that were never received.
            Connection.Reconnecting += _ =>
            {
                Volatile.Write(ref _lastBeforeDrop, Seen.IsEmpty ? 0 : Seen.Keys.Max());
                return Task.CompletedTask;
            };
            Connection.Reconnected += async _ =>
            {
                Interlocked.Increment(ref _reconnects);
                Interlocked.Add(ref _caughtUpCount, await CatchUpAsync(Volatile.Read(ref _lastBeforeDrop)));
                Volatile.Write(ref _caughtUp, 1);
            };
        }

        /// <summary>Connects and loads what happened before (as a page does when it opens).</summary>
        public async Task StartAsync()
        {
            await Connection.StartAsync();
            await CatchUpAsync(0);
        }

        private async Task<int> CatchUpAsync(long after)
        {
            var missed = await Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", after);
            foreach (var e in missed)
            {
                Seen[e.Seq] = e;
            }
            return missed.Count;
        }

        public Member Member { get; }

        public HubConnection Connection { get; }

        /// <summary>Every event this client has, by seq.</summary>
        public ConcurrentDictionary<long, SessionEvent> Seen { get; } = new();

        public ConcurrentDictionary<Guid, long> Acked { get; } = new();

        /// <summary>Writes not yet acknowledged, to send again with the same clientEventId.</summary>
        public ConcurrentDictionary<Guid, Func<Guid, Task<Ack>>> Outbox { get; } = new();

        public bool CaughtUp => Volatile.Read(ref _caughtUp) == 1 && Connection.State == HubConnectionState.Connected;

        public int CaughtUpCount => Volatile.Read(ref _caughtUpCount);

        public int Attempts => Volatile.Read(ref _attempts);

        public int Reconnects => Volatile.Read(ref _reconnects);

        public async Task WriteAsync(Func<Guid, Task<Ack>> write)
        {
            var id = Guid.NewGuid();
            Outbox[id] = write;
            await SendAsync(id, write);
        }

        public async Task FlushAsync()
        {
            foreach (var (id, write) in Outbox.ToArray())
            {
                await SendAsync(id, write);
            }
        }

        public void AssertPushesInOrderWithoutRepeats()
        {
            foreach (var group in _pushes.GroupBy(p => p.ConnectionId))
            {
                var seqs = group.Select(p => p.Seq).ToList();
                Assert.True(seqs.Zip(seqs.Skip(1)).All(pair => pair.First < pair.Second), $"{Member.Code} was pushed seq out of order or twice on one connection");
            }
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();

        private async Task SendAsync(Guid id, Func<Guid, Task<Ack>> write)
        {
            try
            {
                var ack = await write(id);
                Acked[id] = ack.Seq;
                Outbox.TryRemove(id, out _);
            }
            catch (Exception e) when (e is InvalidOperationException or Microsoft.AspNetCore.SignalR.HubException or IOException or TaskCanceledException)
            {
                // Not acknowledged (the server is gone, or refused it for now): it stays in the outbox.
            }
        }

        /// <summary>Tries again every 200-500 ms (jittered, as browsers' clients should) for up to two minutes.</summary>
        private sealed class Retry(Client client) : IRetryPolicy
        {
            public TimeSpan? NextRetryDelay(RetryContext retryContext)
            {
                Interlocked.Increment(ref client._attempts);
                return retryContext.ElapsedTime > TimeSpan.FromMinutes(2) ? null : TimeSpan.FromMilliseconds(200 + Random.Shared.Next(300));
            }
        }
    }
}
