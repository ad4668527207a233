using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Synthesis;

/// <summary>When a consent withdrawal may run. The store that deletes the data only executes it.</summary>
public static class WithdrawalRules
{
    /// <summary>Throws the refusal the facilitator sees when this member's data cannot be withdrawn now.</summary>
    /// <param name="role">The member's role.</param>
    /// <param name="code">The member's pseudonym, for the message.</param>
    /// <param name="withdrawnUtc">When their data was withdrawn already, if it was.</param>
    /// <param name="sessionStatus">The session's status.</param>
    public static void Check(string role, string code, DateTimeOffset? withdrawnUtc, string sessionStatus)
    {
        if (role != Roles.Participant)
        {
            throw InputException.For("memberId", "Only a participant's data can be withdrawn; observers' notes are the team's.");
        }
        if (withdrawnUtc is not null)
        {
            throw new ConflictException($"{code}'s data has already been withdrawn.");
        }
        if (sessionStatus == SessionStatuses.Live)
        {
            throw new ConflictException("End the session first: a withdrawal cannot run while the participant could still be writing.");
        }
    }
}
