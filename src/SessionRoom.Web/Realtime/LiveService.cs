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
public sealed class LiveService(EventWriter writer, EventStore events, SessionStore sessions, MemberStore members, WithdrawalStore withdrawals, Presence presence, BoardChanges boards)
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
                await writer.WriteAsync(caller, new JoinPresence(Guid.NewGuid()));
            }
            catch
            {
                presence.Disconnected(caller, connectionId);
                throw;
            }
        }
    }

    /// <summary>A connection closed; the member's last one says they left (member-left).</summary>
    public async Task DisconnectedAsync(Caller caller, string connectionId)
    {
        if (presence.Disconnected(caller, connectionId))
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
        var online = Audiences.SeesBackroom(caller.Role) ? presence.Online(caller.SessionId) : null;
        return new LiveState(session, online, events.LastSeq(caller));
    }

    /// <summary>Revokes an invite and cuts its member's live connections at once.</summary>
    public void RevokeInvite(Guid sessionId, Guid inviteId)
    {
        if (members.RevokeInvite(sessionId, inviteId) is { } memberId)
        {
            presence.Disconnect(memberId);
        }
    }

    /// <summary>
    /// A participant withdraws consent: their data is deleted (see <see cref="WithdrawalStore"/>) and any
    /// connection they still hold is closed (its member-left is refused: nothing is written in their name).
    /// </summary>
    public Withdrawal Withdraw(Guid sessionId, Guid memberId)
    {
        var withdrawal = withdrawals.Withdraw(sessionId, memberId);
        presence.Disconnect(memberId);
        // Their theme cards went with their events: open affinity boards of the study reload.
        if (sessions.Get(sessionId) is { } session)
        {
            boards.Publish(new BoardChange(session.StudyId, "withdrawal"));
        }
        return withdrawal;
    }

    /// <summary>The caller behind a member access token; null when unknown or revoked.</summary>
    public Caller? FindCaller(string accessToken) =>
        members.FindByAccessToken(accessToken) is { } m ? new Caller(m.MemberId, m.SessionId, m.Role, m.Code, m.DisplayName) : null;
}
