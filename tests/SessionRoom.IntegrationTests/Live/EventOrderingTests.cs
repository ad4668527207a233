using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Hubs;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Events of one session reaching a server from several servers in any order go out once, in seq order.</summary>
public sealed class EventSequencerTests
{
    private static readonly Guid Session = Guid.NewGuid();

    [Fact]
    public void Arrive_EarlyEvent_IsHeldUntilTheGapFills()
    {
        var sequencer = new EventSequencer(TimeProvider.System);

        Assert.Equal([1L], Seqs(sequencer.Arrive(Event(1), out var opened1)));
        Assert.False(opened1);
        Assert.Empty(sequencer.Arrive(Event(3), out var opened3));
        Assert.True(opened3);
        Assert.Empty(sequencer.Arrive(Event(4), out var opened4));
        Assert.False(opened4);
        Assert.True(sequencer.TryGetGap(Session, out var after, out var upTo, out _));
        Assert.Equal((1L, 4L), (after, upTo));

        Assert.Equal([2L, 3L, 4L], Seqs(sequencer.Arrive(Event(2), out _)));
        Assert.False(sequencer.TryGetGap(Session, out _, out _, out _));
        Assert.Equal(0, sequencer.HeldCount);
    }

    [Fact]
    public void Arrive_EchoOrLateCopy_IsNotDeliveredAgain()
    {
        var sequencer = new EventSequencer(TimeProvider.System);
        sequencer.Arrive(Event(7), out _);
        sequencer.Arrive(Event(8), out _);
        sequencer.Arrive(Event(10), out _);

        Assert.Empty(sequencer.Arrive(Event(8), out _));
        Assert.Empty(sequencer.Arrive(Event(7), out _));
        Assert.Empty(sequencer.Arrive(Event(10), out _));
        Assert.Equal([9L, 10L], Seqs(sequencer.Arrive(Event(9), out _)));
        Assert.Empty(sequencer.Arrive(Event(9), out _));
    }

    [Fact]
    public void Fill_FromTheStore_DeliversHeldAndStoredInOrder_SkippingSeqsTheStoreNoLongerHas()
    {
        var sequencer = new EventSequencer(TimeProvider.System);
        sequencer.Arrive(Event(1), out _);
        sequencer.Arrive(Event(5), out _);
        sequencer.Arrive(Event(7), out _);

        // 2 was deleted by a consent withdrawal; 3 and 4 were committed but never published; 6 is not read yet.
        var ready = sequencer.Fill(Session, 5, [Event(3), Event(4), Event(5)], out var stillHolding);

        Assert.Equal([3L, 4L, 5L], Seqs(ready));
        Assert.True(stillHolding);
        Assert.Equal([6L, 7L], Seqs(sequencer.Arrive(Event(6), out _)));
    }

    [Fact]
    public void Arrive_Sessions_AreOrderedIndependently()
    {
        var sequencer = new EventSequencer(TimeProvider.System);
        var other = Guid.NewGuid();
        sequencer.Arrive(Event(1), out _);
        Assert.Empty(sequencer.Arrive(Event(3), out _));
        Assert.Equal([40L], Seqs(sequencer.Arrive(Event(40) with { SessionId = other }, out _)));
        Assert.Equal([41L], Seqs(sequencer.Arrive(Event(41) with { SessionId = other }, out _)));
    }

    private static long[] Seqs(IEnumerable<SessionEvent> events) => events.Select(e => e.Seq).ToArray();

    private static SessionEvent Event(long seq) =>
        new(seq, Guid.NewGuid(), Guid.NewGuid(), EventTypes.Reaction, Audiences.Room, null, null, null, null, 0, DateTimeOffset.UnixEpoch, null, [], JsonDocument.Parse("{}").RootElement)
        {
            SessionId = Session,
        };
}

