using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.Data.Synthesis;

/// <summary>Reads what observer agreement is computed from and hands it to <see cref="AgreementAnalysis"/> (for the endpoint and the page alike).</summary>
public sealed class AgreementStore(SessionStore sessions, MemberStore members, EventStore events)
{
    /// <summary>Observer agreement for a session over windows of <paramref name="windowSeconds"/> (one of <see cref="AgreementAnalysis.WindowChoices"/>).</summary>
    public SessionAgreement For(Guid sessionId, int windowSeconds)
    {
        var session = sessions.Get(sessionId) ?? throw new NotFoundException("There is no session with that id.");
        AgreementAnalysis.CheckWindow(windowSeconds);
        var observers = members.ListMembers(sessionId).Where(m => m.Role == Roles.Observer)
            .OrderBy(m => m.Code.Length).ThenBy(m => m.Code, StringComparer.Ordinal).Select(m => (m.MemberId, m.Code)).ToList();
        // As the facilitator sees them: every event, restricted (blind) ones included.
        var all = events.Since(new Caller(Guid.Empty, sessionId, Roles.Facilitator, "F", "Facilitator"), 0);
        return AgreementAnalysis.Compute(all, observers, session.Tags, session.Prompts, windowSeconds);
    }
}
