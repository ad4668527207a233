using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Blazor circuits subscribe in-process; they must see what a hub client of the same role sees, in seq order.</summary>
[Collection(ApiCollection.Name)]
public sealed class InProcessSubscriptionTests(SessionRoomFactory factory)
{
    [Fact]
    public async Task Subscribe_ByRole_DeliversOnlyVisibleEventsInSeqOrder()
    {
        var services = factory.Services;
        var studies = services.GetRequiredService<StudyStore>();
        var sessions = services.GetRequiredService<SessionStore>();
        var members = services.GetRequiredService<MemberStore>();
        var live = services.GetRequiredService<LiveService>();
        var broadcaster = services.GetRequiredService<SessionBroadcaster>();

        var study = studies.Create(StudyRules.Study(new StudyInput("In-process")));
        var session = sessions.Create(study.Id, StudyRules.Session(new SessionInput("S", SessionModes.FocusGroup, ["confused"],
            [new PromptInput(PromptKinds.Question, "Why?")])))!;
        var facilitator = Caller(members.FacilitatorMember(session.Id, "Facilitator"));
        var (_, inviteToken) = members.CreateInvite(session.Id, Roles.Participant, null);
        var participant = Caller(members.Join(inviteToken, null)!);

        var roomSeen = new ConcurrentQueue<SessionEvent>();
        var backroomSeen = new ConcurrentQueue<SessionEvent>();
        var otherSessionSeen = new ConcurrentQueue<SessionEvent>();
        var observer = new Caller(Guid.NewGuid(), session.Id, Roles.Observer, "O9", "Watcher");
        var elsewhere = new Caller(Guid.NewGuid(), Guid.NewGuid(), Roles.Facilitator, "F1", "Other");
        using var room = broadcaster.Subscribe(participant, e => { roomSeen.Enqueue(e); return Task.CompletedTask; });
        using var backroom = broadcaster.Subscribe(observer, e => { backroomSeen.Enqueue(e); return Task.CompletedTask; });
        using var other = broadcaster.Subscribe(elsewhere, e => { otherSessionSeen.Enqueue(e); return Task.CompletedTask; });

        await live.WriteAsync(facilitator, new StartSession(Guid.NewGuid()));
        await live.WriteAsync(facilitator, new ShowPrompt(Guid.NewGuid(), session.Prompts[0].Id));
        await live.WriteAsync(facilitator, new AddNote(Guid.NewGuid(), "backroom only", ["confused"], participant.MemberId));
        await live.WriteAsync(participant, new GiveAnswer(Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "Because")));
        var last = await live.WriteAsync(participant, new React(Guid.NewGuid(), "confused"));

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!backroomSeen.Any(e => e.Seq == last.Seq) || !roomSeen.Any(e => e.Seq == last.Seq))
        {
            Assert.True(DateTime.UtcNow < until, "subscribers did not receive the events");
            await Task.Delay(20);
        }

        Assert.Equal(
            [EventTypes.SessionStarted, EventTypes.PromptShown, EventTypes.Note, EventTypes.Answer, EventTypes.Reaction],
            backroomSeen.Select(e => e.Type));
        Assert.Equal([EventTypes.SessionStarted, EventTypes.PromptShown, EventTypes.Reaction], roomSeen.Select(e => e.Type));
        Assert.All(roomSeen, e => Assert.Equal(Audiences.Room, e.Audience));
        var seqs = backroomSeen.Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
        Assert.Empty(otherSessionSeen);
    }

    private static Caller Caller(Member m) => new(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName);
}
