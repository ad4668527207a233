using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using SessionRoom.Core.Live;
using SessionRoom.Core.Security;
using SessionRoom.Data.Live;
using SessionRoom.Web.Hubs;
using SessionRoom.Web.Realtime;
using SessionRoom.Data;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Components;
using SessionRoom.Web.Endpoints;

namespace SessionRoom.Web.Hosting;

/// <summary>The table of contents of the app: what it registers and what it maps.</summary>
public static partial class SessionRoomHosting
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddSessionRoom(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        // Serves MudBlazor's and the framework's files from the build output in any environment
        // (a no-op in publish output, where they are copied into wwwroot).
        builder.WebHost.UseStaticWebAssets();

        var services = builder.Services;
        services.AddOptions<SessionRoomOptions>().BindConfiguration(SessionRoomOptions.Section);
        services.AddSingleton(TimeProvider.System);

        AddStorage(services);
        AddAuth(services);
        AddApi(services);
        AddLive(services, builder.Configuration);

        services.AddRazorComponents().AddInteractiveServerComponents();
        // The antiforgery cookie's default is never Secure; like the sign-in cookie, it is Secure over HTTPS.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddMudServices();
        services.AddScoped<DemoStudy>();

        // Member tokens ride in hub URLs (?access_token=): no log at any level may write them out.
        builder.Logging.RedactSecrets();
        return builder;
    }

    public static WebApplication MapSessionRoom(this WebApplication app)
    {
        app.Services.GetRequiredService<Db>().Migrate();
        app.Services.GetRequiredService<FacilitatorKey>().Initialise();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceSignIn(app));

        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        // Bare error statuses of the API (401, 403, 404, 405, 415) get a problem-details body; pages keep the browser's own.
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (IsApiPath(http.Request.Path))
            {
                var status = http.Response.StatusCode;
                var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = status,
                    Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                    Detail = ProblemMapping.DescribeStatus(status),
                };
                await ProblemMapping.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, problem);
            }
        });
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/healthz");
        app.MapSignIn();
        app.MapStudiesApi();
        app.MapSessionsApi();
        app.MapExportApi();
        app.MapSynthesisApi();
        app.MapHighlightsApi();
        app.MapMatrixApi();
        app.MapWithdrawalsApi();
        app.MapThemesApi();
        app.MapHub<SessionHub>("/hubs/session");
        app.MapParticipantPage();
        app.MapStaticAssets();
        // Blazor writes its own CSP on its pages; it too forbids framing by anyone.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = "'none'");
        return app;
    }

    private static void AddLive(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveOptions>().BindConfiguration("SessionRoom:Live");
        var signalR = services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = 64 * 1024;
            o.AddFilter<HubErrors>();
        });
        // Several servers: SignalR's backplane for any group or user send, and RedisFanOut for SessionRoom's own
        // streams (events, presence, boards). Registered only when configured, so one server never needs Redis.
        if (configuration[$"{SessionRoomOptions.Section}:Redis"] is { Length: > 0 } redis)
        {
            var prefix = configuration[$"{SessionRoomOptions.Section}:RedisChannelPrefix"] is { Length: > 0 } p ? p : new SessionRoomOptions().RedisChannelPrefix;
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(prefix));
            services.AddSingleton<RedisFanOut>();
            // Started before the broadcaster, so it is subscribed before the first event is committed.
            services.AddHostedService(sp => sp.GetRequiredService<RedisFanOut>());
        }
        services.AddSingleton<HubErrors>();
        services.AddSingleton(sp => new LiveSessions(sp.GetRequiredService<IOptions<LiveOptions>>().Value));
        services.AddSingleton<SessionBroadcaster>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<SessionBroadcaster>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionBroadcaster>());
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventWriter>();
            return new EventWriter(
                sp.GetRequiredService<Db>(),
                sp.GetRequiredService<LiveSessions>(),
                sp.GetRequiredService<IEventPublisher>(),
                sp.GetRequiredService<TimeProvider>(),
                e => LogBatchFailed(logger, e));
        });
        services.AddSingleton<EventStore>();
        services.AddSingleton<TimelineStore>();
        services.AddSingleton<HighlightStore>();
        services.AddSingleton<MatrixStore>();
        services.AddSingleton<AgreementStore>();
        services.AddSingleton<WithdrawalStore>();
        services.AddSingleton<ThemeStore>();
        services.AddSingleton<BoardChanges>();
        services.AddSingleton<Presence>();
        services.AddSingleton<LiveService>();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of live events could not be stored; its callers were told to retry.")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);

    private static void AddStorage(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SessionRoomOptions>>().Value;
            return o.Storage.Open(o.DataDirectory);
        });
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<StudyStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<ExportStore>();
        services.AddSingleton<MetricsStore>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
    }

    private static void AddAuth(IServiceCollection services)
    {
        services.AddSingleton<FacilitatorKey>();
        // Cookie keys live in the data directory, so sign-ins survive restarts and the Docker volume keeps them.
        // (Several servers on one PostgreSQL need one key ring: a shared keys folder; see docs/architecture.md.)
        services.AddDataProtection().SetApplicationName("SessionRoom");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<SessionRoomOptions>>((o, sr) =>
            o.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(Path.GetFullPath(sr.Value.DataDirectory), "keys")), NullLoggerFactory.Instance));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SessionRoomOptions>>().Value;
            return new SignInThrottle(sp.GetRequiredService<TimeProvider>(), o.SignInMaxFailures, TimeSpan.FromMinutes(o.SignInWindowMinutes));
        });
        services.AddAuthentication(AuthNames.Smart)
            .AddPolicyScheme(AuthNames.Smart, "Token or cookie", o => o.ForwardDefaultSelector = http =>
                TokenAuthenticationHandler.PresentedToken(http.Request) is null ? AuthNames.Cookie : AuthNames.Token)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(AuthNames.Token, null)
            .AddCookie(AuthNames.Cookie, o =>
            {
                o.LoginPath = "/signin";
                o.ReturnUrlParameter = "returnUrl";
                o.Cookie.Name = "sessionroom.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromDays(14);
                o.SlidingExpiration = true;
                // The API and hub answer 401/403; only pages redirect to the sign-in page.
                o.Events.OnRedirectToLogin = ctx => StatusOrRedirect(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => StatusOrRedirect(ctx, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthNames.FacilitatorPolicy, p => p.RequireClaim(AuthNames.KindClaim, AuthNames.KeyHolder))
            // Hub connections: only a member access token counts, never the facilitator's cookie.
            .AddPolicy(AuthNames.MemberPolicy, p => p
                .AddAuthenticationSchemes(AuthNames.Token)
                .RequireClaim(AuthNames.KindClaim, AuthNames.SessionMember));
        services.AddCascadingAuthenticationState();
    }

    private static void AddApi(IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Detail ??= ProblemMapping.DescribeStatus(ctx.ProblemDetails.Status));
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<ExceptionHandlerOptions>(o =>
            o.SuppressDiagnosticsCallback = ctx => ProblemMapping.IsExpected(ctx.Exception));
        // Unreadable bodies throw, so ProblemMapping can say what was wrong instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            // Strict on input: a misspelt or repeated field is an error, not silently dropped or overwritten.
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
    }

    private static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/healthz");

    private static Task StatusOrRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (IsApiPath(ctx.Request.Path))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AnnounceSignIn(WebApplication app)
    {
        var key = app.Services.GetRequiredService<FacilitatorKey>();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? DefaultUrl;
        var publicUrl = app.Services.GetRequiredService<IOptions<SessionRoomOptions>>().Value.PublicUrl;
        var root = (string.IsNullOrWhiteSpace(publicUrl) ? address : publicUrl).TrimEnd('/');
        // Printed, not logged: the key must not end up in log files. The key rides in the URL
        // fragment, which browsers never send to the server.
        if (key.NewlyGenerated is { } generated)
        {
            Console.WriteLine();
            Console.WriteLine("  SessionRoom generated a facilitator key. It is shown only this once; keep it somewhere safe.");
            Console.WriteLine($"  Facilitator key:  {generated}");
            Console.WriteLine($"  Sign in:          {root}/signin#key={generated}");
            Console.WriteLine();
        }
        else
        {
            Console.WriteLine($"  SessionRoom is running. Sign in at {root}/signin with the facilitator key"
                + (key.IsConfigured ? " from configuration." : " printed on first start (lost it? start once with --SessionRoom:ResetFacilitatorKey=true)."));
        }
    }
}
