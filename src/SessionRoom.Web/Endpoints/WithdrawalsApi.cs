using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Realtime;

namespace SessionRoom.Web.Endpoints;

/// <summary>Consent withdrawal over HTTP (an addition to API.md v1): delete one participant's data, list what was withdrawn.</summary>
public static class WithdrawalsApi
{
    public static IEndpointRouteBuilder MapWithdrawalsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions/{sessionId:guid}").RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Withdrawals");
        sessions.MapDelete("/members/{memberId:guid}", Withdraw);
        sessions.MapGet("/withdrawals", List);
        return app;
    }

    private static Ok<Withdrawal> Withdraw(Guid sessionId, Guid memberId, LiveService live) =>
        TypedResults.Ok(live.Withdraw(sessionId, memberId));

    private static Ok<IReadOnlyList<Withdrawal>> List(Guid sessionId, SessionStore sessions, WithdrawalStore withdrawals)
    {
        _ = sessions.Get(sessionId) ?? throw new NotFoundException("There is no session with that id.");
        return TypedResults.Ok(withdrawals.ForSession(sessionId));
    }
}
