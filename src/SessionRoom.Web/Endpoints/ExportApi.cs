using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Hosting;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// <c>GET /api/sessions/{sessionId}/export?format=csv|json|md|vtt[&amp;includeNames=true][&amp;offsetMs=N]</c>
/// (API.md "Exports", docs/api.md): the session as a file to download. CSV is streamed from the database
/// row by row; the other formats are built whole by Core's formatters.
/// </summary>
public static class ExportApi
{
    // The CSV goes to spreadsheets: cells that would start a formula get a leading apostrophe, and a byte
    // order mark tells Excel the file is UTF-8.
    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape, WriteByteOrderMark = true };

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sessions/{sessionId:guid}/export", Export)
            .RequireAuthorization(AuthNames.FacilitatorPolicy)
            .WithTags("Sessions");
        app.MapGet("/api/studies/{studyId:guid}/export", ExportStudy)
            .RequireAuthorization(AuthNames.FacilitatorPolicy)
            .WithTags("Studies");
        return app;
    }

    /// <summary>
    /// A whole study as one file (an addition to API.md): CSV with a leading <c>session</c> column, streamed
    /// session after session; JSON <c>{study, sessions: [session export…]}</c>; Markdown, one report per session.
    /// WebVTT is per session (its times are one session's clock), so a study refuses it.
    /// </summary>
    private static async Task ExportStudy(
        HttpContext http, Guid studyId, string? format, string? includeNames, ExportStore store,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<SessionRoomOptions> options)
    {
        var (name, sessionIds) = store.Study(studyId) ?? throw new NotFoundException("There is no study with that id.");
        var request = ExportRequest.Parse(format, includeNames, null);
        if (request.Format == ExportFormats.WebVtt)
        {
            throw InputException.For("format", "WebVTT is per session: its cue times are one session's clock. Export a session, or pick csv, json or md.");
        }
        var response = http.Response;
        var ct = http.RequestAborted;
        response.ContentType = ExportFormats.ContentType(request.Format);
        response.Headers.ContentDisposition = $"attachment; filename=\"{ExportRequest.FileName(name, DateTimeOffset.UtcNow, request.Format)}\"";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";

        if (request.Format == ExportFormats.Csv)
        {
            await using var csv = CsvWriter.Create(response.Body, Csv, leaveOpen: true);
            csv.WriteHeader(["session", .. ExportCsv.Header(request.IncludeNames)]);
            foreach (var id in sessionIds)
            {
                if (store.Source(id) is not { } source)
                {
                    continue; // deleted while exporting
                }
                foreach (var e in store.StreamCsvEvents(id))
                {
                    await csv.WriteRecordAsync([source.Session.Title, .. ExportCsv.Row(source, e, request.IncludeNames)], ct);
                }
            }
            await csv.FlushAsync(ct);
            return;
        }
        var partial = options.Value.Metrics.PartialCountsAsSuccess;
        var sessions = sessionIds
            .Select(id => store.Source(id) is { } source ? SessionExport.Create(source, store.StreamEvents(id), request.IncludeNames, partial) : null)
            .OfType<SessionExport>()
            .ToList();
        if (request.Format == ExportFormats.Json)
        {
            await JsonSerializer.SerializeAsync(response.Body, new StudyExport(studyId, name, sessions), json.Value.SerializerOptions, ct);
            return;
        }
        var report = new StringBuilder().Append("# ").Append(MarkdownText.Inline(name)).Append("\n\n")
            .Append(sessions.Count == 0 ? "This study has no sessions yet.\n" : $"{sessions.Count} session(s), one report each below.\n");
        foreach (var session in sessions)
        {
            report.Append("\n---\n\n").Append(MarkdownReport.Write(session));
        }
        await response.WriteAsync(report.ToString(), Encoding.UTF8, ct);
    }

    /// <summary>The JSON of a study export.</summary>
    public sealed record StudyExport(Guid Id, string Name, IReadOnlyList<SessionExport> Sessions);

    private static async Task Export(
        HttpContext http, Guid sessionId, string? format, string? includeNames, string? offsetMs,
        ExportStore store, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<SessionRoomOptions> options)
    {
        var source = store.Source(sessionId) ?? throw new NotFoundException("There is no session with that id.");
        var request = ExportRequest.Parse(format, includeNames, offsetMs);
        var response = http.Response;
        var ct = http.RequestAborted;
        response.ContentType = ExportFormats.ContentType(request.Format);
        response.Headers.ContentDisposition = $"attachment; filename=\"{ExportRequest.FileName(source.Session.Title, source.Session.Date, request.Format)}\"";
        // Exports hold what people said (and maybe their names): no caches keep a copy.
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";

        if (request.Format == ExportFormats.Csv)
        {
            await WriteCsvAsync(response.Body, store, source, request.IncludeNames, ct);
            return;
        }
        var export = SessionExport.Create(source, store.StreamEvents(sessionId), request.IncludeNames, options.Value.Metrics.PartialCountsAsSuccess);
        switch (request.Format)
        {
            case ExportFormats.Json:
                await JsonSerializer.SerializeAsync(response.Body, export, json.Value.SerializerOptions, ct);
                break;
            case ExportFormats.Markdown:
                await response.WriteAsync(MarkdownReport.Write(export), Encoding.UTF8, ct);
                break;
            default:
                await response.WriteAsync(WebVtt.Write(WebVtt.Cues(export, request.OffsetMs)), Encoding.UTF8, ct);
                break;
        }
    }

    /// <summary>Writes the header, then one row per event as the database hands them over, flushing as the buffer fills.</summary>
    private static async Task WriteCsvAsync(Stream body, ExportStore store, ExportSource source, bool includeNames, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(body, Csv, leaveOpen: true);
        csv.WriteHeader(ExportCsv.Header(includeNames));
        foreach (var e in store.StreamCsvEvents(source.Session.Id))
        {
            await csv.WriteRecordAsync(ExportCsv.Row(source, e, includeNames), ct);
        }
        await csv.FlushAsync(ct);
    }
}
