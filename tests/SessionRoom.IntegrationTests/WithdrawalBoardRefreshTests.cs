using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Realtime;

namespace SessionRoom.IntegrationTests;

/// <summary>A withdrawal deletes theme cards with the events, so open affinity boards of the study are told to reload.</summary>
[Collection(ApiCollection.Name)]
public sealed class WithdrawalBoardRefreshTests(SessionRoomFactory factory)
{
    [Fact]
    public async Task Withdraw_TellsTheStudysOpenBoards()
    {
        using var client = factory.CreateFacilitatorClient();
        var members = factory.Services.GetRequiredService<MemberStore>();
        var live = factory.Services.GetRequiredService<LiveService>();
        var boards = factory.Services.GetRequiredService<BoardChanges>();
        var studyId = await client.CreateStudy("Board refresh");
        var otherStudyId = await client.CreateStudy("Another board");
        var session = (await client.CreateSession(studyId)).Deserialize<Session>(JsonSerializerOptions.Web)!;
        var f = members.FacilitatorMember(session.Id, "Facilitator");
        var p = members.Join(members.CreateInvite(session.Id, Roles.Participant, null).Token, null)!;
        var facilitator = new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName);
        await live.WriteAsync(facilitator, new StartSession(Guid.NewGuid()));
        await live.WriteAsync(facilitator, new EndSession(Guid.NewGuid()));
        var seen = new List<BoardChange>();
        var elsewhere = new List<BoardChange>();
        using var subscription = boards.Subscribe(studyId, seen.Add);
        using var other = boards.Subscribe(otherStudyId, elsewhere.Add);

        live.Withdraw(session.Id, p.MemberId);

        var change = Assert.Single(seen);
        Assert.Equal((studyId, "withdrawal"), (change.StudyId, change.What));
        Assert.Empty(elsewhere);
    }
}