/// <summary>
/// The broadcaster in its several-server mode, over a real SQLite event log: an early event waits for the gap, a gap
/// that does not fill is read from the database after the wait, and echoes are not delivered twice.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BroadcasterOrderingTests(SessionRoomFactory factory)
{
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task Receive_OutOfOrder_HoldsGap_FillsItFromTheDatabaseAfterTheWait_AndSkipsEchoes()
    {
        var services = factory.Services;
        var (session, facilitator, participant) = NewSession(services);
        var live = services.GetRequiredService<LiveService>();
        await live.WriteAsync(facilitator, new StartSession(Guid.NewGuid()));
        await live.WriteAsync(facilitator, new ShowPrompt(Guid.NewGuid(), session.Prompts[0].Id));
        await live.WriteAsync(participant, new React(Guid.NewGuid(), "confused"));
        await live.WriteAsync(facilitator, new AddNote(Guid.NewGuid(), "backroom only", [], null));
        await live.WriteAsync(participant, new React(Guid.NewGuid(), "confused"));
        var stored = services.GetRequiredService<EventStore>().Since(facilitator, 0);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stored.Select(e => e.Seq));
        SessionEvent At(long seq) => stored.Single(e => e.Seq == seq);

        var broadcaster = new SessionBroadcaster(
            services.GetRequiredService<IHubContext<SessionHub, ISessionClient>>(), Options.Create(new LiveOptions()), NullLogger<SessionBroadcaster>.Instance,
            services.GetRequiredService<EventStore>(), TimeProvider.System, fanOut: null, ordered: true, gapWait: Wait);
        await broadcaster.StartAsync(CancellationToken.None);
        try
        {
            var backroom = new ConcurrentQueue<SessionEvent>();
            var room = new ConcurrentQueue<SessionEvent>();
            using var b = broadcaster.Subscribe(facilitator, e => { backroom.Enqueue(e); return Task.CompletedTask; });
            using var r = broadcaster.Subscribe(participant, e => { room.Enqueue(e); return Task.CompletedTask; });

            // 1, then 3 early: 3 waits for 2.
            broadcaster.Receive([At(1)]);
            broadcaster.Receive([At(3)]);
            await Until(() => backroom.Count == 1, "seq 1");
            await Task.Delay(150);
            Assert.Equal([1L], backroom.Select(e => e.Seq));

            // 2 arrives before the wait is over: 2 and 3 go out, in order.
            broadcaster.Receive([At(2)]);
            await Until(() => backroom.Count == 3, "seqs 2 and 3");

            // 5 arrives and 4 never does (its server died after the commit): after the wait, 4 is read from the database.
            var sent = DateTime.UtcNow;
            broadcaster.Receive([At(5)]);
            await Until(() => backroom.Count == 5, "seq 4 from the database, then 5");
            Assert.True(DateTime.UtcNow - sent >= Wait - TimeSpan.FromMilliseconds(50), "the gap was filled before the wait was over");
            Assert.Equal([1L, 2L, 3L, 4L, 5L], backroom.Select(e => e.Seq));
            Assert.Equal(At(4).Id, backroom.Single(e => e.Seq == 4).Id);
            Assert.Equal("backroom only", backroom.Single(e => e.Seq == 4).Text);

            // Echoes of what went out already (a server hears its own publishes): nothing goes out twice.
            broadcaster.Receive([At(2), At(4), At(5)]);
            await Task.Delay(Wait * 2);
            Assert.Equal([1L, 2L, 3L, 4L, 5L], backroom.Select(e => e.Seq));

            // The participant got the room events only, the one read from the database included in the rule.
            Assert.Equal([1L, 2L, 3L, 5L], room.Select(e => e.Seq));
        }
        finally
        {
            await broadcaster.StopAsync(CancellationToken.None);
        }
    }

    private static (Session Session, Caller Facilitator, Caller Participant) NewSession(IServiceProvider services)
    {
        var study = services.GetRequiredService<StudyStore>().Create(StudyRules.Study(new StudyInput("Ordering")));
        var session = services.GetRequiredService<SessionStore>().Create(study.Id, StudyRules.Session(new SessionInput("S", SessionModes.FocusGroup, ["confused"],
            [new PromptInput(PromptKinds.Question, "Why?")])))!;
        var members = services.GetRequiredService<MemberStore>();
        var f = members.FacilitatorMember(session.Id, "Facilitator");
        var (_, token) = members.CreateInvite(session.Id, Roles.Participant, null);
        var p = members.Join(token, null)!;
        return (session, new Caller(f.MemberId, f.SessionId, f.Role, f.Code, f.DisplayName), new Caller(p.MemberId, p.SessionId, p.Role, p.Code, p.DisplayName));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"not delivered: {what}");
            await Task.Delay(10);
        }
    }
}
