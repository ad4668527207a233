using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;

namespace SessionRoom.UnitTests;

public sealed class SynthesisWithdrawalRulesTests
{
    [Theory]
    [InlineData(SessionStatuses.Draft)]
    [InlineData(SessionStatuses.Ended)]
    public void AParticipant_NotYetWithdrawn_OutsideALiveSession_MayBeWithdrawn(string status) =>
        WithdrawalRules.Check(Roles.Participant, "P1", null, status);

    [Theory]
    [InlineData(Roles.Observer)]
    [InlineData(Roles.Facilitator)]
    public void OnlyParticipants_CanBeWithdrawn(string role)
    {
        var refused = Assert.Throws<InputException>(() => WithdrawalRules.Check(role, "O1", null, SessionStatuses.Ended));
        Assert.Contains("Only a participant", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondWithdrawal_IsAConflict_NamingThePseudonym()
    {
        var refused = Assert.Throws<ConflictException>(() => WithdrawalRules.Check(Roles.Participant, "P3", DateTimeOffset.UnixEpoch, SessionStatuses.Ended));
        Assert.Equal("P3's data has already been withdrawn.", refused.Message);
    }

    [Fact]
    public void WhileTheSessionIsLive_ItWaits()
    {
        var refused = Assert.Throws<ConflictException>(() => WithdrawalRules.Check(Roles.Participant, "P1", null, SessionStatuses.Live));
        Assert.Contains("End the session first", refused.Message, StringComparison.Ordinal);
    }
}
