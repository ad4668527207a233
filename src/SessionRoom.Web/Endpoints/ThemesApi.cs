using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Studies;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Realtime;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// The affinity board over HTTP (an addition to API.md v1, docs/api.md "Themes"): a study's themes and unsorted pool,
/// theme changes, card moves and theme suggestions. Every change is published to <see cref="BoardChanges"/>, so open
/// board pages update.
/// </summary>
public static class ThemesApi
{
    public sealed record ThemeInput(string? Name);

    public sealed record MergeInput(Guid? Into);

    public sealed record CardInput(Guid? SessionId, long? Seq, int? Position);

    public sealed record ThemePositionInput(int? Position);

    public static IEndpointRouteBuilder MapThemesApi(this IEndpointRouteBuilder app)
    {
        var study = app.MapGroup("/api/studies/{studyId:guid}").RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Themes");
        study.MapGet("/themes", Board);
        study.MapPost("/themes", Create);
        study.MapPut("/themes/{themeId:guid}", Rename);
        study.MapDelete("/themes/{themeId:guid}", Delete);
        study.MapPost("/themes/{themeId:guid}/merge", Merge);
        study.MapPut("/themes/{themeId:guid}/position", MoveTheme);
        study.MapPut("/themes/{themeId:guid}/cards", MoveCardIn);
        study.MapDelete("/cards/{sessionId:guid}/{seq:long}", MoveCardOut);
        study.MapGet("/theme-suggestions", Suggestions);
        return app;
    }

    private static Ok<ThemeBoard> Board(Guid studyId, ThemeStore store) =>
        TypedResults.Ok(store.Board(studyId) ?? throw NoStudy());

    private static Created<BoardTheme> Create(Guid studyId, ThemeInput? input, ThemeStore store, BoardChanges changes)
    {
        var theme = store.CreateTheme(studyId, input?.Name);
        changes.Publish(new BoardChange(studyId, "theme-created"));
        return TypedResults.Created($"/api/studies/{studyId}/themes/{theme.Id}", theme);
    }

    private static Ok<BoardTheme> Rename(Guid studyId, Guid themeId, ThemeInput? input, ThemeStore store, BoardChanges changes)
    {
        var theme = store.Rename(studyId, themeId, input?.Name);
        changes.Publish(new BoardChange(studyId, "theme-renamed"));
        return TypedResults.Ok(theme);
    }

    private static NoContent Delete(Guid studyId, Guid themeId, ThemeStore store, BoardChanges changes)
    {
        store.Delete(studyId, themeId);
        changes.Publish(new BoardChange(studyId, "theme-deleted"));
        return TypedResults.NoContent();
    }

    private static Ok<BoardTheme> Merge(Guid studyId, Guid themeId, MergeInput? input, ThemeStore store, BoardChanges changes)
    {
        var into = input?.Into ?? throw InputException.For("into", "Send the id of the theme to merge into as \"into\".");
        var theme = store.Merge(studyId, themeId, into);
        changes.Publish(new BoardChange(studyId, "themes-merged"));
        return TypedResults.Ok(theme);
    }

    private static Ok<IReadOnlyList<Guid>> MoveTheme(Guid studyId, Guid themeId, ThemePositionInput? input, ThemeStore store, BoardChanges changes)
    {
        var order = store.MoveTheme(studyId, themeId, input?.Position);
        changes.Publish(new BoardChange(studyId, "theme-moved"));
        return TypedResults.Ok(order);
    }

    private static Ok<BoardTheme> MoveCardIn(Guid studyId, Guid themeId, CardInput? input, ThemeStore store, BoardChanges changes)
    {
        var errors = new ValidationErrors();
        if (input?.SessionId is null)
        {
            errors.Add("sessionId", "Send the card's session id as \"sessionId\".");
        }
        if (input?.Seq is null)
        {
            errors.Add("seq", "Send the card's event number as \"seq\".");
        }
        errors.ThrowIfAny();
        var theme = store.MoveCard(studyId, new CardKey(input!.SessionId!.Value, input.Seq!.Value), themeId, input.Position)!;
        changes.Publish(new BoardChange(studyId, "card-moved"));
        return TypedResults.Ok(theme);
    }

    private static NoContent MoveCardOut(Guid studyId, Guid sessionId, long seq, ThemeStore store, BoardChanges changes)
    {
        store.MoveCard(studyId, new CardKey(sessionId, seq), themeId: null);
        changes.Publish(new BoardChange(studyId, "card-moved"));
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<BoardSuggestion>>> Suggestions(Guid studyId, double? threshold, ThemeStore store, CancellationToken ct)
    {
        var valid = ThemeRules.Threshold(threshold);
        var board = store.Board(studyId, poolLimit: 0) ?? throw NoStudy();
        var pool = store.Pool(studyId);
        // CPU-bound (TF-IDF and clustering): off the request thread's synchronous path.
        var suggestions = await Task.Run(() => ThemeRules.Suggest(pool, valid, board.Themes.Select(t => t.Name)), ct);
        return TypedResults.Ok(suggestions);
    }

    private static NotFoundException NoStudy() => new("There is no study with that id.");
}
