using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// The tag matrices over HTTP (docs/api.md, "Review"): <c>GET /api/studies/{studyId}/matrix?by=prompt|participant[&amp;session=]</c>
/// as JSON and <c>.../matrix.csv</c> as the same table for spreadsheets. Participants appear by code only.
/// </summary>
public static class MatrixApi
{
    /// <summary>The first column of the CSV after the row label: the sessions a row draws on.</summary>
    public const string SessionsColumn = "sessions";

    /// <summary>The first column of the CSV's last row, which holds the tag totals.</summary>
    public const string TotalLabel = "total";

    // As the session exports: cells that would start a formula get a leading apostrophe; a byte order mark says UTF-8.
    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape, WriteByteOrderMark = true };

    public static IEndpointRouteBuilder MapMatrixApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/studies/{studyId:guid}/matrix", Json).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        app.MapGet("/api/studies/{studyId:guid}/matrix.csv", CsvFile).RequireAuthorization(AuthNames.FacilitatorPolicy).WithTags("Synthesis");
        return app;
    }

    /// <summary>The CSV of one matrix: a header (the row kind, "sessions", each tag, "total"), one line per row, and a last line of tag totals.</summary>
    public static IEnumerable<string[]> CsvLines(TagMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        yield return [matrix.By, SessionsColumn, .. matrix.Tags, TotalLabel];
        foreach (var row in matrix.Rows)
        {
            yield return [row.Label, string.Join("; ", row.Sessions), .. row.Counts.Select(Number), Number(row.Total)];
        }
        yield return [TotalLabel, "", .. matrix.TagTotals.Select(Number), Number(matrix.Total)];
    }

    private static Ok<TagMatrix> Json(Guid studyId, string? by, Guid? session, MatrixStore matrices)
    {
        var kind = MatrixBy.Parse(by);
        return TypedResults.Ok(matrices.Compute(studyId, session).For(kind));
    }

    private static async Task CsvFile(HttpContext http, Guid studyId, string? by, Guid? session, MatrixStore matrices, StudyStore studies, SessionStore sessions)
    {
        var kind = MatrixBy.Parse(by);
        var matrix = matrices.Compute(studyId, session).For(kind);
        var name = ExportNames.Slug(studies.Get(studyId)?.Name ?? "study")
            + (session is { } id && sessions.Get(id) is { } s ? "-" + ExportNames.Slug(s.Title) : "");
        var response = http.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}-tags-by-{kind}.csv\"";
        // What people said, counted: no caches keep a copy.
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        await using var csv = CsvWriter.Create(response.Body, Csv, leaveOpen: true);
        var lines = CsvLines(matrix).ToList();
        csv.WriteHeader(lines[0]);
        foreach (var line in lines.Skip(1))
        {
            await csv.WriteRecordAsync(line, http.RequestAborted);
        }
        await csv.FlushAsync(http.RequestAborted);
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
