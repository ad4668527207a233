using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// The one entry to live sessions for the hub and for Blazor circuits: they say who is calling, this
/// hands the call to the event writer (whose rules decide) or reads what that caller may see.
/// </summary>
public sealed class LiveService(EventWriter writer, EventStore events, SessionStore sessions, MemberStore members, Presence presence)
{
    public Task<Ack> WriteAsync(Caller caller, LiveCommand command) => writer.WriteAsync(caller, command);

    public IReadOnlyList<SessionEvent> EventsSince(Caller caller, long afterSeq) =>
        afterSeq < 0 ? throw new LiveRuleException("afterSeq cannot be negative.") : events.Since(caller.SessionId, afterSeq, caller.Role);

    public LiveState GetState(Caller caller)
    {
        var session = sessions.Get(caller.SessionId) ?? throw new LiveRuleException("This session no longer exists.");
        var online = Audiences.SeesBackroom(caller.Role) ? presence.Online(caller.SessionId) : null;
        return new LiveState(session, online, events.LastSeq(caller.SessionId, caller.Role));
    }

    /// <summary>Revokes an invite and cuts its member's live connections at once.</summary>
    public void RevokeInvite(Guid sessionId, Guid inviteId)
    {
        if (members.RevokeInvite(sessionId, inviteId) is { } memberId)
        {
            presence.Disconnect(memberId);
        }
    }

    /// <summary>The caller behind a member access token; null when unknown or revoked.</summary>
    public Caller? FindCaller(string accessToken) =>
        members.FindByAccessToken(accessToken) is { } m ? new Caller(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName) : null;
}
