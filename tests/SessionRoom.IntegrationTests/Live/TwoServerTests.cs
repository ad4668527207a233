using System.Collections.Concurrent;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Testing;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>
/// Two real SessionRoom processes on their own loopback ports sharing one PostgreSQL database
/// (<c>SESSIONROOM_TEST_POSTGRES</c>) and one Redis (<c>SESSIONROOM_TEST_REDIS</c>, host:port); test.sh starts both.
/// They also share one data folder, as a deployment shares its key ring, so either server reads the other's cookies.
/// Each fixture has its own database and channel prefix, so runs sharing the services stay apart.
/// </summary>
public sealed class TwoServers : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "sessionroom-two-" + Guid.NewGuid().ToString("N"));

    public string Prefix { get; } = "SessionRoomTest-" + Guid.NewGuid().ToString("N");

    /// <summary>The servers' database, created empty: the first server to start migrates it.</summary>
    private readonly (string Name, string ConnectionString) database = PostgresServer.CreateDatabase(migrated: false);

    public LiveServer A { get; private set; } = default!;

    public LiveServer B { get; private set; } = default!;

    /// <summary>The Redis to use; fails when none is given, so these tests never pass without one.</summary>
    public static string Redis =>
        Environment.GetEnvironmentVariable("SESSIONROOM_TEST_REDIS") is { Length: > 0 } redis
            ? redis
            : throw new InvalidOperationException(
                "SESSIONROOM_TEST_REDIS is not set: these tests need a Redis server (host:port). Run ./test.sh, which starts one, "
                + "or start `redis-server --port 6391 --bind 127.0.0.1 --save ''` and set SESSIONROOM_TEST_REDIS=127.0.0.1:6391.");

    public Dictionary<string, string> Settings => new()
    {
        ["SessionRoom:Live:CallsPerSecond"] = "100000",
        ["SessionRoom:Redis"] = Redis,
        ["SessionRoom:RedisChannelPrefix"] = Prefix,
        ["SessionRoom:Storage:Provider"] = "postgres",
        ["SessionRoom:Storage:ConnectionString"] = database.ConnectionString,
    };

    /// <summary>The session's events as PostgreSQL holds them, read past both servers.</summary>
    public long CountStoredEvents(Guid sessionId)
    {
        using var connection = new NpgsqlConnection(database.ConnectionString);
        return connection.ExecuteScalar<long>("SELECT count(*) FROM events WHERE session_id = @sessionId", new { sessionId });
    }

    public async Task InitializeAsync()
    {
        // One after the other: the first one migrates the empty database.
        A = LiveServer.Around(new AppServer { Settings = Settings, DataDirectory = DataDirectory });
        await A.InitializeAsync();
        B = LiveServer.Around(new AppServer { Settings = Settings, DataDirectory = DataDirectory });
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
        }
        if (A is not null)
        {
            await A.DisposeAsync();
        }
        PostgresServer.DropDatabase(database.Name);
    }
}

/// <summary>Fan-out, audience isolation, order, idempotency and presence with members spread over two servers.</summary>
public sealed class TwoServerTests(TwoServers servers) : IClassFixture<TwoServers>
{
    private LiveServer A => servers.A;

    private LiveServer B => servers.B;

    [Fact]
    public async Task Events_WrittenOnBothServers_ReachEveryAudienceOnBothInSeqOrderOnce()
    {
        var session = await A.CreateSessionAsync();
        await using var f = await A.ConnectAsync(await A.FacilitatorAsync(session.Id));
        await using var oB = await B.ConnectAsync(await A.MemberAsync(session.Id, Roles.Observer));
        await using var oA = await A.ConnectAsync(await A.MemberAsync(session.Id, Roles.Observer));
        await using var pB = await B.ConnectAsync(await A.MemberAsync(session.Id, Roles.Participant));
        await using var pA = await A.ConnectAsync(await B.MemberAsync(session.Id, Roles.Participant));
        var backroom = new[] { f, oA, oB };
        var room = new[] { pA, pB };

        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);

        // The headline: a participant's reaction sent to B reaches an observer on A.
        var reaction = await pB.Invoke("React", Guid.NewGuid(), "delight");
        await oA.WaitForAsync(es => es.Any(e => e.Seq == reaction.Seq && e.Type == EventTypes.Reaction), "the reaction sent to server B");

