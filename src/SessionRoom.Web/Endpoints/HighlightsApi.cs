using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// Highlights over HTTP (docs/api.md, "Review"): star and unstar a note or answer (both idempotent, 204) and list a
/// study's highlights.
/// </summary>
public static class HighlightsApi
{
    /// <summary>A starred event with its session, prompt position and participant code (never a name).</summary>
    public sealed record HighlightResponse(
        Guid SessionId, string SessionTitle, int? PromptPosition, string? PromptText, string? ParticipantCode, DateTimeOffset StarredUtc, SessionEvent Event);

    public static IEndpointRouteBuilder MapHighlightsApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/sessions/{sessionId:guid}/events/{seq:long}/star", Star).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        app.MapDelete("/api/sessions/{sessionId:guid}/events/{seq:long}/star", Unstar).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        app.MapGet("/api/studies/{studyId:guid}/highlights", List).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        return app;
    }

    private static NoContent Star(Guid sessionId, long seq, HighlightStore highlights)
    {
        highlights.Star(sessionId, seq);
        return TypedResults.NoContent();
    }

    private static NoContent Unstar(Guid sessionId, long seq, HighlightStore highlights)
    {
        highlights.Unstar(sessionId, seq);
        return TypedResults.NoContent();
    }

    private static Ok<List<HighlightResponse>> List(Guid studyId, StudyStore studies, HighlightStore highlights)
    {
        _ = studies.Get(studyId) ?? throw new NotFoundException("There is no study with that id.");
        return TypedResults.Ok(highlights.ListForStudy(studyId)
            .Select(h => new HighlightResponse(h.SessionId, h.SessionTitle, h.Prompt?.Position, h.Prompt?.Text, h.ParticipantCode, h.StarredUtc, h.Event))
            .ToList());
    }
}
