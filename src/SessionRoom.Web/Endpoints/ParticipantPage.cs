namespace SessionRoom.Web.Endpoints;

/// <summary>
/// <c>/join/{token}</c>: the light static page participants (and observers) open from their invite
/// link. No Blazor circuit: it talks to <c>/api/join</c> and the hub from wwwroot/js/participant.js.
/// The token stays in the page's URL path only until the page has exchanged it.
/// </summary>
public static class ParticipantPage
{
    public static IEndpointRouteBuilder MapParticipantPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/join/{token}", (IWebHostEnvironment env, HttpResponse response) =>
            {
                response.Headers.ContentSecurityPolicy = Hosting.SecurityHeaders.ParticipantPagePolicy;
                // The URL holds the invite token: no cache keeps the page.
                response.Headers.CacheControl = "no-store";
                return TypedResults.PhysicalFile(Path.Combine(env.WebRootPath, "join.html"), "text/html; charset=utf-8");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}
