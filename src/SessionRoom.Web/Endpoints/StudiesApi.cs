using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Auth;

namespace SessionRoom.Web.Endpoints;

/// <summary>Studies, their codebooks and their sessions (API.md "HTTP"; the codebook and list routes are additions documented in docs/api.md).</summary>
public static class StudiesApi
{
    public sealed record StudyResponse(Guid Id, string Name, string? Goal);

    public sealed record StudyDetails(Guid Id, string Name, string? Goal, string? ConsentText, IReadOnlyList<CodebookTag> Codebook, IReadOnlyList<SessionSummary> Sessions);

    public static IEndpointRouteBuilder MapStudiesApi(this IEndpointRouteBuilder app)
    {
        var studies = app.MapGroup("/api/studies").RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Studies");
        studies.MapPost("/", Create);
        studies.MapGet("/", (StudyStore store) => TypedResults.Ok(store.List()));
        studies.MapGet("/{studyId:guid}", Get);
        studies.MapPut("/{studyId:guid}", Update);
        studies.MapPut("/{studyId:guid}/codebook", SetCodebook);
        studies.MapPost("/{studyId:guid}/sessions", CreateSession);
        studies.MapGet("/{studyId:guid}/sessions", ListSessions);
        return app;
    }

    private static Created<StudyResponse> Create(StudyInput? input, StudyStore store)
    {
        var study = store.Create(StudyRules.Study(input));
        return TypedResults.Created($"/api/studies/{study.Id}", new StudyResponse(study.Id, study.Name, study.Goal));
    }

    private static Ok<StudyDetails> Get(Guid studyId, StudyStore studies, SessionStore sessions)
    {
        var study = studies.Get(studyId) ?? throw NoStudy();
        return TypedResults.Ok(new StudyDetails(study.Id, study.Name, study.Goal, study.ConsentText, studies.GetCodebook(studyId), sessions.ListForStudy(studyId)));
    }

    private static Ok<StudyResponse> Update(Guid studyId, StudyInput? input, StudyStore store)
    {
        var valid = StudyRules.Study(input);
        if (!store.Update(studyId, valid))
        {
            throw NoStudy();
        }
        return TypedResults.Ok(new StudyResponse(studyId, valid.Name, valid.Goal));
    }

    private static Ok<IReadOnlyList<CodebookTag>> SetCodebook(Guid studyId, List<CodebookTagInput?>? input, StudyStore store)
    {
        var tags = StudyRules.Codebook(input ?? throw InputException.For("body", "Send a JSON array of tags."));
        if (!store.SetCodebook(studyId, tags))
        {
            throw NoStudy();
        }
        return TypedResults.Ok(tags);
    }

    private static Created<Session> CreateSession(Guid studyId, SessionInput? input, SessionStore store)
    {
        var session = store.Create(studyId, StudyRules.Session(input)) ?? throw NoStudy();
        return TypedResults.Created($"/api/sessions/{session.Id}", session);
    }

    private static Ok<IReadOnlyList<SessionSummary>> ListSessions(Guid studyId, StudyStore studies, SessionStore sessions)
    {
        _ = studies.Get(studyId) ?? throw NoStudy();
        return TypedResults.Ok(sessions.ListForStudy(studyId));
    }

    private static NotFoundException NoStudy() => new("There is no study with that id.");
}