        // Both servers write to the session at once.
        async Task<List<Ack>> Many(LiveClient client, Func<int, Task<Ack>> write)
        {
            var acks = new List<Ack>();
            for (var i = 0; i < 15; i++)
            {
                acks.Add(await write(i));
            }
            return acks;
        }
        var writes = await Task.WhenAll(
            Many(pA, _ => pA.Invoke("React", Guid.NewGuid(), "confused")),
            Many(pB, _ => pB.Invoke("React", Guid.NewGuid(), "delight")),
            Many(oA, i => oA.Invoke("AddNote", Guid.NewGuid(), $"note A{i}", new[] { "confused" }, pA.Member.MemberId)),
            Many(oB, i => oB.Invoke("MessageBackroom", Guid.NewGuid(), $"message B{i}")),
            Many(pB, _ => pB.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "from B"))));
        var last = writes.SelectMany(w => w).Max(a => a.Seq);

        var stored = await A.AllEventsAsync(session.Id);
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), stored.Where(e => e.Seq <= last).Select(e => e.Seq));
        // Both servers wrote to the one PostgreSQL database, not to a file in their shared folder.
        Assert.Equal(stored.Count, servers.CountStoredEvents(session.Id));
        Assert.Empty(Directory.GetFiles(servers.DataDirectory, "*.db"));

        foreach (var client in backroom.Concat(room))
        {
            var target = stored.Where(e => e.Seq <= last && Audiences.CanSee(client.Member.Role, e.Audience)).Max(e => e.Seq);
            await client.WaitForAsync(es => es.Any(e => e.Seq == target), $"its audience's events up to seq {target}");
        }
        await Task.Delay(300);
        foreach (var client in backroom)
        {
            // One server's connection sees every event committed on either, once, in seq order, without gaps.
            var seqs = client.Events.Select(e => e.Seq).Where(s => s <= last).ToList();
            Assert.Equal(Enumerable.Range((int)seqs[0], (int)(last - seqs[0] + 1)).Select(i => (long)i), seqs);
        }
        foreach (var client in room)
        {
            Assert.All(client.Events, e => Assert.Equal(Audiences.Room, e.Audience));
            var seqs = client.Events.Select(e => e.Seq).Where(s => s <= last).ToList();
            var expected = stored.Where(e => e.Audience == Audiences.Room && e.Seq >= seqs[0] && e.Seq <= last).Select(e => e.Seq);
            Assert.Equal(expected, seqs);
        }
    }

    [Fact]
    public async Task SameClientEventId_SentToBothServers_IsStoredOnce()
    {
        var session = await A.CreateSessionAsync();
        await using var f = await B.ConnectAsync(await A.FacilitatorAsync(session.Id));
        var participant = await A.MemberAsync(session.Id, Roles.Participant);
        await using var onA = await A.ConnectAsync(participant);
        await using var onB = await B.ConnectAsync(participant);
        await f.Invoke("StartSession", Guid.NewGuid());

        for (var round = 0; round < 5; round++)
        {
            var id = Guid.NewGuid();
            var acks = await Task.WhenAll(onA.Invoke("React", id, "delight"), onB.Invoke("React", id, "delight"));
            Assert.Equal(acks[0].Seq, acks[1].Seq);
            Assert.Single(acks, a => !a.Duplicate);
            Assert.Single(await A.AllEventsAsync(session.Id), e => e.ClientEventId == id);
        }
    }

    [Fact]
    public async Task Member_ConnectedToBothServers_JoinsOnceAndLeavesOnce_AndIsListedOnline()
    {
        var session = await A.CreateSessionAsync();
        await using var f = await A.ConnectAsync(await A.FacilitatorAsync(session.Id));
        var observer = await A.MemberAsync(session.Id, Roles.Observer);
        var onB = await B.ConnectAsync(observer);
        var onA = await A.ConnectAsync(observer);
        int Count(IEnumerable<SessionEvent> events, string type) => events.Count(e => e.Type == type && e.ActorId == observer.MemberId);

        await f.WaitForAsync(es => Count(es, EventTypes.MemberJoined) == 1, "the observer's member-joined");
        var state = await f.Connection.InvokeAsync<LiveState>("GetState");
        Assert.Contains(state.Members!, m => m.MemberId == observer.MemberId);

        await onA.DisposeAsync();
        await Task.Delay(500);
        Assert.Equal(0, Count(await A.AllEventsAsync(session.Id), EventTypes.MemberLeft));
        state = await f.Connection.InvokeAsync<LiveState>("GetState");
        Assert.Contains(state.Members!, m => m.MemberId == observer.MemberId);

        await onB.DisposeAsync();
        await f.WaitForAsync(es => Count(es, EventTypes.MemberLeft) == 1, "the observer's member-left");
        await Task.Delay(300);
        var stored = await A.AllEventsAsync(session.Id);
        Assert.Equal(1, Count(stored, EventTypes.MemberJoined));
        Assert.Equal(1, Count(stored, EventTypes.MemberLeft));
        state = await f.Connection.InvokeAsync<LiveState>("GetState");
        Assert.DoesNotContain(state.Members!, m => m.MemberId == observer.MemberId);
    }

    [Fact]
    public async Task Revoke_OnOneServer_ClosesTheMembersConnectionOnTheOther()
    {
        var session = await A.CreateSessionAsync();
        var invite = await A.Http.PostAsync($"/api/sessions/{session.Id}/invites", System.Net.Http.Json.JsonContent.Create(new { role = "observer" }));
        var location = invite.Headers.Location!.ToString();
        var token = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<CreatedInvite>(invite.Content))!.Token;
        using var anonymous = new HttpClient { BaseAddress = new Uri(B.App.BaseUrl) };
        var member = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Member>(
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(anonymous, "/api/join", new { token })).Content))!;
        await using var onB = await B.ConnectAsync(member);
        var closed = new TaskCompletionSource();
        onB.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        var revoke = await A.Http.DeleteAsync(location);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, revoke.StatusCode);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>An affinity board open on a third, in-process server reloads when the board is changed through A.</summary>
    [Fact]
    public async Task BoardChange_OnOneServer_ReachesBoardPagesOnAnother()
    {
        var session = await A.CreateSessionAsync();
        using var c = ThirdServer();
        var boards = c.Services.GetRequiredService<BoardChanges>();
        var changes = new ConcurrentQueue<BoardChange>();
        using var subscription = boards.Subscribe(session.StudyId, changes.Enqueue);
        using var other = boards.Subscribe(Guid.NewGuid(), changes.Enqueue);

        var created = await A.Http.PostAsync($"/api/studies/{session.StudyId}/themes", System.Net.Http.Json.JsonContent.Create(new { name = "Pricing" }));
        created.EnsureSuccessStatusCode();

        var until = DateTime.UtcNow.AddSeconds(10);
        while (changes.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < until, "the board page on the third server was not told of the change made through A");
            await Task.Delay(20);
        }
        await Task.Delay(300);
        Assert.All(changes, change => Assert.Equal(session.StudyId, change.StudyId));
        Assert.Single(changes);
    }

    /// <summary>The Blazor pages' path: a third server, in-process, whose subscribers get what is written on B.</summary>
    [Fact]
    public async Task InProcessSubscriber_OnAnotherServer_SeesAParticipantsReactionSentToB()
    {
        var session = await A.CreateSessionAsync();
        await using var f = await B.ConnectAsync(await A.FacilitatorAsync(session.Id));
        await using var p = await B.ConnectAsync(await A.MemberAsync(session.Id, Roles.Participant));
        using var c = ThirdServer();
        var broadcaster = c.Services.GetRequiredService<SessionBroadcaster>();
        var seen = new ConcurrentQueue<SessionEvent>();
        var roomSeen = new ConcurrentQueue<SessionEvent>();
        using var observer = broadcaster.Subscribe(new Caller(Guid.NewGuid(), session.Id, Roles.Observer, "O9", "Watcher"), e => { seen.Enqueue(e); return Task.CompletedTask; });
        using var participant = broadcaster.Subscribe(new Caller(Guid.NewGuid(), session.Id, Roles.Participant, "P9", "Other"), e => { roomSeen.Enqueue(e); return Task.CompletedTask; });

        await f.Invoke("StartSession", Guid.NewGuid());
        var note = await f.Invoke("AddNote", Guid.NewGuid(), "backroom only", new[] { "confused" }, null);
        var reaction = await p.Invoke("React", Guid.NewGuid(), "confused");

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!seen.Any(e => e.Seq == reaction.Seq) || !roomSeen.Any(e => e.Seq == reaction.Seq))
        {
            Assert.True(DateTime.UtcNow < until, $"the in-process subscribers on the third server did not get the reaction; they have {seen.Count} and {roomSeen.Count} events");
            await Task.Delay(20);
        }
        Assert.Contains(seen, e => e.Seq == note.Seq);
        Assert.DoesNotContain(roomSeen, e => e.Seq == note.Seq);
        Assert.All(roomSeen, e => Assert.Equal(Audiences.Room, e.Audience));
        var seqs = seen.Select(e => e.Seq).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Distinct(), seqs);
    }

    /// <summary>A third server of the deployment, in this process (so its in-process subscriptions can be reached).</summary>
    private SessionRoomFactory ThirdServer()
    {
        var settings = servers.Settings;
        settings["SessionRoom:DataDirectory"] = servers.DataDirectory;
        return new SessionRoomFactory(null, AppServer.FacilitatorKey, settings);
    }
}

