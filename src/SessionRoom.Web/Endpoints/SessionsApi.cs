using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Hosting;
using SessionRoom.Web.Realtime;

namespace SessionRoom.Web.Endpoints;

/// <summary>Sessions, invites, the facilitator member and joining (API.md "HTTP").</summary>
public static class SessionsApi
{
    public sealed record PositionInput(int? Position);

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions/{sessionId:guid}").RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Sessions");
        sessions.MapGet("/", Get);
        sessions.MapPut("/", UpdateDetails);
        sessions.MapPost("/prompts", AddPrompt);
        sessions.MapPut("/prompts/{promptId:guid}", UpdatePrompt);
        sessions.MapPut("/prompts/{promptId:guid}/position", MovePrompt);
        sessions.MapDelete("/prompts/{promptId:guid}", DeletePrompt);
        sessions.MapPost("/invites", CreateInvite);
        sessions.MapGet("/invites", ListInvites);
        sessions.MapDelete("/invites/{inviteId:guid}", RevokeInvite);
        sessions.MapPost("/facilitator", FacilitatorMember);
        sessions.MapGet("/events", Events);

        // Anyone holding an invite token; the token is the credential.
        app.MapPost("/api/join", Join).AllowAnonymous().WithTags("Sessions");
        app.MapPost("/api/join/preview", Preview).AllowAnonymous().WithTags("Sessions");
        return app;
    }

    private static Ok<Session> Get(Guid sessionId, SessionStore store) =>
        TypedResults.Ok(store.Get(sessionId) ?? throw NoSession());

    private static Ok<Session> UpdateDetails(Guid sessionId, SessionDetailsInput? input, SessionStore store)
    {
        var (title, mode, tags, blind) = StudyRules.SessionDetails(input);
        if (!store.UpdateDetails(sessionId, title, mode, tags, blind))
        {
            throw NoSession();
        }
        return TypedResults.Ok(store.Get(sessionId)!);
    }

    private static Created<Prompt> AddPrompt(Guid sessionId, PromptInput? input, SessionStore store)
    {
        var prompt = store.AddPrompt(sessionId, StudyRules.Prompt(input));
        return TypedResults.Created($"/api/sessions/{sessionId}/prompts/{prompt.Id}", prompt);
    }

    private static Ok<Prompt> UpdatePrompt(Guid sessionId, Guid promptId, PromptInput? input, SessionStore store) =>
        TypedResults.Ok(store.UpdatePrompt(sessionId, promptId, StudyRules.Prompt(input)));

    private static Ok<IReadOnlyList<Prompt>> MovePrompt(Guid sessionId, Guid promptId, PositionInput? input, SessionStore store) =>
        TypedResults.Ok(store.MovePrompt(sessionId, promptId,
            input?.Position ?? throw InputException.For("position", "Send the new 1-based position.")));

    private static NoContent DeletePrompt(Guid sessionId, Guid promptId, SessionStore store)
    {
        store.DeletePrompt(sessionId, promptId);
        return TypedResults.NoContent();
    }

    private static Created<CreatedInvite> CreateInvite(Guid sessionId, InviteInput? input, MemberStore members, HttpRequest request, IOptions<SessionRoomOptions> options)
    {
        var (role, name) = StudyRules.Invite(input);
        var (invite, token) = members.CreateInvite(sessionId, role, name);
        var url = InviteLinks.Url(options.Value.PublicUrl, $"{request.Scheme}://{request.Host}", token);
        return TypedResults.Created($"/api/sessions/{sessionId}/invites/{invite.Id}", new CreatedInvite(token, url, role));
    }

    private static Ok<IReadOnlyList<InviteInfo>> ListInvites(Guid sessionId, SessionStore sessions, MemberStore members)
    {
        _ = sessions.Get(sessionId) ?? throw NoSession();
        return TypedResults.Ok(members.ListInvites(sessionId));
    }

    private static NoContent RevokeInvite(Guid sessionId, Guid inviteId, LiveService live)
    {
        live.RevokeInvite(sessionId, inviteId);
        return TypedResults.NoContent();
    }

    private static Ok<Member> FacilitatorMember(Guid sessionId, MemberStore members) =>
        TypedResults.Ok(members.FacilitatorMember(sessionId, "Facilitator"));

    private static Ok<IReadOnlyList<SessionEvent>> Events(Guid sessionId, long? after, SessionStore sessions, EventStore events)
    {
        _ = sessions.Get(sessionId) ?? throw NoSession();
        if (after is < 0)
        {
            throw InputException.For("after", "after is a seq: 0 or more.");
        }
        // The facilitator key sees every event of every audience.
        var facilitator = new Caller(Guid.Empty, sessionId, Roles.Facilitator, "F", "Facilitator");
        return TypedResults.Ok(events.Since(facilitator, after ?? 0));
    }

    private static Results<Ok<InvitePreview>, ProblemHttpResult> Preview(JoinInput? input, MemberStore members)
    {
        var (token, _) = StudyRules.Join(input);
        return members.Preview(token) is { } preview ? TypedResults.Ok(preview) : LinkDoesNotWork();
    }

    private static ProblemHttpResult LinkDoesNotWork() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "This invite link does not work.",
        detail: "The link is not valid or has been revoked. Ask the facilitator for a new one.");

    private static Results<Ok<Member>, ProblemHttpResult> Join(JoinInput? input, MemberStore members)
    {
        var (token, displayName) = StudyRules.Join(input);
        var member = members.Join(token, displayName);
        return member is null ? LinkDoesNotWork() : TypedResults.Ok(member);
    }

    private static NotFoundException NoSession() => new("There is no session with that id.");
}
