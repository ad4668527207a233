using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using System.Data.Common;
using SessionRoom.Core.Studies;
using SessionRoom.Data;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// Turns the domain's exceptions and unreadable requests into RFC 7807 problem details, in one place:
/// bad input is 400 (with per-field errors), unknown ids 404, state conflicts 409, a database that is
/// locked, read-only or full 503 (nothing was changed; try again). Anything else is a bug and stays a
/// 500 with no detail leaked.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem is null)
        {
            return false;
        }
        if (exception is DbException database && Db.IsUnavailable(database))
        {
            // Not the caller's mistake, and not a bug either: the operator has to free the disk or fix the file.
            LogStoreUnavailable(logger, database, httpContext.Request.Method, httpContext.Request.Path, Db.ErrorCode(database));
            httpContext.Response.Headers.RetryAfter = "5";
        }
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        await WriteAsync(problems, httpContext, problem, exception);
        return true;
    }

    /// <summary>
    /// Writes problem details whatever the client's Accept header says: the problem details service
    /// declines clients that do not accept JSON, and an empty error body helps nobody.
    /// </summary>
    public static async Task WriteAsync(IProblemDetailsService problems, HttpContext httpContext, ProblemDetails problem, Exception? exception = null)
    {
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }))
        {
            await httpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", httpContext.RequestAborted);
        }
    }

    /// <summary>What to do about a bare error status the framework produces.</summary>
    public static string? DescribeStatus(int? status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Sign in first: send the facilitator key (or a member access token) as \"Authorization: Bearer <key>\".",
        StatusCodes.Status403Forbidden => "Your key or token is valid but does not allow this. Facilitator endpoints need the facilitator key.",
        StatusCodes.Status404NotFound => "Nothing is at this address. Check the path and the id in it.",
        StatusCodes.Status405MethodNotAllowed => "This address does not accept that HTTP method.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with \"Content-Type: application/json\".",
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} could not reach the database (database error {Code}); the caller was told to try again.")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method, string path, string code);

    /// <summary>True for exceptions that need no error log: the caller's mistake, or a database to wait out (logged as a warning).</summary>
    public static bool IsExpected(Exception exception) => ToProblem(exception) is not null;

    // System.Text.Json's messages name .NET types; say it in the caller's terms instead.
    private static string Describe(System.Text.Json.JsonException json)
    {
        var unknown = System.Text.RegularExpressions.Regex.Match(json.Message, "The JSON property '([^']*)' could not be mapped");
        if (unknown.Success)
        {
            return $"The body has a field this request does not know: \"{unknown.Groups[1].Value}\". Check its spelling against the API documentation.";
        }
        return json.Path is null or "$"
            ? "The body is not valid JSON, or not the JSON object this request expects."
            : $"The field at {json.Path} has the wrong type (for example text where a number is expected) or is not valid JSON.";
    }

    private static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        InputException e => new HttpValidationProblemDetails(e.Errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields.",
            Detail = string.Join(" ", e.Errors.ToDictionary().SelectMany(x => x.Value)),
        },
        NotFoundException e => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = e.Message },
        ConflictException e => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Not possible now.", Detail = e.Message },
        BadHttpRequestException e => new ProblemDetails
        {
            Status = e.StatusCode,
            Title = "The request could not be read.",
            Detail = e.InnerException is System.Text.Json.JsonException json ? Describe(json) : e.Message,
        },
        // IAntiforgery.IsRequestValidAsync (sign-out) throws this rather than answering false when the posted
        // form cannot be read at all, e.g. a multipart body that is not multipart.
        Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The form could not be checked.",
            Detail = "The form's antiforgery token is missing or the form could not be read. Reload the page and send the form again.",
        },
        DbException e when Db.IsConflict(e) => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Changed by someone else at the same moment.",
            Detail = Db.ConflictMessage,
        },
        DbException e when Db.IsUnavailable(e) => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The database is unavailable just now.",
            Detail = "The server's database is busy, read-only or full. Nothing was changed; try again in a moment.",
        },
        _ => null,
    };
}
