using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Live;
using Xunit.Abstractions;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Property-based fuzzing of every HTTP endpoint the app maps (listed from its EndpointDataSource, as
/// <see cref="AuthorizationMatrixTests"/> does, so a new endpoint without a generator here fails
/// <see cref="Generators_CoverEveryMappedEndpoint"/>), against the real server process: random and malformed route
/// values, query strings and bodies (wrong types, nulls, huge strings, 10,000-deep JSON, numbers at every edge,
/// invalid UTF-8, unknown fields, bodies over the 4 MB limit, wrong content types).
/// </summary>
/// <remarks>
/// Properties, for every request: an answer comes and it is not a 5xx (nor a download that breaks off); a refusal
/// (4xx) of an <c>/api</c> path is <c>application/problem+json</c> with its status, unless Kestrel refused it before
/// the app saw it (a request line over its limit); a refusal, and any GET, changed nothing: every table of the server's
/// database reads the same before and after (<see cref="DataFingerprint"/>). After the run <c>/healthz</c> is healthy
/// and the server logged no error. Regressions the fuzz found are pinned in <see cref="FuzzRegressionTests"/>.
/// </remarks>
[Collection(ApiCollection.Name)]
public sealed class HttpFuzzTests(SessionRoomFactory factory, LiveServer server, ITestOutputHelper output) : IClassFixture<LiveServer>
{
    public const int DefaultRequests = 700;

    /// <summary>Requests between two fresh sets of studies and sessions: accepted deletes wear a set down.</summary>
    private const int RequestsPerWorld = 175;

    /// <summary>The kinds of body an endpoint reads.</summary>
    public enum BodyShape
    {
        None,
        JsonObject,
        JsonArray,
        Form,
    }

    /// <summary>How to make requests to one endpoint: its query parameters and the fields of its body.</summary>
    public sealed record EndpointSpec(BodyShape Shape, string[] Fields, string[] Query)
    {
        public static EndpointSpec NoBody(params string[] query) => new(BodyShape.None, [], query);

        public static EndpointSpec Json(params string[] fields) => new(BodyShape.JsonObject, fields, []);
    }

    private static readonly string[] PromptFields = ["kind", "text", "options", "multiple", "scaleMax", "successCriteria", "showCriteria", "url"];

    /// <summary>Every endpoint, as "METHOD route pattern" the way the app maps it (the keys of AuthorizationMatrixTests.Table).</summary>
    public static readonly IReadOnlyDictionary<string, EndpointSpec> Endpoints = new Dictionary<string, EndpointSpec>(StringComparer.Ordinal)
    {
        ["GET /healthz"] = EndpointSpec.NoBody(),
        ["POST /auth/signin"] = new(BodyShape.Form, ["key", "returnUrl"], []),
        ["POST /auth/signout"] = EndpointSpec.NoBody(),
        ["POST /api/join"] = EndpointSpec.Json("token", "displayName"),
        ["POST /api/join/preview"] = EndpointSpec.Json("token", "displayName"),
        ["POST /api/studies/"] = EndpointSpec.Json("name", "goal", "consentText"),
        ["GET /api/studies/"] = EndpointSpec.NoBody(),
        ["GET /api/studies/{studyId:guid}"] = EndpointSpec.NoBody(),
        ["PUT /api/studies/{studyId:guid}"] = EndpointSpec.Json("name", "goal", "consentText"),
        ["PUT /api/studies/{studyId:guid}/codebook"] = new(BodyShape.JsonArray, ["name", "color", "hotkey"], []),
        ["POST /api/studies/{studyId:guid}/sessions"] = EndpointSpec.Json("title", "mode", "tags", "prompts", "blind"),
        ["GET /api/studies/{studyId:guid}/sessions"] = EndpointSpec.NoBody(),
        ["GET /api/studies/{studyId:guid}/search"] = EndpointSpec.NoBody("q", "limit"),
        ["GET /api/studies/{studyId:guid}/export"] = EndpointSpec.NoBody("format", "includeNames"),
        ["GET /api/sessions/{sessionId:guid}/"] = EndpointSpec.NoBody(),
        ["PUT /api/sessions/{sessionId:guid}/"] = EndpointSpec.Json("title", "mode", "tags", "blind"),
        ["POST /api/sessions/{sessionId:guid}/prompts"] = EndpointSpec.Json(PromptFields),
        ["PUT /api/sessions/{sessionId:guid}/prompts/{promptId:guid}"] = EndpointSpec.Json(PromptFields),
        ["PUT /api/sessions/{sessionId:guid}/prompts/{promptId:guid}/position"] = EndpointSpec.Json("position"),
        ["DELETE /api/sessions/{sessionId:guid}/prompts/{promptId:guid}"] = EndpointSpec.NoBody(),
        ["POST /api/sessions/{sessionId:guid}/invites"] = EndpointSpec.Json("role", "name"),
        ["GET /api/sessions/{sessionId:guid}/invites"] = EndpointSpec.NoBody(),
        ["DELETE /api/sessions/{sessionId:guid}/invites/{inviteId:guid}"] = EndpointSpec.NoBody(),
        ["POST /api/sessions/{sessionId:guid}/facilitator"] = EndpointSpec.NoBody(),
        ["GET /api/sessions/{sessionId:guid}/events"] = EndpointSpec.NoBody("after"),
        ["GET /api/sessions/{sessionId:guid}/export"] = EndpointSpec.NoBody("format", "includeNames", "offsetMs"),
        ["GET /api/sessions/{sessionId:guid}/timeline"] = EndpointSpec.NoBody("after", "limit", "type", "tag", "promptId", "participantId", "actorId", "q"),
        ["GET /api/sessions/{sessionId:guid}/agreement"] = EndpointSpec.NoBody("windowSeconds"),
        ["DELETE /api/sessions/{sessionId:guid}/members/{memberId:guid}"] = EndpointSpec.NoBody(),
        ["GET /api/sessions/{sessionId:guid}/withdrawals"] = EndpointSpec.NoBody(),
        ["PUT /api/sessions/{sessionId:guid}/events/{seq:long}/star"] = EndpointSpec.NoBody(),
        ["DELETE /api/sessions/{sessionId:guid}/events/{seq:long}/star"] = EndpointSpec.NoBody(),
        ["GET /api/studies/{studyId:guid}/highlights"] = EndpointSpec.NoBody(),
        ["GET /api/studies/{studyId:guid}/matrix"] = EndpointSpec.NoBody("by", "session"),
        ["GET /api/studies/{studyId:guid}/matrix.csv"] = EndpointSpec.NoBody("by", "session"),
        ["GET /api/studies/{studyId:guid}/themes"] = EndpointSpec.NoBody(),
        ["POST /api/studies/{studyId:guid}/themes"] = EndpointSpec.Json("name"),
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}"] = EndpointSpec.Json("name"),
        ["DELETE /api/studies/{studyId:guid}/themes/{themeId:guid}"] = EndpointSpec.NoBody(),
        ["POST /api/studies/{studyId:guid}/themes/{themeId:guid}/merge"] = EndpointSpec.Json("into"),
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}/position"] = EndpointSpec.Json("position"),
        ["PUT /api/studies/{studyId:guid}/themes/{themeId:guid}/cards"] = EndpointSpec.Json("sessionId", "seq", "position"),
        ["DELETE /api/studies/{studyId:guid}/cards/{sessionId:guid}/{seq:long}"] = EndpointSpec.NoBody(),
        ["GET /api/studies/{studyId:guid}/theme-suggestions"] = EndpointSpec.NoBody("threshold"),
    };

    private static readonly IReadOnlyList<string> EndpointKeys = [.. Endpoints.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Generators_CoverEveryMappedEndpoint()
    {
        var mapped = factory.MappedEndpoints();
        var missing = mapped.Except(Endpoints.Keys).ToList();
        Assert.True(missing.Count == 0, "Endpoints the HTTP fuzz has no generator for (add them to HttpFuzzTests.Endpoints): " + string.Join(", ", missing));
        var stale = Endpoints.Keys.Except(mapped).ToList();
        Assert.True(stale.Count == 0, "HttpFuzzTests.Endpoints entries the app no longer maps: " + string.Join(", ", stale));
        var noGen = Endpoints.SelectMany(e =>
            RouteParameters(e.Key).Where(p => RouteValueGen(p) is null).Select(p => $"{e.Key}: route value {p}")
            .Concat(e.Value.Query.Where(q => QueryValueGen(q) is null).Select(q => $"{e.Key}: query {q}"))
            .Concat(e.Value.Fields.Where(f => FieldGen(f) is null).Select(f => $"{e.Key}: body field {f}"))).ToList();
        Assert.True(noGen.Count == 0, "Parts of requests the HTTP fuzz cannot generate: " + string.Join(", ", noGen));
    }

    [Fact]
    public async Task Fuzz_EveryEndpoint_NeverAnswers5xx_RefusesWithProblemDetails_AndChangesNothingWhenRefusing()
    {
        var count = FuzzSettings.Count(DefaultRequests);
        var clock = Stopwatch.StartNew();
        var logStart = server.App.Output.Length;
        var tally = new Tally();
        var failures = new List<string>();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(server.App.BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        HttpWorld? world = null;
        var data = server.App.DataDirectory;
        var baseline = DataFingerprint.Read(data);
        var cases = FuzzSettings.Cases(i => CaseGens.Value[EndpointKeys[i % EndpointKeys.Count]], stream: 3, count);
        foreach (var (index, caseSeed, request) in cases)
        {
            if (index % RequestsPerWorld == 0)
            {
                if (world is not null)
                {
                    await world.DisposeAsync();
                }
                world = await HttpWorld.CreateAsync(server);
                tally.Worlds++;
                // The old set's connections closed (their presence events land a moment later) and the new set's opened.
                baseline = await DataFingerprint.SettledAsync(data);
            }
            tally.Tried++;
            tally.PerEndpoint[request.Endpoint] = tally.PerEndpoint.GetValueOrDefault(request.Endpoint) + 1;
            var problem = await CheckAsync(http, world!, request, tally);

            // Nothing stored by a refusal, nor by a read: every table of the server's database as it was. (A request
            // whose answer the client could not read, LastStatus 0, may have been carried out.)
            var now = DataFingerprint.Read(data);
            var refused = tally.LastStatus >= 400;
            if ((refused || request.Method == "GET") && !now.SameAs(baseline))
            {
                tally.StoredByRefused += (int)Math.Max(0, now.Rows("events") - baseline.Rows("events"));
                tally.ChangedByRefused++;
                problem ??= $"answered {tally.LastStatus}, yet the stored data changed: {baseline.Difference(now)}";
            }
            baseline = now;
            if (problem is not null)
            {
                failures.Add($"#{index} (case seed {caseSeed}) {request}: {problem}");
                if (failures.Count >= 20)
                {
                    break;
                }
            }
        }
        if (world is not null)
        {
            await world.DisposeAsync();
        }

        // Still up: the process answers its health check (nothing else listens on its port) and never began to stop.
        var health = await http.GetAsync("/healthz");
        var healthBody = await health.Content.ReadAsStringAsync();
        if (health.StatusCode != HttpStatusCode.OK || healthBody != "Healthy")
        {
            failures.Add($"/healthz answered {(int)health.StatusCode} {healthBody}");
        }
        if (server.App.Output.Contains("Application is shutting down", StringComparison.Ordinal))
        {
            failures.Add("the server began to shut down");
        }
        var log = server.App.Output[Math.Min(logStart, server.App.Output.Length)..].Split('\n');
        var errors = log.Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("fail:", StringComparison.Ordinal) || x.line.StartsWith("crit:", StringComparison.Ordinal))
            .Select(x => string.Join(" | ", log.Skip(x.i).Take(3).Select(l => l.Trim())))
            .ToList();
        tally.ErrorLogLines = errors.Count;
        failures.AddRange(errors.Take(5).Select(e => "the server logged an error: " + e));

        var outcome = failures.Count == 0 ? "pass" : "fail";
        var figures = new Dictionary<string, object>
        {
            ["seed"] = FuzzSettings.Seed,
            ["inputs"] = tally.Tried,
            ["endpoints"] = tally.PerEndpoint.Count,
            ["accepted"] = tally.Accepted,
            ["refused"] = tally.Refused,
            ["closedWhileUploading"] = tally.ClosedWhileUploading,
            ["resentAfterABrokenConnection"] = tally.Resent,
            ["refusedByKestrel"] = tally.RefusedByHttpServer,
            ["fiveXx"] = tally.FiveXx,
            ["serverErrorLogLines"] = tally.ErrorLogLines,
            ["notProblemDetails"] = tally.NotProblem,
            ["eventsStoredByRefused"] = tally.StoredByRefused,
            ["refusedOrReadsThatChangedData"] = tally.ChangedByRefused,
            ["worlds"] = tally.Worlds,
            ["statuses"] = string.Join(" ", tally.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}")),
            ["failures"] = failures.Count,
            ["durationMs"] = clock.ElapsedMilliseconds,
        };
        ReliabilityLog.Record("fuzz", "http-endpoints", tally.Tried, outcome, figures);
        output.WriteLine($"http-endpoints: {outcome}; " + string.Join(", ", figures.Select(f => $"{f.Key} {f.Value}")));
        output.WriteLine("requests per endpoint: " + string.Join(", ", tally.PerEndpoint.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value}")));
        Assert.True(failures.Count == 0, $"http-endpoints (seed {FuzzSettings.Seed}): {failures.Count} failure(s):\n" + string.Join("\n", failures));
    }

    // ---- one request ----

    private static async Task<string?> CheckAsync(HttpClient http, HttpWorld world, HttpCase request, Tally tally)
    {
        tally.LastStatus = 0;
        using var message = Message(world, request);
        var bodyBytes = message.Content?.Headers.ContentLength ?? 0;
        HttpResponseMessage response;
        byte[] answer;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (HttpRequestException) when (bodyBytes >= 1_000_000)
        {
            // A large body the server does not read to the end (over 4 MB, or refused with 401 or 404 first, or an
            // endpoint that reads no body): Kestrel answers and closes the connection while the client is still
            // sending, so the client sees the socket break and never learns the status.
            tally.ClosedWhileUploading++;
            return null;
        }
        catch (HttpRequestException first)
        {
            // A pooled keep-alive connection can break under the request on a loaded machine (seen twice in about
            // 20 runs, never on a quiet one). Once more, on a connection of its own: an input that really breaks
            // the server breaks this one too.
            tally.Resent++;
            try
            {
                using var again = Message(world, request);
                again.Headers.ConnectionClose = true;
                response = await http.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                tally.FiveXx++;
                return $"no answer, twice: {Describe(first)}; then {Describe(e)}";
            }
        }
        catch (TaskCanceledException e)
        {
            tally.FiveXx++;
            return "no answer: " + Describe(e);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            tally.LastStatus = status;
            tally.Statuses[status] = tally.Statuses.GetValueOrDefault(status) + 1;
            try
            {
                answer = await response.Content.ReadAsByteArrayAsync();
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                tally.FiveXx++;
                return $"{status}, then the body broke off: {e.Message}";
            }
            var text = Encoding.UTF8.GetString(answer);
            if (status >= 500)
            {
                tally.FiveXx++;
                return $"{status} {Shorten(text)}";
            }
            if (status < 400)
            {
                tally.Accepted++;
                return null;
            }
            tally.Refused++;
            if (!response.Headers.Contains("Referrer-Policy"))
            {
                // No header the app puts on every answer: Kestrel refused the request before the app saw it (a request
                // line over 8 KB is 414, a NUL in the path 400), as the hub's transport refuses an oversized message.
                tally.RefusedByHttpServer++;
                return null;
            }
            if (!request.Path.StartsWith("/api", StringComparison.Ordinal))
            {
                return null; // the sign-in form's refusals go to a browser, not a script
            }
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType != "application/problem+json")
            {
                tally.NotProblem++;
                return $"{status} as {mediaType ?? "no content type"}, not application/problem+json: {Shorten(text)}";
            }
            try
            {
                using var doc = JsonDocument.Parse(answer);
                if (!doc.RootElement.TryGetProperty("status", out var s) || s.GetInt32() != status)
                {
                    tally.NotProblem++;
                    return $"{status} problem without the same status: {Shorten(text)}";
                }
            }
            catch (JsonException)
            {
                tally.NotProblem++;
                return $"{status} problem that is not JSON: {Shorten(text)}";
            }
            return null;
        }
    }

    private const string AppServerKey = SessionRoom.Testing.AppServer.FacilitatorKey;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    // ---- generators ----

    /// <summary>One request as generated, with placeholders (<c>@@name@@</c>) for the ids and tokens of the data under test.</summary>
    public sealed record HttpCase(string Endpoint, string Method, string Path, string Query, HttpBody? Body, string Auth)
    {
        public override string ToString()
        {
            var url = Path + Query;
            return $"{Method} {(url.Length > 200 ? url[..200] + "..." : url)} as {Auth}" + (Body is null ? "" : $" with {Body}");
        }
    }

    /// <summary>A body: text with placeholders, and where to break its UTF-8 (-1: nowhere).</summary>
    public sealed record HttpBody(string Kind, string Text, string? ContentType, int BreakUtf8At = -1)
    {
        public byte[] Bytes(HttpWorld world)
        {
            var bytes = Encoding.UTF8.GetBytes(world.Fill(Text));
            if (BreakUtf8At < 0)
            {
                return bytes;
            }
            var at = Math.Min(BreakUtf8At, bytes.Length);
            return [.. bytes[..at], 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, .. bytes[at..]];
        }

        public override string ToString() => $"{Kind} body ({Text.Length} chars{(ContentType is null ? ", no content type" : ", " + ContentType)}): {(Text.Length > 160 ? Text[..160] + "..." : Text)}";
    }

    private static readonly Lazy<Dictionary<string, Gen<HttpCase>>> CaseGens = new(() =>
        Endpoints.ToDictionary(e => e.Key, e => CaseGen(e.Key, e.Value), StringComparer.Ordinal));

    private static Gen<HttpCase> CaseGen(string endpoint, EndpointSpec spec)
    {
        var method = endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)];
        var pattern = endpoint[(method.Length + 1)..];
        var path = PathGen(pattern);
        var query = QueryGen(spec.Query);
        var body = spec.Shape == BodyShape.None
            ? Gen.Frequency((6, Gen.Const((HttpBody?)null)), (1, BodyGen(BodyShape.JsonObject, ["name"]).Select(b => (HttpBody?)b)))
            : BodyGen(spec.Shape, spec.Fields).Select(b => (HttpBody?)b);
        var auth = Gen.Frequency((22, Gen.Const("key")), (1, Gen.Const("none")), (1, Gen.Const("garbage")), (1, Gen.Const("member")));
        return Gen.Select(path, query, body, auth, (p, q, b, a) => new HttpCase(endpoint, method, p, q, b, a));
    }

    public static IReadOnlyList<string> RouteParameters(string endpoint) =>
        endpoint.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}').Split(':')[0]).ToList();

    /// <summary>The path with each route value generated: mostly a placeholder for a real id, else a random id or hostile text.</summary>
    private static Gen<string> PathGen(string pattern)
    {
        var segments = pattern.Split('/').Select(segment =>
            segment.StartsWith('{')
                ? RouteValueGen(segment.Trim('{', '}').Split(':')[0]) ?? throw new InvalidOperationException("No generator for route value " + segment)
                : Gen.Const(segment)).ToArray();
        return segments.Aggregate(Gen.Const(""), (acc, next) => Gen.Select(acc, next, (a, s) => a.Length == 0 && s.Length == 0 ? "" : a + "/" + s))
            .Select(p => p.StartsWith('/') ? p : "/" + p);
    }

    private static string Ph(string name) => "@@" + name + "@@";

    private static readonly Gen<string> HostileSegment = Gen.Frequency(
        (6, Hostile.Text(300).Select(Pct)),
        (1, Hostile.Text(10_000).Select(Pct)),
        (1, Gen.OneOf("%FF", "%C3%28", "%00", "%2e%2e", "%2F", "null", "-1", "0", " ", "%20")),
        (1, Hostile.WholeNumber));

    private static readonly Gen<string> RandomGuid = Gen.Guid.Select(g => g.ToString());

    public static Gen<string>? RouteValueGen(string name) => name switch
    {
        "studyId" => Gen.Frequency((10, Gen.Const(Ph("study"))), (1, RandomGuid), (1, HostileSegment)),
        "sessionId" => Gen.Frequency((5, Gen.Const(Ph("session-draft"))), (5, Gen.Const(Ph("session-live"))), (1, RandomGuid), (1, HostileSegment)),
        "promptId" => Gen.Frequency((7, Gen.Const(Ph("prompt"))), (2, Gen.Const(Ph("prompt-live"))), (1, RandomGuid), (1, HostileSegment)),
        "inviteId" => Gen.Frequency((7, Gen.Const(Ph("invite"))), (1, RandomGuid), (1, HostileSegment)),
        "memberId" => Gen.Frequency((4, Gen.Const(Ph("member"))), (3, Gen.Const(Ph("member-live"))), (1, Gen.Const(Ph("observer-live"))), (1, RandomGuid), (1, HostileSegment)),
        "themeId" => Gen.Frequency((6, Gen.Const(Ph("theme"))), (3, Gen.Const(Ph("theme2"))), (1, RandomGuid), (1, HostileSegment)),
        "seq" => Gen.Frequency((5, Gen.Const(Ph("seq-note"))), (3, Gen.Const(Ph("seq-answer"))), (1, Gen.Const(Ph("seq-other"))), (2, Hostile.WholeNumber), (1, HostileSegment)),
        _ => null,
    };

    /// <summary>A query string: some of the endpoint's parameters with right or wrong values, now and then one it does not know.</summary>
    private static Gen<string> QueryGen(string[] names)
    {
        var parts = names.Select(name =>
        {
            var value = QueryValueGen(name) ?? throw new InvalidOperationException("No generator for query " + name);
            var count = name == "type" ? Gen.Frequency((2, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Int[2, 4])) : Gen.Frequency((2, Gen.Const(0)), (5, Gen.Const(1)), (1, Gen.Const(2)));
            return Gen.Select(count, value.Array[4], (n, values) => values.Take(n).Select(v => name + "=" + v).ToArray());
        }).ToArray();
        var known = parts.Aggregate(Gen.Const(Array.Empty<string>()), (acc, next) => Gen.Select(acc, next, (a, b) => (string[])[.. a, .. b]));
        var unknown = Gen.Frequency(
            (8, Gen.Const(Array.Empty<string>())),
            (1, Gen.Select(Hostile.Text(200).Select(Pct), Hostile.Text(2_000).Select(Pct), (n, v) => new[] { (n.Length == 0 ? "x" : n) + "=" + v })),
            (1, Gen.OneOf<string[]>(["access_token=" + AppServerKey], ["format"], ["="], ["&&&"], ["a=1&a=2&a=3"])));
        return Gen.Select(known, unknown, Gen.Bool, (k, u, shuffle) =>
        {
            var all = shuffle ? [.. u, .. k] : k.Concat(u).ToArray();
            return all.Length == 0 ? "" : "?" + string.Join("&", all);
        });
    }

    private static Gen<string> Values(params string[] values) => Gen.OneOf(values).Select(Pct);

    private static readonly Gen<string> HostileQueryValue = Gen.Frequency(
        (8, Hostile.Text(500).Select(Pct)),
        (1, Hostile.Text(10_000).Select(Pct)),
        (1, Gen.OneOf("%FF", "%C3%28", "%00", "%", "%E2%82", "%ZZ", "+", "%2B1")),
        (2, Hostile.WholeNumber),
        (1, Hostile.Fraction));

    public static Gen<string>? QueryValueGen(string name)
    {
        Gen<string> Mix(Gen<string> right) => Gen.Frequency((3, right), (2, HostileQueryValue));
        return name switch
        {
            "after" => Mix(Values("0", "1", "3", "-1", "")),
            "limit" => Mix(Values("1", "100", "500", "501", "0", "-5")),
            "type" => Mix(Values("note", "answer", "reaction", "backroom-message", "session-started", "NOTE", "notes")),
            "tag" => Mix(Values("confused", "CONFUSED", "delight", "none")),
            "promptId" => Mix(Gen.OneOf(Ph("prompt-live"), Ph("prompt"), Guid.Empty.ToString()).Select(s => s)),
            "participantId" or "actorId" => Mix(Gen.OneOf(Ph("member-live"), Ph("observer-live"), Guid.Empty.ToString())),
            "session" => Mix(Gen.OneOf(Ph("session-live"), Ph("session-draft"), Ph("study"))),
            "q" => Mix(Values("price", "pric", "\"quoted phrase\"", "a AND b", "NEAR(a b)", "*", "\"", "-", "confused OR")),
            "format" => Mix(Values("csv", "json", "md", "vtt", "CSV", "Json", "xml", "")),
            "includeNames" => Mix(Values("true", "false", "TRUE", "yes", "1", "")),
            "offsetMs" => Mix(Values("0", "1000", "-86400000", "86400000", "86400001", "-86400001", "1.5")),
            "windowSeconds" => Mix(Values("10", "30", "60", "120", "0", "-30", "31", "1e1")),
            "by" => Mix(Values("prompt", "participant", "PROMPT", "tag", "")),
            "threshold" => Mix(Values("0.3", "0", "1", "1.0001", "-0.5", "NaN", "Infinity", "-Infinity", "1e309", "0.0000001")),
            _ => null,
        };
    }

    /// <summary>Percent-encodes text as UTF-8 (an unpaired surrogate becomes U+FFFD, as any encoder does).</summary>
    public static string Pct(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }

    private static Gen<string> Quoted(params string[] values) => Gen.OneOf(values).Select(JsonText.Quote);

    private static readonly Gen<string> AnyJson = Hostile.Json(20_000);

    private static readonly Gen<string> SomeText = Gen.Frequency((3, Hostile.Text(20_000).Select(JsonText.Quote)), (1, AnyJson));

    private static readonly Gen<string> Number = Gen.Frequency((5, Gen.Int[-2, 12].Select(i => JsonText.Number(i))), (3, Hostile.WholeNumber), (1, Hostile.Fraction), (1, Quoted("1", "one")));

    private static readonly Gen<string> Flag = Gen.Frequency((5, Gen.OneOf("true", "false")), (1, Quoted("true", "yes")), (1, Gen.OneOf("0", "1", "null")));

    private static Gen<string> ArrayOf(Gen<string> item, int max = 6) => Gen.Frequency((6, item.Array[0, max].Select(JsonText.Array)), (1, Gen.Const("null")), (1, AnyJson));

    private static Gen<string> Mixed(Gen<string> right) => Gen.Frequency((5, right), (3, SomeText), (1, Gen.Const("null")), (1, AnyJson));

    private static readonly Gen<string> TagValue = Gen.Frequency((4, Quoted("confused", "delight", "pricing", "Confused")), (2, Hostile.Text(200).Select(JsonText.Quote)), (1, AnyJson));

    /// <summary>A prompt object (as in SessionInput), right or wrong for its kind.</summary>
    private static readonly Gen<string> PromptObject = ObjectGen(PromptFields);

    /// <summary>Values for one body field: right ones for the field mostly, then text, nulls and other JSON.</summary>
    public static Gen<string>? FieldGen(string field) => field switch
    {
        "name" or "title" => Mixed(Quoted("Study", "Round 2", "Pricing", "A", " padded ")),
        "goal" or "consentText" or "text" or "successCriteria" or "displayName" => Mixed(Quoted("Learn why people leave", "What do you use today?", "")),
        "mode" => Mixed(Quoted("usability", "focus-group", "Usability", "focus group")),
        "tags" => ArrayOf(TagValue, 55),
        "prompts" => ArrayOf(Gen.Frequency((6, PromptObject), (1, AnyJson)), 5),
        "blind" or "multiple" or "showCriteria" => Flag,
        "kind" => Mixed(Quoted("question", "poll", "rating", "task", "stimulus", "seq", "sus", "essay", "Question")),
        "options" => ArrayOf(Gen.Frequency((4, Quoted("A", "B", "C", "a", "")), (1, Hostile.Text(300).Select(JsonText.Quote)), (1, AnyJson)), 22),
        "scaleMax" or "position" or "hotkey" or "seq" => Gen.Frequency((6, Number), (1, Gen.Const(Ph("seq-note"))), (1, AnyJson)),
        "url" => Mixed(Quoted("https://example.test/a.png", "http://example.test", "javascript:alert(1)", "ftp://x/y", "/relative", "https://")),
        "color" => Mixed(Quoted("#FF0000", "#00ff00", "#fff", "red", "#GGGGGG", "")),
        "role" => Mixed(Quoted("observer", "participant", "facilitator", "Observer", "admin")),
        "token" => Mixed(Gen.OneOf(Ph("token"), Ph("observer-token"), Ph("revoked-token"), AppServerKey, "").Select(JsonText.Quote)),
        "into" => Mixed(Gen.Frequency((4, Gen.OneOf(Ph("theme2"), Ph("theme"), Guid.Empty.ToString())), (1, RandomGuid)).Select(JsonText.Quote)),
        "sessionId" => Mixed(Gen.OneOf(Ph("session-live"), Ph("session-draft"), Guid.Empty.ToString()).Select(JsonText.Quote)),
        "key" or "returnUrl" => Hostile.Text(2_000),
        _ => null,
    };

    /// <summary>An object with each of <paramref name="fields"/> present or not, now and then a field it does not have.</summary>
    private static Gen<string> ObjectGen(string[] fields, double unknownChance = 0.1)
    {
        var present = fields.Select(f => Gen.Select(Gen.Double.Unit, FieldGen(f)!, (roll, value) => roll < 0.8 ? (f, value) : ((string, string)?)null)).ToArray();
        var all = present.Aggregate(Gen.Const(Array.Empty<(string, string)>()), (acc, next) => Gen.Select(acc, next, (a, b) => b is { } x ? (((string, string)[])[.. a, x]) : a));
        var unknown = Gen.Select(Gen.Double.Unit, Gen.OneOf("extra", "Name", "__proto__", "id", "$type"), AnyJson, (roll, n, v) => roll < unknownChance ? (n, v) : ((string, string)?)null);
        return Gen.Select(all, unknown, (a, u) => JsonText.Fields(u is { } x ? [.. a, x] : a));
    }

    private static readonly string[] Malformed =
    [
        "", " ", "{", "}", "[", "{\"name\":", "{\"name\":\"x\"", "{'name':'x'}", "{name:\"x\"}", "{\"name\":\"x\",}", "[1,2,]", "// comment\n{}",
        "{\"name\":NaN}", "{\"name\":Infinity}", "{\"name\":\"x\"} trailing", "{\"name\":\"x\"}{\"name\":\"y\"}", "nul", "tru", "\"unterminated",
        "\ufeff{\"name\":\"x\"}", "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"\\ud800\"}", "{\"name\":\"\\u0000\"}", "{\"name\":\"\\x41\"}",
        "{\"name\":01}", "{\"position\":1e2}", "{\"position\":-0}", "{\"position\":2147483648}", "{\"seq\":9223372036854775808}",
        "{\"name\":\"x\"\u0000}", "\u0000", "<xml/>", "name=x&goal=y",
    ];

    private static readonly Gen<string?> ContentType = Gen.Frequency(
        (16, Gen.Const((string?)"application/json")),
        (1, Gen.Const((string?)"application/json; charset=utf-8")),
        (1, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16",
            "application/merge-patch+json", "*/*", "application/json; charset=\"", "x", "application/json, text/plain")));

    /// <summary>A body for an endpoint that reads <paramref name="shape"/>: mostly the right shape with right and wrong values, else anything.</summary>
    private static Gen<HttpBody> BodyGen(BodyShape shape, string[] fields)
    {
        var structured = shape switch
        {
            BodyShape.JsonArray => Gen.Frequency((6, ObjectGen(fields)), (1, AnyJson)).Array[0, 12].Select(JsonText.Array),
            BodyShape.Form => Gen.Select(FieldGen("key")!, FieldGen("returnUrl")!, (k, r) => $"key={Pct(k)}&returnUrl={Pct(r)}"),
            _ => ObjectGen(fields),
        };
        var structuredType = shape == BodyShape.Form
            ? Gen.Frequency((4, Gen.Const((string?)"application/x-www-form-urlencoded")), (1, ContentType))
            : ContentType;
        var huge = Gen.Select(Gen.OneOf(fields.Length == 0 ? ["name"] : fields), Gen.Int[1_000_000, 3_000_000], Gen.OneOf("x", "é", "\\u0000"),
            (field, length, piece) => JsonText.Fields([(field, "\"" + new StringBuilder().Insert(0, piece, length / piece.Length).ToString() + "\"")]));
        return Gen.Frequency(
            (14, Gen.Select(structured, structuredType, (t, c) => new HttpBody("structured", t, c))),
            (3, Gen.Select(AnyJson, ContentType, (t, c) => new HttpBody("any JSON", t, c))),
            (1, Gen.Select(Gen.OneOf(10_000, 100_000), Gen.Bool, (depth, arrays) => new HttpBody($"{depth} deep", arrays ? JsonText.DeepArray(depth) : JsonText.DeepObject(depth), "application/json"))),
            (3, Gen.OneOf(Malformed).Select(t => new HttpBody("malformed", t, "application/json"))),
            (1, Gen.Select(structured, Gen.Int[0, 40], (t, at) => new HttpBody("invalid UTF-8", t, "application/json", Math.Min(at, t.Length)))),
            (1, huge.Select(t => new HttpBody("huge", t, "application/json"))),
            (1, Gen.Select(Gen.OneOf(fields.Length == 0 ? ["name"] : fields), f => new HttpBody("over 4 MB", JsonText.Fields([(f, JsonText.Quote(new string('x', 4 * 1024 * 1024 + 1_000)))]), "application/json"))));
    }

    // ---- the data under test ----

    /// <summary>
    /// A study with a codebook, a draft session (every prompt kind, invites, a joined participant) and a live session
    /// with an answer, a note, a backroom message and a reaction (seqs to star and sort), two themes with a card: the
    /// real ids the placeholders stand for, and the fingerprint of everything a request could change.
    /// </summary>
    public sealed class HttpWorld : IAsyncDisposable
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly List<LiveClient> _clients = [];

        private HttpWorld()
        {
        }

        public string MemberToken { get; private set; } = "";

        public static async Task<HttpWorld> CreateAsync(LiveServer server)
        {
            var world = new HttpWorld();
            var http = server.Http;
            var studyId = (await (await http.PostAsJsonAsync("/api/studies", new { name = "Fuzz study", goal = "Find the edges" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (await http.PutAsJsonAsync($"/api/studies/{studyId}/codebook", new[] { new { name = "confused", color = "#FF0000", hotkey = 1 }, new { name = "delight", color = "#00FF00", hotkey = 2 } })).EnsureSuccessStatusCode();
            var draftResponse = await http.PostAsJsonAsync($"/api/studies/{studyId}/sessions", new
            {
                title = "Draft",
                mode = "usability",
                tags = new[] { "confused", "delight" },
                prompts = new object[]
                {
                    new { kind = "question", text = "What do you use today?" },
                    new { kind = "poll", text = "Which plan?", options = new[] { "Free", "Pro" } },
                    new { kind = "rating", text = "Rate it", scaleMax = 5 },
                    new { kind = "task", text = "Buy a mug", successCriteria = "Order shown" },
                    new { kind = "stimulus", text = "Landing page", url = "https://example.test/a.png" },
                    new { kind = "seq", text = "How easy?" },
                    new { kind = "sus", text = "SUS" },
                },
            });
            draftResponse.EnsureSuccessStatusCode();
            var draft = (await draftResponse.Content.ReadFromJsonAsync<Session>())!;
            var invite = await http.PostAsJsonAsync($"/api/sessions/{draft.Id}/invites", new { role = "participant" });
            var participantToken = (await invite.Content.ReadFromJsonAsync<CreatedInvite>())!.Token;
            var observerToken = (await (await http.PostAsJsonAsync($"/api/sessions/{draft.Id}/invites", new { role = "observer" })).Content.ReadFromJsonAsync<CreatedInvite>())!.Token;
            var revokable = await http.PostAsJsonAsync($"/api/sessions/{draft.Id}/invites", new { role = "participant", name = "Leaves" });
            var revokedToken = (await revokable.Content.ReadFromJsonAsync<CreatedInvite>())!.Token;
            var invites = (await http.GetFromJsonAsync<List<JsonElement>>($"/api/sessions/{draft.Id}/invites"))!;
            using (var anonymous = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl) })
            {
                var joined = await (await anonymous.PostAsJsonAsync("/api/join", new { token = participantToken, displayName = "Pat" })).Content.ReadFromJsonAsync<Member>();
                world._values["member"] = joined!.MemberId.ToString();
                await anonymous.PostAsJsonAsync("/api/join", new { token = revokedToken });
            }
            var revokedInvite = invites.Single(i => i.GetProperty("name").GetString() == "Leaves").GetProperty("id").GetGuid();
            (await http.DeleteAsync($"/api/sessions/{draft.Id}/invites/{revokedInvite}")).EnsureSuccessStatusCode();

            // The live session, with events made over the hub.
            var liveResponse = await http.PostAsJsonAsync($"/api/studies/{studyId}/sessions", new
            {
                title = "Live",
                mode = "usability",
                tags = new[] { "confused", "delight" },
                prompts = new object[]
                {
                    new { kind = "question", text = "What do you think of the price?" },
                    new { kind = "task", text = "Do it", successCriteria = "Done" },
                },
            });
            liveResponse.EnsureSuccessStatusCode();
            var live = (await liveResponse.Content.ReadFromJsonAsync<Session>())!;
            var facilitator = await server.ConnectAsync(await server.FacilitatorAsync(live.Id));
            var (participant, _) = await server.JoinAsync(live.Id, Roles.Participant);
            var p = await server.ConnectAsync(participant);
            var (observer, _) = await server.JoinAsync(live.Id, Roles.Observer);
            var o = await server.ConnectAsync(observer);
            world._clients.AddRange([facilitator, p, o]);
            await facilitator.Invoke("StartSession", Guid.NewGuid());
            await facilitator.Invoke("ShowPrompt", Guid.NewGuid(), live.Prompts[0].Id);
            var answer = await p.Invoke("Answer", Guid.NewGuid(), live.Prompts[0].Id, new AnswerInput(Text: "I use a spreadsheet, the price is fine"));
            var note = await o.Invoke("AddNote", Guid.NewGuid(), "Hesitates at the price", new[] { "confused" }, participant.MemberId);
            var message = await o.Invoke("MessageBackroom", Guid.NewGuid(), "Ask about pricing");
            await p.Invoke("React", Guid.NewGuid(), "delight");
            world.MemberToken = participant.AccessToken;

            // Themes, one holding the note.
            var theme = (await (await http.PostAsJsonAsync($"/api/studies/{studyId}/themes", new { name = "Price" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var theme2 = (await (await http.PostAsJsonAsync($"/api/studies/{studyId}/themes", new { name = "Tools" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

            world._values["study"] = studyId.ToString();
            world._values["session-draft"] = draft.Id.ToString();
            world._values["session-live"] = live.Id.ToString();
            world._values["prompt"] = draft.Prompts[0].Id.ToString();
            world._values["prompt-live"] = live.Prompts[0].Id.ToString();
            world._values["invite"] = invites.First(i => i.GetProperty("role").GetString() == "observer").GetProperty("id").GetGuid().ToString();
            world._values["member-live"] = participant.MemberId.ToString();
            world._values["observer-live"] = observer.MemberId.ToString();
            world._values["theme"] = theme.ToString();
            world._values["theme2"] = theme2.ToString();
            world._values["seq-note"] = note.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["seq-answer"] = answer.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["seq-other"] = message.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            world._values["token"] = participantToken;
            world._values["observer-token"] = observerToken;
            world._values["revoked-token"] = revokedToken;
            (await http.PutAsJsonAsync($"/api/studies/{studyId}/themes/{theme}/cards", new { sessionId = live.Id, seq = note.Seq })).EnsureSuccessStatusCode();

            return world;
        }

        /// <summary>Replaces each placeholder with its value.</summary>
        public string Fill(string text)
        {
            if (!text.Contains("@@", StringComparison.Ordinal))
            {
                return text;
            }
            foreach (var (name, value) in _values)
            {
                text = text.Replace("@@" + name + "@@", value, StringComparison.Ordinal);
            }
            return text;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static HttpRequestMessage Message(HttpWorld world, HttpCase request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), world.Fill(request.Path) + world.Fill(request.Query));
        switch (request.Auth)
        {
            case "key":
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppServerKey);
                break;
            case "member":
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", world.MemberToken);
                break;
            case "garbage":
                message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('z', 300));
                break;
        }
        if (request.Body is { } body)
        {
            var content = new ByteArrayContent(body.Bytes(world));
            if (body.ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
            }
            message.Content = content;
        }
        return message;
    }

    /// <summary>The exception and its causes, so a failure says what broke (a reset, an early end, a timeout).</summary>
    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            parts.Add(x is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h
                ? $"{x.GetType().Name} ({h.HttpRequestError}): {x.Message}"
                : $"{x.GetType().Name}: {x.Message}");
        }
        return string.Join(" <- ", parts);
    }

    private sealed class Tally
    {
        public int Resent;
        public int Tried;
        public int Accepted;
        public int Refused;
        public int ClosedWhileUploading;
        public int RefusedByHttpServer;
        public int FiveXx;
        public int ErrorLogLines;
        public int NotProblem;
        public int StoredByRefused;
        public int ChangedByRefused;
        public int Worlds;
        public int LastStatus;
        public Dictionary<int, int> Statuses { get; } = [];
        public Dictionary<string, int> PerEndpoint { get; } = new(StringComparer.Ordinal);
    }
}
