using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;

namespace SessionRoom.Web.Endpoints;

/// <summary>The synthesis review over HTTP (an addition to API.md v1): a session's filtered timeline and search across a study.</summary>
public static class SynthesisApi
{
    /// <summary>One page of a timeline; pass <paramref name="NextAfter"/> as <c>after</c> for the next one (null: the end).</summary>
    public sealed record TimelineResponse(IReadOnlyList<SessionEvent> Events, long? NextAfter);

    /// <summary>A search result; <paramref name="Snippet"/> is plain text, <paramref name="Runs"/> the same text split into matched and unmatched runs.</summary>
    public sealed record SearchResult(Guid SessionId, string SessionTitle, long Seq, string Type, long AtMs, string? ActorCode, int? PromptPosition, string Snippet, IReadOnlyList<SnippetRun> Runs);

    public sealed record SnippetRun(string Text, bool Match);

    public static IEndpointRouteBuilder MapSynthesisApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sessions/{sessionId:guid}/timeline", Timeline).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        app.MapGet("/api/studies/{studyId:guid}/search", Search).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        app.MapGet("/api/sessions/{sessionId:guid}/agreement", Agreement).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        return app;
    }

    private static Ok<SessionAgreement> Agreement(Guid sessionId, int? windowSeconds, AgreementStore agreement) =>
        TypedResults.Ok(agreement.For(sessionId, windowSeconds ?? AgreementAnalysis.DefaultWindowSeconds));

    private static Ok<TimelineResponse> Timeline(
        Guid sessionId, long? after, int? limit, string[]? type, string? tag, Guid? promptId, Guid? participantId, Guid? actorId, string? q,
        SessionStore sessions, TimelineStore timeline)
    {
        _ = sessions.Get(sessionId) ?? throw new NotFoundException("There is no session with that id.");
        if (after is < 0)
        {
            throw InputException.For("after", "after is a seq: 0 or more.");
        }
        var filter = TimelineRules.Check(new TimelineFilter(type, tag, promptId, participantId, actorId, q));
        var page = timeline.Page(sessionId, filter, after ?? 0, TimelineRules.Limit(limit));
        return TypedResults.Ok(new TimelineResponse(page.Events, page.NextAfter));
    }

    private static Ok<List<SearchResult>> Search(Guid studyId, string? q, int? limit, StudyStore studies, TimelineStore timeline)
    {
        _ = studies.Get(studyId) ?? throw new NotFoundException("There is no study with that id.");
        if (string.IsNullOrWhiteSpace(q))
        {
            throw InputException.For("q", "Say what to search for.");
        }
        var filter = TimelineRules.Check(new TimelineFilter(Text: q));
        var hits = timeline.Search(studyId, filter.Text!, TimelineRules.Limit(limit));
        return TypedResults.Ok(hits.Select(h =>
        {
            var runs = SearchQuery.Runs(h.Snippet).Select(r => new SnippetRun(r.Text, r.Match)).ToList();
            return new SearchResult(h.SessionId, h.SessionTitle, h.Seq, h.Type, h.AtMs, h.ActorCode, h.PromptPosition, string.Concat(runs.Select(r => r.Text)), runs);
        }).ToList());
    }
}
