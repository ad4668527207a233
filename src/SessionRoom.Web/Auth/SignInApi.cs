using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using SessionRoom.Core.Security;

namespace SessionRoom.Web.Auth;

/// <summary>
/// Cookie sign-in for the facilitator UI: the sign-in page posts the key here. Cookies can only be
/// set on a plain HTTP response, not from an interactive Blazor circuit, hence an endpoint.
/// </summary>
public static partial class SignInApi
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/signin", (Delegate)SignIn);
        app.MapPost("/auth/signout", (Delegate)SignOut);
        return app;
    }

    private static async Task<IResult> SignIn(
        HttpContext http,
        [FromForm] string? key,
        [FromForm] string? returnUrl,
        FacilitatorKey facilitatorKey,
        SignInThrottle throttle,
        ILoggerFactory loggerFactory)
    {
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var back = IsLocal(returnUrl) ? returnUrl! : "/";
        var wait = throttle.RetryAfter(client);
        if (wait > TimeSpan.Zero)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            return TypedResults.LocalRedirect($"/signin?error=throttled&wait={minutes}&returnUrl={Uri.EscapeDataString(back)}");
        }
        if (!facilitatorKey.Matches(key?.Trim()))
        {
            throttle.Failed(client);
            LogFailed(loggerFactory.CreateLogger("SessionRoom.SignIn"), client);
            return TypedResults.LocalRedirect($"/signin?error=invalid&returnUrl={Uri.EscapeDataString(back)}");
        }
        throttle.Succeeded(client);
        var identity = new ClaimsIdentity(
            [new Claim(AuthNames.KindClaim, AuthNames.KeyHolder), new Claim(ClaimTypes.Name, "Facilitator")],
            AuthNames.Cookie);
        await http.SignInAsync(AuthNames.Cookie, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = true });
        return TypedResults.LocalRedirect(back);
    }

    private static async Task<IResult> SignOut(HttpContext http, IAntiforgery antiforgery)
    {
        // No form field to bind, so the framework does not check the token by itself: another site
        // must not be able to sign the facilitator out.
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "The sign-out form has expired.",
                detail: "Reload the page and sign out again.");
        }
        await http.SignOutAsync(AuthNames.Cookie);
        return TypedResults.LocalRedirect("/signin?signedOut=1");
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed facilitator sign-in from {Client}.")]
    private static partial void LogFailed(ILogger logger, string client);
}
