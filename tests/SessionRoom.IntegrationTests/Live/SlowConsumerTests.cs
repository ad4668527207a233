using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Hardening;
using Xunit.Abstractions;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>The server with a small send queue per connection, so a stuck client overflows it soon.</summary>
public sealed class SmallQueueServer() : LiveServer(new Dictionary<string, string>
{
    ["SessionRoom:Live:CallsPerSecond"] = "100000",
    ["SessionRoom:Live:SendQueueLimit"] = "16",
});

/// <summary>
/// A client that stops reading (a phone whose tab froze) must hold up nobody but itself: everyone
/// else keeps getting events, in its own session and in others, the stuck connection is closed once
/// it is too far behind, and on reconnect it catches up with everything.
/// </summary>
public sealed class SlowConsumerTests(SmallQueueServer server, ITestOutputHelper output) : IClassFixture<SmallQueueServer>
{
    private static readonly string LongText = string.Concat(Enumerable.Repeat("The participant paused on the pricing page again. ", 78))[..3_900];

    [Fact]
    public async Task AStuckClient_DelaysNobodyElse_IsClosed_AndCatchesUpAfterwards()
    {
        var a = await server.CreateSessionAsync();
        var b = await server.CreateSessionAsync();
        await using var facilitatorA = await server.ConnectAsync(await server.FacilitatorAsync(a.Id));
        await using var observerA = await server.ConnectAsync(await server.MemberAsync(a.Id, Roles.Observer));
        await using var facilitatorB = await server.ConnectAsync(await server.FacilitatorAsync(b.Id));
        await using var observerB = await server.ConnectAsync(await server.MemberAsync(b.Id, Roles.Observer));
        await facilitatorA.Invoke("StartSession", Guid.NewGuid());
        await facilitatorB.Invoke("StartSession", Guid.NewGuid());
        var stuckMember = await server.MemberAsync(a.Id, Roles.Observer);
        await using var stuck = new StuckClient();
        await stuck.ConnectAsync(new Uri($"{server.App.BaseUrl.Replace("http", "ws", StringComparison.Ordinal)}/hubs/session?access_token={Uri.EscapeDataString(stuckMember.AccessToken)}"));
        await observerA.WaitForAsync(es => es.Any(e => e.Type == EventTypes.MemberJoined && e.ActorId == stuckMember.MemberId), "the stuck observer joining");

        // Long backroom notes in session A until the server gives up on the stuck observer (its
        // socket buffers fill first, then its queue of 16): it leaves, in everyone's eyes.
        var acked = new List<long>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!observerA.Events.Any(e => e.Type == EventTypes.MemberLeft && e.ActorId == stuckMember.MemberId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The stuck connection was not closed after {acked.Count} notes.");
            var batch = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => facilitatorA.Invoke("AddNote", Guid.NewGuid(), LongText, Array.Empty<string>(), null)));
            acked.AddRange(batch.Select(x => x.Seq));

            // Meanwhile session B is not held up: each of its notes reaches its observer.
            var noteB = await facilitatorB.Invoke("AddNote", Guid.NewGuid(), "B carries on", Array.Empty<string>(), null);
            await observerB.WaitForAsync(es => es.Any(e => e.Seq == noteB.Seq), $"session B's note {noteB.Seq} while session A has a stuck client");
        }

        output.WriteLine($"{acked.Count} notes of {LongText.Length} characters closed the stuck connection.");

        // Every note reached the observer who reads, in order and once.
        await observerA.WaitForAsync(es => acked.All(seq => es.Any(e => e.Seq == seq)), "every acknowledged note");
        var seen = observerA.Events.Where(e => e.Type == EventTypes.Note).Select(e => e.Seq).ToList();
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.True(acked.Count >= 16, $"Only {acked.Count} notes were needed to close the stuck connection.");

        // The stuck client comes back (as its page would) and catches up with everything it missed.
        await using var back = await server.ConnectAsync(stuckMember);
        var missed = await back.Connection.InvokeAsync<IReadOnlyList<SessionEvent>>("GetEventsSince", 0L);
        Assert.Superset(acked.ToHashSet(), missed.Select(e => e.Seq).ToHashSet());
        var after = await facilitatorA.Invoke("AddNote", Guid.NewGuid(), "Back with us", Array.Empty<string>(), null);
        await back.WaitForAsync(es => es.Any(e => e.Seq == after.Seq), "a note after reconnecting");
        ReliabilityLog.Record("slow-consumer", "a client that never reads, beside a reading one and another session", acked.Count, "pass", new Dictionary<string, object>
        {
            ["notesUntilClosed"] = acked.Count,
            ["sendQueueLimit"] = 16,
            ["lost"] = acked.Count(seq => !missed.Any(e => e.Seq == seq)),
            ["otherSessionNotesDelivered"] = observerB.Events.Count(e => e.Type == EventTypes.Note),
        });
    }

    /// <summary>
    /// Opens the hub's WebSocket with a 4 KB receive buffer, says the JSON protocol's hello, and never
    /// reads again; it keeps pinging so the server does not drop it for silence (a stuck reader, not a
    /// dead one).
    /// </summary>
    private sealed class StuckClient : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly SocketsHttpHandler _handler = new()
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };

        private Task _pings = Task.CompletedTask;

        public async Task ConnectAsync(Uri uri)
        {
            _socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await _socket.ConnectAsync(uri, new HttpMessageInvoker(_handler, disposeHandler: false), CancellationToken.None);
            await SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e");
            _pings = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token))
                    {
                        await SendAsync("{\"type\":6}\u001e");
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
                {
                    // Closed.
                }
            });
        }

        private Task SendAsync(string text) =>
            _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Abort();
            await _pings;
            _socket.Dispose();
            _handler.Dispose();
            _stop.Dispose();
        }
    }
}
