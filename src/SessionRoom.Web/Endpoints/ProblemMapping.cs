using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using SessionRoom.Core.Studies;

namespace SessionRoom.Web.Endpoints;

/// <summary>
/// Turns the domain's exceptions and unreadable requests into RFC 7807 problem details, in one place:
/// bad input is 400 (with per-field errors), unknown ids 404, state conflicts 409. Anything else is a
/// bug and stays a 500 with no detail leaked.
/// </summary>
public sealed class ProblemMapping(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem is null)
        {
            return false;
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

    /// <summary>True for exceptions that are the caller's mistake, which need no error log.</summary>
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
        _ => null,
    };
}
