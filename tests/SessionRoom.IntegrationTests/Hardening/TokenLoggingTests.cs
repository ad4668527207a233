using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Live;
using SessionRoom.Testing;
using SessionRoom.Web.Hosting;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Issue 8, web security: invite and member tokens are never logged, and the facilitator key is never
/// printed again after the first start, even with every log category at Trace. The real server is run
/// and everything it writes to stdout and stderr is searched for the secrets it was given or made.
/// Browsers put the member token in the URL (<c>?access_token=</c>) on the hub's WebSocket upgrade,
/// Server-Sent Events and long polling, where request logging would otherwise write it out.
/// </summary>
public sealed partial class TokenLoggingTests
{
    private static readonly Dictionary<string, string> Trace = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Trace",
        ["SessionRoom:Live:CallsPerSecond"] = "100000",
    };

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task TraceLogging_InvitesJoinsHubAndApi_NoTokenOrKeyInServerOutput(string formatter)
    {
        var settings = new Dictionary<string, string>(Trace)
        {
            ["Logging:Console:FormatterName"] = formatter,
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        };
        var server = new VerboseServer(settings);
        var secrets = new List<(string What, string Value)> { ("facilitator key", AppServer.FacilitatorKey) };
        var outcome = "fail";
        var clock = Stopwatch.StartNew();
        await server.InitializeAsync();
        try
        {
            var session = await server.CreateSessionAsync();
            var facilitator = await server.FacilitatorAsync(session.Id);
            secrets.Add(("facilitator member token", facilitator.AccessToken));
            var (observer, observerInvite) = await server.JoinAsync(session.Id, Roles.Observer);
            var (participant, participantInvite) = await server.JoinAsync(session.Id, Roles.Participant);
            secrets.AddRange([("observer invite", observerInvite), ("observer token", observer.AccessToken),
                ("participant invite", participantInvite), ("participant token", participant.AccessToken)]);

            // The participant page's way in: preview, then join (twice: a second device resumes the member).
            using var anonymous = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl) };
            (await anonymous.PostAsJsonAsync("/api/join/preview", new { token = participantInvite })).EnsureSuccessStatusCode();
            var again = await anonymous.PostAsJsonAsync("/api/join", new { token = participantInvite, displayName = "Second device" });
            again.EnsureSuccessStatusCode();
            var secondDevice = (await again.Content.ReadFromJsonAsync<Member>())!;
            secrets.Add(("participant second token", secondDevice.AccessToken));

            // The hub with the token in the query string, as browsers send it, over every transport, and with the header.
            await using (var f = await ConnectAsync(server, facilitator.AccessToken, HttpTransportType.WebSockets, skipNegotiation: true))
            {
                await f.InvokeAsync<Ack>("StartSession", Guid.NewGuid());
                await f.InvokeAsync<Ack>("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);
            }
            await using (var o = await ConnectAsync(server, observer.AccessToken, HttpTransportType.WebSockets, skipNegotiation: false))
            {
                await o.InvokeAsync<Ack>("AddNote", Guid.NewGuid(), "seen over websockets", new[] { "confused" }, null);
                await o.InvokeAsync<LiveState>("GetState");
            }
            await using (var p = await ConnectAsync(server, participant.AccessToken, HttpTransportType.ServerSentEvents, skipNegotiation: false))
            {
                await p.InvokeAsync<Ack>("React", Guid.NewGuid(), "delight");
                await p.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L);
            }
            await using (var p2 = await ConnectAsync(server, secondDevice.AccessToken, HttpTransportType.LongPolling, skipNegotiation: false))
            {
                await p2.InvokeAsync<Ack>("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "long polling answer"));
            }
            await using (var header = await server.ConnectAsync(observer))
            {
                await header.Invoke("MessageBackroom", Guid.NewGuid(), "with the header");
            }

            // Refused attempts with real secrets: a revoked token at the hub, member tokens and the key where they do not belong.
            var invites = await server.Http.GetFromJsonAsync<List<InviteRow>>($"/api/sessions/{session.Id}/invites");
            var participantInviteId = invites!.Single(i => i.MemberCode == participant.Code).Id;
            (await server.Http.DeleteAsync($"/api/sessions/{session.Id}/invites/{participantInviteId}")).EnsureSuccessStatusCode();
            var revoked = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server, participant.AccessToken, HttpTransportType.WebSockets, skipNegotiation: true));
            Assert.Contains("401", revoked.Message, StringComparison.Ordinal);
            var keyAtHub = await anonymous.GetAsync($"/hubs/session?access_token={AppServer.FacilitatorKey}");
            Assert.NotEqual(HttpStatusCode.OK, keyAtHub.StatusCode);
            var tokenInApiUrl = await anonymous.GetAsync($"/api/sessions/{session.Id}?access_token={observer.AccessToken}");
            Assert.Equal(HttpStatusCode.Unauthorized, tokenInApiUrl.StatusCode);
            using var asMember = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl) };
            asMember.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", observer.AccessToken);
            Assert.Equal(HttpStatusCode.Forbidden, (await asMember.GetAsync($"/api/sessions/{session.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/join", new { token = participantInvite })).StatusCode);

            // The facilitator's API.
            (await server.Http.GetAsync($"/api/sessions/{session.Id}/events?after=0")).EnsureSuccessStatusCode();
            (await server.Http.GetAsync($"/api/sessions/{session.Id}/export?format=json")).EnsureSuccessStatusCode();

            await Task.Delay(500); // the last lines reach the output
            var output = server.App.Output;
            Assert.Contains("/hubs/session", output, StringComparison.Ordinal); // request logging was on
            Assert.Contains("access_token", output, StringComparison.Ordinal);
            foreach (var (what, value) in secrets)
            {
                Assert.True(!output.Contains(value, StringComparison.Ordinal), $"The {what} appears in the server's output ({formatter} logs):\n{Around(output, value)}");
            }
            outcome = "pass";
        }
        finally
        {
            ReliabilityLog.Record("security", "token-logging-" + formatter, secrets.Count, outcome, new Dictionary<string, object>
            {
                ["outputChars"] = server.App.Output.Length,
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            });
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task GeneratedFacilitatorKey_PrintedOnFirstStartOnly_NeverLogged()
    {
        var settings = new Dictionary<string, string>(Trace) { ["SessionRoom:FacilitatorKey"] = "" };
        var app = new AppServer { Settings = settings };
        var outcome = "fail";
        await app.InitializeAsync();
        try
        {
            var first = app.Output;
            var key = KeyLine().Match(first) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No key printed:\n{first}");
            Assert.Equal(43, key.Length);

            // The key in use (API calls, a hub refusal) is not logged: only the two lines of the announcement carry it.
            using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            (await http.PostAsJsonAsync("/api/studies", new { name = "Key test" })).EnsureSuccessStatusCode();
            (await http.GetAsync("/api/studies")).EnsureSuccessStatusCode();
            using var anonymous = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
            await anonymous.GetAsync($"/hubs/session?access_token={key}");
            await Task.Delay(500);
            Assert.Equal(2, Regex.Count(app.Output, Regex.Escape(key)));
            Assert.Contains($"Facilitator key:  {key}", app.Output, StringComparison.Ordinal);
            Assert.Contains($"/signin#key={key}", app.Output, StringComparison.Ordinal);

            // Started again on the same data: the key still works and is not printed.
            var printed = app.Output.Length;
            app.Kill();
            await app.InitializeAsync();
            (await http.GetAsync("/api/studies")).EnsureSuccessStatusCode();
            await Task.Delay(500);
            var second = app.Output[printed..];
            Assert.Contains("printed on first start", second, StringComparison.Ordinal);
            Assert.DoesNotContain(key, second, StringComparison.Ordinal);
            outcome = "pass";
        }
        finally
        {
            ReliabilityLog.Record("security", "facilitator-key-printed-once", 2, outcome);
            await app.DisposeAsync();
        }
    }

    private static readonly Action<ILogger, string, string, Exception?> RequestStarting =
        LoggerMessage.Define<string, string>(LogLevel.Information, new EventId(1), "Request starting {Path}{QueryString}");

    private static readonly Action<ILogger, string, Exception?> NothingToHide =
        LoggerMessage.Define<string>(LogLevel.Debug, new EventId(2), "Nothing to hide in {Value}");

    /// <summary>The redaction itself, in process: message, structured state and scopes, for any provider.</summary>
    [Fact]
    public void RedactSecrets_AccessTokenInMessageStateAndScope_NoProviderSeesIt()
    {
        var captured = new CapturingProvider();
        var plain = new ScopeTakingProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(captured).AddProvider(plain).RedactSecrets());
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestUrl"] = "/hubs/session?access_token=scope-secret" }))
        {
            RequestStarting(logger, "/hubs/session", "?id=1&ACCESS_TOKEN=message-secret&x=2", null);
        }
        NothingToHide(logger, "/hubs/session?id=3", null);

        var (message, state, scopes) = captured.Entries[0];
        Assert.Equal("Request starting /hubs/session?id=1&ACCESS_TOKEN=[redacted]&x=2", message);
        Assert.Contains("QueryString=?id=1&ACCESS_TOKEN=[redacted]&x=2", state);
        Assert.Contains("{OriginalFormat}=Request starting {Path}{QueryString}", state);
        Assert.Equal(["RequestUrl=/hubs/session?access_token=[redacted]"], scopes);
        Assert.Equal("Nothing to hide in /hubs/session?id=3", captured.Entries[1].Message);
        Assert.DoesNotContain(captured.Entries, e => string.Join(" ", [e.Message, .. e.State, .. e.Scopes]).Contains("secret", StringComparison.Ordinal));
        Assert.Equal(["RequestUrl=/hubs/session?access_token=[redacted]"], plain.Scopes);
    }

    private static async Task<HubConnection> ConnectAsync(LiveServer server, string token, HttpTransportType transport, bool skipNegotiation)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"{server.App.BaseUrl}/hubs/session?access_token={Uri.EscapeDataString(token)}", o =>
            {
                o.Transports = transport;
                o.SkipNegotiation = skipNegotiation;
            })
            .Build();
        try
        {
            await connection.StartAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return connection;
    }

    private static string Around(string output, string value)
    {
        var i = output.IndexOf(value, StringComparison.Ordinal);
        var start = Math.Max(0, output.LastIndexOf('\n', Math.Max(0, i - 1)) - 300);
        return output.Substring(start, Math.Min(output.Length - start, 900));
    }

    [GeneratedRegex(@"Facilitator key:\s+(\S+)")]
    private static partial Regex KeyLine();

    private sealed record InviteRow(Guid Id, string Role, string? MemberCode);

    private sealed class VerboseServer(IReadOnlyDictionary<string, string> settings) : LiveServer(settings);

    /// <summary>A provider that takes scopes through BeginScope (no external scope provider), keeping them.</summary>
    private sealed class ScopeTakingProvider : ILoggerProvider, ILogger
    {
        public List<string> Scopes { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            Scopes.AddRange(CapturingProvider.Pairs(state));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A provider that keeps what it is given, as a console formatter would read it.</summary>
    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<(string Message, List<string> State, List<string> Scopes)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        public static List<string> Pairs(object? state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.Select(p => $"{p.Key}={p.Value}").ToList() : [$"{state}"];

        private sealed class Logger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope((scope, list) => list.AddRange(Pairs(scope)), scopes);
                owner.Entries.Add((formatter(state, exception), Pairs(state), scopes));
            }
        }
    }
}
