using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using System.Net;
using System.Net.Sockets;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;
using SessionRoom.Data.Live;
using SessionRoom.Testing;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>
/// Redis stopped and started again under two running servers (on PostgreSQL, with a Redis of their own that keeps
/// its data in their folder). What another server committed meanwhile, whose publish was lost with the link, reaches
/// this server's clients as soon as the link is back, without waiting for the session's next event (which may never
/// come); and an outage that silenced every server does not end with everyone "left".
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly (string Name, string ConnectionString) _database = PostgresServer.CreateDatabase(migrated: false);
    private readonly int _port = AppServer.FreePort();
    private readonly string _prefix = "SessionRoomTest-" + Guid.NewGuid().ToString("N");
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sessionroom-outage-" + Guid.NewGuid().ToString("N"));
    private Process? _redis;
    private LiveServer _server = default!;
    private LiveServer _other = default!;

    public async Task InitializeAsync()
    {
        _redis = await StartRedisAsync();
        // One after the other: the first migrates the empty database.
        _server = await StartServerAsync();
        _other = await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        await _other.DisposeAsync();
        await _server.DisposeAsync();
        StopRedis();
        PostgresServer.DropDatabase(_database.Name);
    }

    private async Task<LiveServer> StartServerAsync()
    {
        var server = LiveServer.Around(new AppServer
        {
            DataDirectory = _dataDirectory,
            Settings = new Dictionary<string, string>
            {
                ["SessionRoom:Live:CallsPerSecond"] = "100000",
                ["SessionRoom:Redis"] = $"127.0.0.1:{_port}",
                ["SessionRoom:RedisChannelPrefix"] = _prefix,
                ["SessionRoom:Storage:Provider"] = "postgres",
                ["SessionRoom:Storage:ConnectionString"] = _database.ConnectionString,
            },
        });
        await server.InitializeAsync();
        return server;
    }

    /// <summary>
    /// Redis is down for longer than a dead server's silence and comes back with its data (it keeps an append-only
    /// file here): every server's heartbeat is stale at once, the servers reconnect one after the other, and none may
    /// take the others for dead and say their members left.
    /// </summary>
    [Fact]
    public async Task RedisDownLongerThanDeadAfter_NobodyIsSaidToHaveLeft()
    {
        var session = await _server.CreateSessionAsync();
        await using var f = await _server.ConnectAsync(await _server.FacilitatorAsync(session.Id));
        await using var o = await _server.ConnectAsync(await _server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await _other.ConnectAsync(await _server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        await o.WaitForAsync(es => es.Any(e => e.Type == EventTypes.MemberJoined && e.ActorId == p.Member.MemberId), "the participant joining on the other server");

        StopRedis();
        await Task.Delay(RedisFanOut.DeadAfter + TimeSpan.FromSeconds(3));
        _redis = await StartRedisAsync();
        // Long enough for every server to beat, and to sweep, a few times over.
        await Task.Delay(RedisFanOut.DeadAfter + RedisFanOut.Heartbeat * 3);

        var left = (await _server.AllEventsAsync(session.Id)).Where(e => e.Type == EventTypes.MemberLeft).Select(e => e.ActorCode);
        Assert.Empty(left);
        // And the link works again: a reaction on the other server reaches the observer here.
        var reaction = await p.Invoke("React", Guid.NewGuid(), "confused");
        await o.WaitForAsync(es => es.Any(e => e.Seq == reaction.Seq), "the reaction after Redis went on");
    }

    [Fact]
    public async Task EventCommittedElsewhereWhileRedisWasDown_ReachesClients_WhenTheLinkIsBack()
    {
        var session = await _server.CreateSessionAsync();
        await using var f = await _server.ConnectAsync(await _server.FacilitatorAsync(session.Id));
        var observer = await _server.MemberAsync(session.Id, Roles.Observer);
        await using var o = await _server.ConnectAsync(observer);
        var start = await f.Invoke("StartSession", Guid.NewGuid());
        await o.WaitForAsync(es => es.Any(e => e.Seq == start.Seq), "the start of the session");

        StopRedis();
        // Another server of the deployment commits a note; what it would publish is lost with the link.
        using var db = Db.Postgres(_database.ConnectionString);
        var elsewhere = new EventWriter(db, new LiveSessions(new LiveOptions()), new NoPublisher(), TimeProvider.System, _ => { });
        await using (elsewhere)
        {
            var caller = new Caller(observer.MemberId, session.Id, observer.Role, observer.Code, observer.DisplayName);
            var note = await elsewhere.WriteAsync(caller, new AddNote(Guid.NewGuid(), "written while Redis was down", [], null));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(o.Events, e => e.Seq == note.Seq);

            _redis = await StartRedisAsync();
            // The multiplexer reconnects on its own schedule (a few seconds); nothing else is written meanwhile.
            var until = DateTime.UtcNow.AddSeconds(45);
            while (!o.Events.Any(e => e.Seq == note.Seq) && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
            var arrived = Assert.Single(o.Events, e => e.Seq == note.Seq);
            Assert.Equal("written while Redis was down", arrived.Text);
            Assert.Equal(o.Events.Select(e => e.Seq).Order(), o.Events.Select(e => e.Seq));
        }
    }

    /// <summary>
    /// A member leaves the other server while Redis is down, so its "left" never reaches Redis; Redis comes back with
    /// its data. The other server's next beats take the member out of its presence hash, so nobody lists them online.
    /// </summary>
    [Fact]
    public async Task MemberLeavingWhileRedisIsDown_IsNotListedOnlineOnceItIsBack()
    {
        var session = await _server.CreateSessionAsync();
        await using var f = await _server.ConnectAsync(await _server.FacilitatorAsync(session.Id));
        // The observer keeps the other server's presence hash of the session alive (and refreshed) throughout.
        await using var o = await _other.ConnectAsync(await _server.MemberAsync(session.Id, Roles.Observer));
        var p = await _other.ConnectAsync(await _server.MemberAsync(session.Id, Roles.Participant));
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.WaitForAsync(es => es.Any(e => e.Type == EventTypes.MemberJoined && e.ActorId == p.Member.MemberId), "the participant joining");
        Assert.Contains((await f.Connection.InvokeAsync<LiveState>("GetState")).Members!, m => m.MemberId == p.Member.MemberId);

        StopRedis();
        await p.DisposeAsync();
        // Longer than a command waits for the link (5 s), so the leave's script fails rather than runs late.
        await Task.Delay(RedisFanOut.DeadAfter);
        _redis = await StartRedisAsync();

        // member-left was stored on the other server, and reaches this one once the link is back.
        await WaitAsync(
            async () => (await _server.AllEventsAsync(session.Id)).Any(e => e.Type == EventTypes.MemberLeft && e.ActorId == p.Member.MemberId),
            "the participant's member-left stored");
        // The observer listed shows the other server counts as live again (until its first beat after the restart it
        // does not, and then nobody of it is listed); the participant must be gone from that same list.
        await WaitAsync(
            async () => (await f.Connection.InvokeAsync<LiveState>("GetState")).Members! is var online
                && online.Any(m => m.MemberId == o.Member.MemberId) && online.All(m => m.MemberId != p.Member.MemberId),
            "the observer listed online and the participant not");
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    private async Task<Process> StartRedisAsync()
    {
        // Every write in an append-only file, so a restarted Redis comes back with its data (the presence of every server).
        Directory.CreateDirectory(_dataDirectory);
        var process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server could not be started (test.sh installs it).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private void StopRedis()
    {
        if (_redis is { HasExited: false })
        {
            _redis.Kill(entireProcessTree: true);
            _redis.WaitForExit();
        }
        _redis?.Dispose();
        _redis = null;
    }
}
