using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Issue 8: a client calling far faster than <c>SessionRoom:Live:CallsPerSecond</c> (20, the default).
/// The excess is refused with a HubException that says so, every call it was allowed is stored, its
/// connection stays open and works again after a pause, and other clients at a normal pace are not
/// affected at all.
/// </summary>
public sealed class FaultRateLimitTests(DefaultLimitsServer server) : IClassFixture<DefaultLimitsServer>
{
    private const int Limit = 20;
    private const int Flood = 1_000;

    [Fact]
    public async Task ClientFarOverCallLimit_ExcessRefusedAcceptedStoredConnectionOpenOthersUnaffected()
    {
        var figures = new Dictionary<string, object> { ["callsPerSecond"] = Limit, ["flood"] = Flood };
        var outcome = "fail";
        var total = Stopwatch.StartNew();
        try
        {
            var session = await server.CreateSessionAsync();
            await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
            await using var flooder = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
            await using var neighbour = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
            await using var participant = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));
            await f.Invoke("StartSession", Guid.NewGuid());
            await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
            await Task.Delay(1_100); // the set-up calls are out of every window

            // The flood: 1,000 notes sent at once, a few reads among them.
            using var stop = new CancellationTokenSource();
            var neighbours = PaceAsync(neighbour, n => neighbour.Invoke("AddNote", Guid.NewGuid(), $"neighbour {n}", Array.Empty<string>(), null), stop.Token);
            var participants = PaceAsync(participant, n => participant.Invoke("React", Guid.NewGuid(), "delight"), stop.Token);
            var clock = Stopwatch.StartNew();
            var ids = Enumerable.Range(0, Flood).Select(_ => Guid.NewGuid()).ToList();
            var calls = ids.Select((id, i) => i % 50 == 25
                    ? Outcome(flooder.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L).ContinueWith(t => t.IsCompletedSuccessfully ? new Ack(0, false) : throw t.Exception!.InnerException!, TaskScheduler.Default))
                    : Outcome(flooder.Invoke("AddNote", id, $"flood {i}", Array.Empty<string>(), null)))
                .ToList();
            var results = await Task.WhenAll(calls);
            var floodSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(500);
            await stop.CancelAsync();
            var (neighbourCalls, neighbourRefusals) = await neighbours;
            var (participantCalls, participantRefusals) = await participants;

            var accepted = ids.Zip(results).Where(p => p.Second.Ack is not null).ToList();
            var refused = results.Where(r => r.Error is not null).ToList();
            figures["floodSeconds"] = Math.Round(floodSeconds, 2);
            figures["accepted"] = accepted.Count;
            figures["refused"] = refused.Count;
            figures["neighbourCalls"] = neighbourCalls;

            // The excess was refused, saying why; what was let through fits the limit.
            Assert.Equal(Flood, accepted.Count + refused.Count);
            Assert.All(refused, r => Assert.IsType<HubException>(r.Error));
            Assert.All(refused, r => Assert.Contains($"Too many calls: at most {Limit} per second", r.Error!.Message, StringComparison.Ordinal));
            Assert.InRange(accepted.Count, 1, Limit * (Math.Ceiling(floodSeconds) + 1));
            Assert.True(refused.Count >= Flood - (Limit * (Math.Ceiling(floodSeconds) + 1)));

            // Everyone else went on as usual.
            Assert.Equal(0, neighbourRefusals);
            Assert.Equal(0, participantRefusals);
            Assert.True(neighbourCalls >= NeighbourCalls && participantCalls >= NeighbourCalls, $"the neighbours made {neighbourCalls} and {participantCalls} calls in 10 s");

            // The flooder's connection is open and, after a pause, works as before.
            Assert.Equal(HubConnectionState.Connected, flooder.Connection.State);
            await Task.Delay(1_100);
            var later = Guid.NewGuid();
            var laterAck = await flooder.Invoke("AddNote", later, "after the pause", Array.Empty<string>(), null);

            // Every accepted write is stored with its seq; no refused one is; seq without a gap.
            var stored = StoredLog.Seqs(server.App, session.Id);
            foreach (var (id, result) in accepted.Where(a => a.Second.Ack!.Seq > 0))
            {
                Assert.True(stored.TryGetValue(id, out var s) && s == result.Ack!.Seq, $"accepted call {result.Ack!.Seq} is not stored");
            }
            Assert.Equal(laterAck.Seq, stored[later]);
            Assert.DoesNotContain(ids.Zip(results).Where(p => p.Second.Error is not null), p => stored.ContainsKey(p.First));
            FaultHelp.AssertGapFree(stored.Values.Order());
            StoredLog.AssertConsistent(server.App);
            outcome = "pass";
        }
        finally
        {
            figures["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
            ReliabilityLog.Record("fault", "rate-limit", Flood, outcome, figures);
        }
    }

    private const int NeighbourCalls = 5;

    /// <summary>
    /// Calls about 10 times a second (half the limit) and counts calls and refusals: until <paramref name="stop"/> is asked for and at least <see cref="NeighbourCalls"/> calls
    /// were made (a loaded machine may need longer than the flood for them), 10 s at most.
    /// </summary>
    private static async Task<(int Calls, int Refusals)> PaceAsync(Live.LiveClient client, Func<int, Task<Ack>> call, CancellationToken stop)
    {
        var (calls, refusals) = (0, 0);
        var deadline = Stopwatch.StartNew();
        while ((!stop.IsCancellationRequested || calls < NeighbourCalls) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                await call(calls);
            }
            catch (HubException)
            {
                refusals++;
            }
            calls++;
            await Task.Delay(100, CancellationToken.None);
        }
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        return (calls, refusals);
    }

    private static async Task<(Ack? Ack, Exception? Error)> Outcome(Task<Ack> call)
    {
        try
        {
            return (await call, null);
        }
        catch (HubException e)
        {
            return (null, e);
        }
    }
}
