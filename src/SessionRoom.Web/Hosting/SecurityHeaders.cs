namespace SessionRoom.Web.Hosting;

/// <summary>
/// Headers on every response: no MIME sniffing, no Referer (invite links carry their token in the
/// path, and a Referer would hand it to any site a page links to), and no framing by other sites
/// (clickjacking). The participant page gets a strict Content-Security-Policy: scripts and styles
/// from this origin only, no inline script, connections to this origin only; images may come from
/// anywhere, because a stimulus is often an image hosted elsewhere.
/// The Blazor pages keep only <c>frame-ancestors</c>: MudBlazor writes inline styles.
/// </summary>
public static class SecurityHeaders
{
    public const string ParticipantPagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public const string DefaultPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                if (!headers.ContainsKey("Content-Security-Policy"))
                {
                    headers.ContentSecurityPolicy = DefaultPolicy;
                }
                return Task.CompletedTask;
            });
            await next();
        });
}
