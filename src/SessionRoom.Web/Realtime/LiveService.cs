using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// The one entry to live sessions for the hub and for Blazor circuits: they say who is calling, this
/// hands the call to the event writer (whose rules decide) or reads what that caller may see.
/// </summary>
/// <remarks>
/// Presence is decided in two steps: <see cref="Presence"/> says whether a connection is the member's first (or last)
/// on this server, and with several servers <see cref="RedisFanOut"/> says whether it is also their first (or last) on
/// any live server, so a member connected to two servers is announced once and leaves once.
/// </remarks>
public sealed class LiveService(
    EventWriter writer, EventStore events, SessionStore sessions, MemberStore members, WithdrawalStore withdrawals, Presence presence, BoardChanges boards,
    RedisFanOut? fanOut = null)
{
    public Task<Ack> WriteAsync(Caller caller, LiveCommand command) => writer.WriteAsync(caller, command);

    /// <summary>
    /// A connection (hub or circuit) opened; the member's first one announces them (member-joined). When
    /// that cannot be stored (the database is failing), the connection is forgotten again and the error
    /// goes to the caller, who closes it: the member's next connection announces them.
    /// </summary>
    public async Task ConnectedAsync(Caller caller, string connectionId, Action abort)
    {
        if (presence.Connected(caller, connectionId, abort))
        {
            try
            {
                if (fanOut is null || await fanOut.JoinedAsync(caller))
                {
                    await writer.WriteAsync(caller, new JoinPresence(Guid.NewGuid()));
                }
            }
            catch
            {
                if (presence.Disconnected(caller, connectionId) && fanOut is not null)
                {
                    await fanOut.LeftAsync(caller);
                }
                throw;
            }
        }
    }

    /// <summary>A connection closed; the member's last one says they left (member-left).</summary>
    public async Task DisconnectedAsync(Caller caller, string connectionId)
    {
        if (presence.Disconnected(caller, connectionId) && (fanOut is null || await fanOut.LeftAsync(caller)))
        {
            try
            {
                await writer.WriteAsync(caller, new LeavePresence(Guid.NewGuid()));
            }
            catch (LiveRuleException)
            {
                // The session was deleted while they were connected: nobody is left to tell.
            }
        }
    }

    /// <summary>The facilitator's own member of a session, for the console (signed in by cookie, so no token).</summary>
    public Caller FacilitatorOf(Guid sessionId)
    {
        var m = members.FacilitatorInfo(sessionId, "Facilitator");
        return new Caller(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName);
    }

    public IReadOnlyList<SessionEvent> EventsSince(Caller caller, long afterSeq) =>
        afterSeq < 0 ? throw new LiveRuleException("afterSeq cannot be negative.") : events.Since(caller, afterSeq);

    public LiveState GetState(Caller caller)
    {
        var session = sessions.Get(caller.SessionId) ?? throw new LiveRuleException("This session no longer exists.");
        if (!Audiences.SeesBackroom(caller.Role))
        {
            // Participants see the guide as it unfolds: prompts not yet shown, and tasks' success criteria, stay in the backroom.
            var shown = events.ShownPromptIds(caller.SessionId);
            session = session with { Prompts = session.Prompts.Where(p => shown.Contains(p.Id)).Select(p => p.ForRoom()).ToList() };
        }
        var online = !Audiences.SeesBackroom(caller.Role) ? null
            : fanOut is not null ? fanOut.Online(caller.SessionId) : presence.Online(caller.SessionId);
        return new LiveState(session, online, events.LastSeq(caller));
    }

    /// <summary>Revokes an invite and cuts its member's live connections at once.</summary>
    public void RevokeInvite(Guid sessionId, Guid inviteId)
    {
        if (members.RevokeInvite(sessionId, inviteId) is { } memberId)
        {
            CutOff(memberId);
        }
    }

    /// <summary>
    /// A participant withdraws consent: their data is deleted (see <see cref="WithdrawalStore"/>) and any
    /// connection they still hold is closed (its member-left is refused: nothing is written in their name).
    /// </summary>
    public Withdrawal Withdraw(Guid sessionId, Guid memberId)
    {
        var withdrawal = withdrawals.Withdraw(sessionId, memberId);
        CutOff(memberId);
        // Their theme cards went with their events: open affinity boards of the study reload.
        if (sessions.Get(sessionId) is { } session)
        {
            boards.Publish(new BoardChange(session.StudyId, "withdrawal"));
        }
        return withdrawal;
    }

    /// <summary>Closes the member's live connections on this server and on every other.</summary>
    private void CutOff(Guid memberId)
    {
        presence.Disconnect(memberId);
        fanOut?.PublishCut(memberId);
    }

    /// <summary>The caller behind a member access token; null when unknown or revoked.</summary>
    public Caller? FindCaller(string accessToken) =>
        members.FindByAccessToken(accessToken) is { } m ? new Caller(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName) : null;
}