/// <summary>One of the two servers dies; its clients reconnect to the other and lose no acknowledged event.</summary>
public sealed class TwoServerFailoverTests(TwoServers servers) : IClassFixture<TwoServers>
{
    [Fact]
    public async Task ServerKilled_ItsClientsReconnectToTheOther_AndCatchUpWithoutLosingAnAcknowledgedEvent()
    {
        var (a, b) = (servers.A, servers.B);
        var session = await a.CreateSessionAsync();
        await using var f = await b.ConnectAsync(await a.FacilitatorAsync(session.Id));
        var observer = await a.MemberAsync(session.Id, Roles.Observer);
        var participant = await a.MemberAsync(session.Id, Roles.Participant);
        var oA = await a.ConnectAsync(observer);
        var pA = await a.ConnectAsync(participant);
        // Only on A, and does not come back: it leaves with A.
        var leaver = await a.MemberAsync(session.Id, Roles.Observer);
        var leaverOnA = await a.ConnectAsync(leaver);
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);

        var reactions = new List<long>();
        var notes = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            reactions.Add((await pA.Invoke("React", Guid.NewGuid(), "delight")).Seq);
            notes.Add((await oA.Invoke("AddNote", Guid.NewGuid(), $"note {i}", Array.Empty<string>(), null)).Seq);
        }
        var observerSeen = oA.Events.Select(e => e.Seq).DefaultIfEmpty(0).Max();
        var participantSeen = pA.Events.Select(e => e.Seq).DefaultIfEmpty(0).Max();

        a.App.Kill();
        await oA.DisposeAsync();
        await pA.DisposeAsync();
        await leaverOnA.DisposeAsync();

        // Reconnected to B, each asks for what it has not seen.
        await using var oB = await b.ConnectAsync(observer);
        await using var pB = await b.ConnectAsync(participant);
        var observerCaughtUp = oA.Events.Select(e => e.Seq)
            .Concat((await oB.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", observerSeen)).Select(e => e.Seq)).ToHashSet();
        var participantCaughtUp = (await pB.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", participantSeen)).ToList();
        Assert.All(reactions.Concat(notes), seq => Assert.Contains(seq, observerCaughtUp));
        var participantHas = pA.Events.Select(e => e.Seq).Concat(participantCaughtUp.Select(e => e.Seq)).ToHashSet();
        Assert.All(reactions, seq => Assert.Contains(seq, participantHas));
        Assert.All(participantCaughtUp, e => Assert.Equal(Audiences.Room, e.Audience));
        Assert.DoesNotContain(notes, seq => participantHas.Contains(seq));

        // Writing goes on at B, and B's own connections have every acknowledged event in seq order, without gaps.
        var after = await pB.Invoke("React", Guid.NewGuid(), "confused");
        await oB.WaitForAsync(es => es.Any(e => e.Seq == after.Seq), "the reaction written after the failover");
        await f.WaitForAsync(es => es.Any(e => e.Seq == after.Seq), "the reaction written after the failover");
        var seqs = f.Events.Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
        Assert.All(reactions.Concat(notes), seq => Assert.Contains(seq, seqs));
        var stored = await b.AllEventsAsync(session.Id);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(e => e.Seq));

        // A's members stop counting once A is found dead: the one that did not come back leaves (once), the two that
        // reconnected to B in time neither left nor joined again.
        var until = DateTime.UtcNow + RedisFanOut.DeadAfter + TimeSpan.FromSeconds(15);
        while (!stored.Any(e => e.Type == EventTypes.MemberLeft && e.ActorId == leaver.MemberId))
        {
            Assert.True(DateTime.UtcNow < until, "no member-left for the member whose server died");
            await Task.Delay(250);
            stored = await b.AllEventsAsync(session.Id);
        }
        await Task.Delay(RedisFanOut.Heartbeat * 2);
        stored = await b.AllEventsAsync(session.Id);
        Assert.Single(stored, e => e.Type == EventTypes.MemberLeft && e.ActorId == leaver.MemberId);
        foreach (var member in new[] { observer, participant })
        {
            Assert.DoesNotContain(stored, e => e.Type == EventTypes.MemberLeft && e.ActorId == member.MemberId);
            Assert.Single(stored, e => e.Type == EventTypes.MemberJoined && e.ActorId == member.MemberId);
        }
        var state = await f.Connection.InvokeAsync<LiveState>("GetState");
        Assert.DoesNotContain(state.Members!, m => m.MemberId == leaver.MemberId);
        Assert.Contains(state.Members!, m => m.MemberId == observer.MemberId);
    }
}
