using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>The built app killed with SIGKILL while writes stream in: no acknowledged event is lost.</summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    private readonly LiveServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task KillMidStream_Restart_EveryAcknowledgedEventIsThereWithoutGapsAndWritingResumes()
    {
        var session = await _server.CreateSessionAsync();
        var facilitator = await _server.FacilitatorAsync(session.Id);
        var observer = await _server.MemberAsync(session.Id, Roles.Observer);
        await using (var f = await _server.ConnectAsync(facilitator))
        {
            await f.Invoke("StartSession", Guid.NewGuid());
        }

        var acked = new ConcurrentDictionary<Guid, long>();
        var writers = new List<LiveClient>();
        for (var i = 0; i < 4; i++)
        {
            writers.Add(await _server.ConnectAsync(observer));
        }
        using var stop = new CancellationTokenSource();
        var streams = writers.Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Guid.NewGuid();
                try
                {
                    var ack = await w.Invoke("AddNote", id, "streamed note", Array.Empty<string>(), null);
                    acked[id] = ack.Seq;
                }
                catch (Exception e) when (e is HubException or InvalidOperationException or IOException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
                {
                    return; // The server died mid-call: this write was never acknowledged.
                }
            }
        })).ToList();

        while (acked.Count < 300)
        {
            await Task.Delay(10);
        }
        _server.App.Kill();
        stop.Cancel();
        await Task.WhenAll(streams);
        foreach (var w in writers)
        {
            await w.DisposeAsync();
        }

        await _server.App.InitializeAsync();
        var events = await _server.AllEventsAsync(session.Id);
        var stored = events.ToDictionary(e => e.ClientEventId, e => e.Seq);
        foreach (var (id, seq) in acked)
        {
            Assert.True(stored.TryGetValue(id, out var s) && s == seq, $"acknowledged event {seq} is missing after the crash");
        }
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));

        await using var after = await _server.ConnectAsync(observer);
        var next = await after.Invoke("AddNote", Guid.NewGuid(), "after the restart", Array.Empty<string>(), null);
        Assert.True(next.Seq > events[^1].Seq);
        var final = await _server.AllEventsAsync(session.Id);
        Assert.Equal(Enumerable.Range(1, final.Count).Select(i => (long)i), final.Select(e => e.Seq));
    }
}
