using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CsCheck;
using SessionRoom.Core.Studies;
using SessionRoom.IntegrationTests.Live;
using SessionRoom.Web.Hubs;
using Xunit.Abstractions;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Property-based fuzzing of every public method of <see cref="SessionHub"/> (found by reflection, so a new method is
/// fuzzed without anyone listing it), called as the facilitator, an observer and a participant over the raw JSON hub
/// protocol with random and malformed arguments: wrong types, nulls, missing and extra arguments, huge strings,
/// unpaired surrogates, U+0000, bidi controls, emoji sequences, deep nesting, numbers at every edge.
/// </summary>
/// <remarks>
/// Properties, for every call: a completion comes (a result or an error) and the connection stays open, except where
/// the message itself breaks a protocol limit (over <see cref="MaxMessageBytes"/>, nested deeper than
/// <see cref="MaxProtocolDepth"/>, a target that is not valid UTF-16), which closes that one connection; no error is
/// the server's own failure (the hub's "Something went wrong" or an error log line); the session's event log grows by
/// exactly the event each new ack names and by nothing for a refusal, a duplicate or a read, and no other table of the
/// server's database changes either (<see cref="DataFingerprint"/>). After the run every connection still answers and
/// <c>/healthz</c> is healthy. Inputs come from a fixed seed and a bounded count (<see cref="FuzzSettings"/>).
/// </remarks>
public sealed class HubFuzzTests(LiveServer server, ITestOutputHelper output) : IClassFixture<LiveServer>
{
    /// <summary>MaximumReceiveMessageSize in SessionRoomHosting.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>System.Text.Json's default reader depth, which the JSON hub protocol reads messages with.</summary>
    public const int MaxProtocolDepth = 64;

    public const int DefaultCalls = 600;

    private static readonly string[] RoleNames = [Roles.Facilitator, Roles.Observer, Roles.Participant];

    /// <summary>Every method a client can invoke: SessionHub's own public instance methods less the connection events.</summary>
    public static IReadOnlyList<MethodInfo> HubMethods { get; } = typeof(SessionHub)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => !m.IsSpecialName && m.Name is not (nameof(SessionHub.OnConnectedAsync) or nameof(SessionHub.OnDisconnectedAsync)))
        .OrderBy(m => m.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>A call as generated: which method, as whom, and its arguments as raw JSON with placeholders for the ids of the session under test.</summary>
    public sealed record HubCall(string Method, string Role, IReadOnlyList<string> Arguments)
    {
        public override string ToString() => $"{Role} {Method}({string.Join(", ", Arguments.Select(a => a.Length > 120 ? a[..120] + $"...({a.Length} chars)" : a))})";
    }

    [Fact]
    public void EveryHubMethodParameter_HasAGenerator()
    {
        Assert.NotEmpty(HubMethods);
        var missing = HubMethods.SelectMany(m => m.GetParameters().Where(p => ArgumentGen(p) is null).Select(p => $"{m.Name}({p.ParameterType.Name} {p.Name})")).ToList();
        Assert.True(missing.Count == 0, "Hub parameters the fuzz cannot generate values for (add them to HubFuzzTests.ArgumentGen): " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Fuzz_EveryHubMethod_AsEveryRole_AnswersEveryCall_AndStoresNothingForRefusals()
    {
        var count = FuzzSettings.Count(DefaultCalls);
        var clock = Stopwatch.StartNew();
        var logStart = server.App.Output.Length;
        var figures = new Tally();
        var failures = new List<string>();
        var world = await HubWorld.CreateAsync(server);
        // Sessions that ended keep their connections open for a while: closing them writes member-left events
        // (presence), which would land during later calls. They are closed ten at a time, and the data let settle.
        var ended = new List<HubWorld>();
        try
        {
            foreach (var (index, caseSeed, call) in FuzzSettings.Cases(CallGen, stream: 1, count))
            {
                figures.Tried++;
                figures.PerMethod[call.Method] = figures.PerMethod.GetValueOrDefault(call.Method) + 1;
                var problem = await CheckCallAsync(world, call, figures);
                if (problem is not null)
                {
                    failures.Add($"#{index} (case seed {caseSeed}) {call}: {problem}");
                    if (failures.Count >= 20)
                    {
                        break;
                    }
                }
                if (world.Ended)
                {
                    figures.Sessions++;
                    ended.Add(world);
                    if (ended.Count >= 10)
                    {
                        foreach (var old in ended)
                        {
                            await old.DisposeAsync();
                        }
                        ended.Clear();
                        world = await HubWorld.CreateAsync(server);
                    }
                    else
                    {
                        world = await HubWorld.CreateAsync(server, settle: false);
                    }
                }
            }

            // Afterwards: every connection still answers, the server is healthy, and nothing failed inside it.
            foreach (var (role, client) in world.Fuzzers)
            {
                var state = await client.InvokeAsync("GetState", []);
                if (state.Outcome != CallOutcome.Result)
                {
                    failures.Add($"after the run, the {role}'s connection answered GetState with {state}");
                }
            }
        }
        finally
        {
            foreach (var old in ended.Append(world))
            {
                await old.DisposeAsync();
            }
        }
        await ExpectHealthyAsync(failures);
        var serverErrors = ServerErrors(logStart);
        figures.ServerErrors += serverErrors.Count;
        failures.AddRange(serverErrors.Take(5).Select(e => "the server logged an error: " + e));

        Report("hub-methods", count, clock, figures, failures);
    }

    /// <summary>
    /// A message over the 64 KB transport limit, to every hub method as every role, whole or spread over several
    /// WebSocket frames: the server closes that connection without reading it as a call, stores nothing, and stays
    /// healthy; the member's other connection and a new one work. A message just under the limit is answered.
    /// </summary>
    [Fact]
    public async Task OversizedMessage_ClosesThatConnectionByTheTransportLimit_AndStoresNothing()
    {
        var clock = Stopwatch.StartNew();
        var logStart = server.App.Output.Length;
        var figures = new Tally();
        var failures = new List<string>();
        await using var world = await HubWorld.CreateAsync(server);
        var padding = new string('x', MaxMessageBytes + 1_000);
        foreach (var method in HubMethods)
        {
            foreach (var role in RoleNames)
            {
                foreach (var framing in new[] { "one-frame", "split-frames" })
                {
                    figures.Tried++;
                    var lastSeq = world.LastSeq;
                    var victim = await world.ConnectAsync(role);
                    var message = Encoding.UTF8.GetBytes(
                        $"{{\"type\":1,\"invocationId\":\"frame\",\"target\":{JsonText.Quote(method.Name)},\"arguments\":[{JsonText.Quote(Guid.NewGuid().ToString())},{JsonText.Quote(padding)}]}}\u001e");
                    if (framing == "one-frame")
                    {
                        await victim.SendRawAsync(message);
                    }
                    else
                    {
                        foreach (var chunk in message.Chunk(8 * 1024))
                        {
                            await victim.SendRawAsync(chunk);
                        }
                    }
                    if (await victim.WaitForCloseAsync(TimeSpan.FromSeconds(10)))
                    {
                        figures.ClosedByLimit++;
                    }
                    else
                    {
                        failures.Add($"{role} {method.Name} ({framing}, {message.Length} bytes): the connection stayed open");
                    }
                    var stored = await world.NewEventsAsync();
                    if (stored.Count > 0)
                    {
                        figures.StoredByRefused += stored.Count;
                        failures.Add($"{role} {method.Name} ({framing}): {stored.Count} event(s) stored after seq {lastSeq}: {string.Join(", ", stored.Select(e => e.Type))}");
                    }
                    if (world.DataChanged() is { } changed)
                    {
                        failures.Add($"{role} {method.Name} ({framing}): the stored data changed: {changed}");
                    }
                    await victim.DisposeAsync();
                }
            }
        }

        // Just under the limit: read, refused by the rules (text over 4,000 characters), connection open.
        var under = await world.Fuzzers[Roles.Observer].InvokeAsync("AddNote",
            [JsonText.Quote(Guid.NewGuid().ToString()), JsonText.Quote(new string('x', MaxMessageBytes - 1_000)), "[]", "null"]);
        figures.Tried++;
        if (under.Outcome == CallOutcome.Error)
        {
            figures.Refused++;
        }
        else
        {
            failures.Add($"a message just under the limit was answered with {under}, not a refusal");
        }
        if ((await world.NewEventsAsync()).Count > 0 || world.DataChanged() is not null)
        {
            failures.Add("the refused message just under the limit stored something");
        }
        foreach (var (role, client) in world.Fuzzers)
        {
            var state = await client.InvokeAsync("GetState", []);
            if (state.Outcome != CallOutcome.Result)
            {
                failures.Add($"the {role}'s other connection answered GetState with {state}");
            }
        }
        await ExpectHealthyAsync(failures);
        failures.AddRange(ServerErrors(logStart).Take(5).Select(e => "the server logged an error: " + e));

        Report("hub-oversized-message", figures.Tried, clock, figures, failures);
    }

    /// <summary>
    /// Frames that are not valid hub messages (broken JSON, wrong field types, unknown message types, invalid UTF-8,
    /// binary frames, random JSON values): each may close the connection it came on (the protocol's rule) or be
    /// answered, but it stores nothing and harms no other connection, and the server stays healthy.
    /// </summary>
    [Fact]
    public async Task MalformedFrames_AffectOnlyTheirConnection_AndStoreNothing()
    {
        var count = FuzzSettings.Count(DefaultFrames);
        var clock = Stopwatch.StartNew();
        var logStart = server.App.Output.Length;
        var figures = new Tally();
        var failures = new List<string>();
        await using var world = await HubWorld.CreateAsync(server);
        var frames = FixedFrames.Select((f, i) => (Index: i, CaseSeed: "fixed", Frame: f))
            .Concat(FuzzSettings.Cases(FrameGen, stream: 2, count).Select(c => (Index: FixedFrames.Count + c.Index, c.CaseSeed, Frame: c.Value)));
        foreach (var (index, caseSeed, frame) in frames)
        {
            figures.Tried++;
            var role = RoleNames[index % RoleNames.Length];
            var victim = await world.ConnectAsync(role);
            await victim.SendRawAsync(frame.Bytes, frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
            // A follow-up call tells what the frame did to its connection: nothing (answered), closed it (the
            // protocol's rule for a message it cannot read), or left it unanswering (a frame without a separator
            // swallows the next message; SignalR reads no further after a message type it does not know).
            var after = await victim.InvokeAsync("GetState", [], TimeSpan.FromSeconds(2));
            switch (after.Outcome)
            {
                case CallOutcome.Result:
                    figures.Accepted++;
                    break;
                case CallOutcome.Closed:
                    figures.ClosedByLimit++;
                    break;
                case CallOutcome.Timeout:
                    figures.Unanswered++;
                    break;
                default:
                    failures.Add($"#{index} (case seed {caseSeed}) {frame}: the follow-up GetState was refused ({after})");
                    break;
            }
            var stored = await world.NewEventsAsync();
            if (stored.Count > 0)
            {
                figures.StoredByRefused += stored.Count;
                failures.Add($"#{index} (case seed {caseSeed}) {frame}: {stored.Count} event(s) stored: {string.Join(", ", stored.Select(e => e.Type))}");
            }
            if (world.DataChanged() is { } changed)
            {
                failures.Add($"#{index} (case seed {caseSeed}) {frame}: the stored data changed: {changed}");
            }
            await victim.DisposeAsync();
            if (failures.Count >= 20)
            {
                break;
            }
        }
        foreach (var (role, client) in world.Fuzzers)
        {
            var state = await client.InvokeAsync("GetState", []);
            if (state.Outcome != CallOutcome.Result)
            {
                failures.Add($"the {role}'s other connection answered GetState with {state}");
            }
        }
        await ExpectHealthyAsync(failures);
        var serverErrors = ServerErrors(logStart);
        figures.ServerErrors += serverErrors.Count;
        failures.AddRange(serverErrors.Take(5).Select(e => "the server logged an error: " + e));

        Report("hub-malformed-frames", figures.Tried, clock, figures, failures);
    }

    public const int DefaultFrames = 60;

    // ---- checking one call ----

    private static async Task<string?> CheckCallAsync(HubWorld world, HubCall call, Tally figures)
    {
        var arguments = call.Arguments.Select(world.Fill).ToList();
        var size = Encoding.UTF8.GetByteCount($"{{\"type\":1,\"invocationId\":\"000\",\"target\":{JsonText.Quote(call.Method)},\"arguments\":[{string.Join(",", arguments)}]}}");
        var depth = 2 + arguments.Select(Depth).DefaultIfEmpty(0).Max();
        // Messages the protocol cannot read close the connection (SignalR's rule, not the app's): over the size
        // limit, nested deeper than the reader allows, or a target name that is not valid UTF-16 (an unpaired
        // surrogate; in an argument it is a binding error, answered, but the target is read by the protocol itself).
        var overLimit = size > MaxMessageBytes || depth > MaxProtocolDepth || HasUnpairedSurrogate(call.Method);
        var client = world.Fuzzers[call.Role];
        var result = await client.InvokeAsync(call.Method, arguments);
        string? problem = null;
        switch (result.Outcome)
        {
            case CallOutcome.Result:
                figures.Accepted++;
                break;
            case CallOutcome.Error when IsServerFailure(result.Error):
                figures.ServerErrors++;
                problem = $"the server failed: \"{result.Error}\"";
                break;
            case CallOutcome.Error:
                figures.Refused++;
                break;
            case CallOutcome.Closed when overLimit:
                figures.ClosedByLimit++;
                break;
            default:
                figures.Broken++;
                problem = $"{result} for a message of {size} bytes nested {depth} deep, within the protocol's limits";
                break;
        }
        if (overLimit && result.Outcome != CallOutcome.Closed)
        {
            // Not a failure of the server: the limit is the framework's. Kept apart to see how often it happens.
            figures.OverLimitAnswered++;
        }

        var stored = await world.NewEventsAsync();
        var ack = result.Result is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("duplicate", out var duplicate) && r.TryGetProperty("seq", out var seq)
            ? (Seq: seq.GetInt64(), Duplicate: duplicate.GetBoolean())
            : ((long Seq, bool Duplicate)?)null;
        if (ack is { Duplicate: false } fresh)
        {
            if (stored.Count != 1 || stored[0].Seq != fresh.Seq)
            {
                problem ??= $"acked seq {fresh.Seq} but the log gained [{string.Join(", ", stored.Select(e => $"{e.Seq} {e.Type}"))}]";
            }
            world.Ended |= stored.Any(e => e.Type == "session-ended");
            world.DataChanged();
        }
        else if (stored.Count > 0)
        {
            figures.StoredByRefused += stored.Count;
            problem ??= $"{result}, yet the log gained [{string.Join(", ", stored.Select(e => $"{e.Seq} {e.Type}"))}]";
            world.DataChanged();
        }
        else if (world.DataChanged() is { } changed)
        {
            // A refusal, a duplicate or a read: not a row anywhere, not only in the event log.
            problem ??= $"{result}, yet the stored data changed: {changed}";
        }

        if (client.IsClosed)
        {
            await world.ReconnectAsync(call.Role);
        }
        return problem;
    }

    /// <summary>
    /// The hub's answer to an exception it did not expect (HubErrors' "Something went wrong"), or SignalR's own when
    /// one escapes the filters: "An unexpected error occurred invoking 'X' on the server." with no HubException
    /// after it (a refusal reads "... on the server. HubException: why").
    /// </summary>
    public static bool IsServerFailure(string? error) =>
        error is not null
        && (error.Contains("Something went wrong", StringComparison.Ordinal)
            || (error.StartsWith("An unexpected error occurred", StringComparison.Ordinal) && !error.Contains(" HubException: ", StringComparison.Ordinal)));

    public static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>How deeply arrays and objects nest in a JSON text (strings skipped).</summary>
    public static int Depth(string json)
    {
        int depth = 0, max = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '[' or '{')
            {
                max = Math.Max(max, ++depth);
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
        }
        return max;
    }

    // ---- generators ----

    /// <summary>A call: a hub method (now and then one that does not exist, or a name in another case), a role, arguments of the right number mostly.</summary>
    public static Gen<HubCall> CallGen => LazyCallGen.Value;

    // Built on first use: the argument generators below are static fields initialised after this one.
    private static readonly Lazy<Gen<HubCall>> LazyCallGen = new(BuildCallGen);

    private static Gen<HubCall> BuildCallGen()
    {
        var perMethod = HubMethods.Select(m =>
        {
            var parameters = m.GetParameters();
            var args = parameters.Length == 0
                ? Gen.Const(Array.Empty<string>())
                : parameters.Select(p => ArgumentGen(p) ?? throw new InvalidOperationException($"No generator for {m.Name}'s parameter {p.Name}.")).Aggregate(
                    Gen.Const(Array.Empty<string>()),
                    (acc, next) => Gen.Select(acc, next, (list, item) => (string[])[.. list, item]));
            var arity = Gen.Frequency(
                (14, Gen.Const(0)),
                (1, Gen.Int[1, Math.Max(1, parameters.Length)].Select(n => -n)),
                (1, Gen.Int[1, 3]));
            var extra = Hostile.Json(2_000).Array[3];
            return (IGen<(string Name, string[] Arguments)>)Gen.Select(args, arity, extra, (a, n, more) =>
                (m.Name, n == 0 ? a : n < 0 ? a[..Math.Max(0, a.Length + n)] : [.. a, .. more[..n]]));
        }).ToArray();
        var odd = Gen.Select(
            Gen.Frequency(
                (3, Gen.OneOf(HubMethods.Select(m => m.Name.ToLowerInvariant()).ToArray())),
                (1, Gen.OneOf("NoSuchMethod", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "Event", "", "GetState\u0000", "Add Note")),
                (1, Hostile.Text(1_000))),
            Hostile.Json(2_000).Array[0, 4],
            (name, args) => (name, args));
        return Gen.Select(
            Gen.Frequency((24, Gen.OneOf(perMethod)), (1, odd)),
            Gen.OneOf(RoleNames),
            (call, role) => new HubCall(call.Item1, role, call.Item2));
    }

    private const int MaxArgumentBytes = 70_000;

    private static string Placeholder(string name) => JsonText.Quote("@@" + name + "@@");

    private static readonly Gen<string> FreshGuid = Gen.Guid.Select(g => JsonText.Quote(g.ToString()));

    private static Gen<string> HostileJson(params string[] fields) => Hostile.Json(MaxArgumentBytes, fields.Length == 0 ? null : fields);

    private static readonly Gen<string> SmallInt = Gen.Frequency((6, Gen.Int[-2, 12].Select(i => JsonText.Number(i))), (2, Hostile.WholeNumber), (1, Hostile.Fraction));

    /// <summary>
    /// Values for one hub parameter as raw JSON, mostly ones that could be right (ids of the session under test as
    /// placeholders, its tags, plausible text) and the rest hostile. Known parameter names first, then the type; null
    /// when neither is known, which fails <see cref="EveryHubMethodParameter_HasAGenerator"/>.
    /// </summary>
    public static Gen<string>? ArgumentGen(ParameterInfo parameter) => parameter.Name switch
    {
        "clientEventId" => Gen.Frequency((10, FreshGuid), (1, Gen.Const(Placeholder("dup"))), (1, Hostile.GuidText.Select(JsonText.Quote)), (2, HostileJson())),
        "promptId" => Gen.Frequency(
            (8, Gen.Int[0, 5].Select(i => Placeholder("prompt" + i))), (1, Gen.Const(Placeholder("other-prompt"))), (1, FreshGuid), (2, HostileJson())),
        "participantId" => Gen.Frequency(
            (6, Gen.Const(Placeholder("participant"))), (1, Gen.OneOf(Placeholder("observer"), Placeholder("facilitator"), Placeholder("other-participant"))),
            (1, FreshGuid), (1, Gen.Const("null")), (2, HostileJson())),
        "outcome" => Gen.Frequency((6, Gen.OneOf("success", "partial", "fail", "gave-up").Select(JsonText.Quote)), (1, Gen.OneOf(" Success ", "GAVE-UP", "gave up").Select(JsonText.Quote)), (3, HostileJson())),
        "answer" => Gen.Frequency((7, AnswerGen), (1, Gen.Const("null")), (3, HostileJson("text", "choices", "rating", "items"))),
        "tag" => Gen.Frequency((5, Gen.OneOf("confused", "delight", " Delight ", "CONFUSED").Select(JsonText.Quote)), (4, Hostile.Text(MaxArgumentBytes).Select(JsonText.Quote)), (2, HostileJson())),
        "text" => Gen.Frequency((3, Gen.OneOf("A note", "Hesitates at the price", "x").Select(JsonText.Quote)), (6, Hostile.Text(MaxArgumentBytes).Select(JsonText.Quote)), (2, HostileJson())),
        "tags" => Gen.Frequency(
            (6, Gen.Frequency((4, Gen.OneOf("confused", "delight", "Confused").Select(JsonText.Quote)), (2, Hostile.Text(2_000).Select(JsonText.Quote)), (1, HostileJson())).Array[0, 12].Select(JsonText.Array)),
            (1, Gen.Const("null")), (2, HostileJson())),
        "afterSeq" => Gen.Frequency((4, Gen.Int[-1, 30].Select(i => JsonText.Number(i))), (3, Hostile.WholeNumber), (1, Hostile.Fraction), (2, HostileJson())),
        _ => TypeGen(parameter.ParameterType),
    };

    private static Gen<string>? TypeGen(Type type) => type switch
    {
        _ when type == typeof(Guid) || type == typeof(Guid?) => Gen.Frequency((4, FreshGuid), (1, Hostile.GuidText.Select(JsonText.Quote)), (2, HostileJson())),
        _ when type == typeof(string) => Gen.Frequency((4, Hostile.Text(MaxArgumentBytes).Select(JsonText.Quote)), (2, HostileJson())),
        _ when type == typeof(string[]) => Gen.Frequency((4, Hostile.Text(2_000).Select(JsonText.Quote).Array[0, 12].Select(JsonText.Array)), (2, HostileJson())),
        _ when type == typeof(int) || type == typeof(long) || type == typeof(int?) || type == typeof(long?) => Gen.Frequency((4, SmallInt), (2, HostileJson())),
        _ when type == typeof(bool) || type == typeof(bool?) => Gen.Frequency((4, Gen.OneOf("true", "false")), (2, HostileJson())),
        _ => null,
    };

    /// <summary>AnswerInput-shaped objects: each field or a mix, values right and wrong, now and then a field it does not have.</summary>
    private static readonly Gen<string> AnswerGen = Gen.Select(
        Gen.Frequency((3, Hostile.Text(MaxArgumentBytes).Select(JsonText.Quote)), (1, HostileJson())).Null(0.5),
        Gen.Frequency((4, SmallInt.Array[0, 4].Select(JsonText.Array)), (1, HostileJson())).Null(0.6),
        Gen.Frequency((4, SmallInt), (1, HostileJson())).Null(0.6),
        Gen.Frequency((4, Gen.Int[0, 6].Select(i => JsonText.Number(i)).Array[8, 11].Select(JsonText.Array)), (1, HostileJson())).Null(0.7),
        Gen.Frequency((12, Gen.Const((string?)null)), (1, HostileJson("extra", "Text")!.Select(v => (string?)v))),
        (text, choices, rating, items, extra) => JsonText.Fields(new (string, string?)[]
            { ("text", text), ("choices", choices), ("rating", rating), ("items", items), ("unknownField", extra) }
            .Where(f => f.Item2 is not null).Select(f => (f.Item1, f.Item2!))));

    // ---- malformed frames ----

    /// <summary>One WebSocket message to send as it is.</summary>
    public sealed record Frame(string Name, byte[] Bytes, bool Binary = false)
    {
        public override string ToString() => $"{Name} ({Bytes.Length} bytes{(Binary ? ", binary" : "")})";
    }

    private static Frame Text(string name, string text) => new(name, Encoding.UTF8.GetBytes(text));

    private static readonly IReadOnlyList<Frame> FixedFrames =
    [
        Text("broken JSON", "{\u001e"),
        Text("not JSON", "hello\u001e"),
        Text("an array", "[]\u001e"),
        Text("an empty object", "{}\u001e"),
        Text("no target", "{\"type\":1,\"invocationId\":\"frame\",\"arguments\":[]}\u001e"),
        Text("null target", "{\"type\":1,\"invocationId\":\"frame\",\"target\":null,\"arguments\":[]}\u001e"),
        Text("numeric invocation id", "{\"type\":1,\"invocationId\":5,\"target\":\"GetState\",\"arguments\":[]}\u001e"),
        Text("arguments an object", "{\"type\":1,\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":{}}\u001e"),
        Text("arguments null", "{\"type\":1,\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":null}\u001e"),
        Text("type as text", "{\"type\":\"1\",\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":[]}\u001e"),
        Text("unknown type", "{\"type\":99}\u001e"),
        Text("negative type", "{\"type\":-1}\u001e"),
        Text("stream invocation", "{\"type\":4,\"invocationId\":\"frame\",\"target\":\"GetEventsSince\",\"arguments\":[0]}\u001e"),
        Text("cancel of nothing", "{\"type\":5,\"invocationId\":\"frame\"}\u001e"),
        Text("completion from the client", "{\"type\":3,\"invocationId\":\"frame\",\"result\":1}\u001e"),
        Text("stream item for no stream", "{\"type\":2,\"invocationId\":\"frame\",\"item\":1}\u001e"),
        Text("stream ids", "{\"type\":1,\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":[],\"streamIds\":[\"s\"]}\u001e"),
        Text("close from the client", "{\"type\":7,\"error\":\"bye\"}\u001e"),
        Text("ack", "{\"type\":8,\"sequenceId\":99999999999}\u001e"),
        Text("sequence", "{\"type\":9,\"sequenceId\":-5}\u001e"),
        Text("duplicate keys", "{\"type\":1,\"type\":6,\"invocationId\":\"frame\",\"target\":\"GetState\",\"target\":\"Nope\",\"arguments\":[]}\u001e"),
        Text("a second handshake", "{\"protocol\":\"json\",\"version\":1}\u001e"),
        Text("only separators", "\u001e\u001e\u001e"),
        Text("no separator", "{\"type\":6}"),
        Text("NUL bytes", "\0\0\0\u001e"),
        Text("fire-and-forget write", $"{{\"type\":1,\"target\":\"MessageBackroom\",\"arguments\":[\"{Guid.Empty}\",\"\"]}}\u001e"),
        Text("deep message", JsonText.DeepObject(5_000) + "\u001e"),
        new("invalid UTF-8", [.. "{\"type\":1,\"invocationId\":\"frame\",\"target\":\"Get"u8, 0xC3, 0x28, 0xFF, 0xFE, .. "\",\"arguments\":[]}\u001e"u8]),
        new("overlong UTF-8 NUL", [.. "{\"type\":1,\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":[\""u8, 0xC0, 0x80, .. "\"]}\u001e"u8]),
        new("binary frame", [0x92, 0x01, 0xC0, 0x1e], Binary: true),
        new("a valid call as a binary frame", Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"frame\",\"target\":\"GetState\",\"arguments\":[]}\u001e"), Binary: true),
    ];

    /// <summary>Random whole messages: any JSON value, or a hub message with a hostile field, each ended by the record separator.</summary>
    private static readonly Gen<Frame> FrameGen = Gen.Frequency(
        (2, Hostile.Json(2_000, ["type", "invocationId", "target", "arguments", "streamIds", "error", "item"]).Select(j => Text("random JSON", j + "\u001e"))),
        (3, Gen.Select(Gen.OneOf("type", "invocationId", "target", "arguments", "streamIds"), Hostile.Json(2_000, ["type", "target"]), (field, value) =>
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["type"] = "1", ["invocationId"] = "\"frame\"", ["target"] = "\"GetState\"", ["arguments"] = "[]",
            };
            fields[field] = value;
            return Text($"hub message with {field} = {(value.Length > 60 ? value[..60] + "..." : value)}", JsonText.Fields(fields.Select(f => (f.Key, f.Value))) + "\u001e");
        })),
        (1, Gen.Byte.Array[1, 200].Select(b => new Frame("random bytes", [.. b, 0x1e]))));

    // ---- the session under test ----

    /// <summary>
    /// A live session with a facilitator, an observer and a participant, each with two connections: an anchor that
    /// stays open (so fuzzing connections that close make no member-left events) and a fuzzing connection; plus a
    /// second session whose ids are valid GUIDs of the wrong session.
    /// </summary>
    private sealed class HubWorld : IAsyncDisposable
    {
        private readonly LiveServer _server;
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
        private readonly List<RawHubClient> _anchors = [];

        private HubWorld(LiveServer server) => _server = server;

        public Guid SessionId { get; private set; }

        public long LastSeq { get; private set; }

        public bool Ended { get; set; }

        public Dictionary<string, RawHubClient> Fuzzers { get; } = new(StringComparer.Ordinal);

        /// <param name="settle">Wait until the stored data stops changing first (connections closed just before write member-left events a moment later).</param>
        public static async Task<HubWorld> CreateAsync(LiveServer server, bool settle = true)
        {
            if (settle)
            {
                await DataFingerprint.SettledAsync(server.App.DataDirectory, TimeSpan.FromMilliseconds(150));
            }
            var world = new HubWorld(server);
            var session = await server.CreateSessionAsync();
            var other = await server.CreateSessionAsync();
            world.SessionId = session.Id;
            var facilitator = await server.FacilitatorAsync(session.Id);
            var observer = (await server.JoinAsync(session.Id, Roles.Observer)).Member;
            var participant = (await server.JoinAsync(session.Id, Roles.Participant)).Member;
            var outsider = (await server.JoinAsync(other.Id, Roles.Participant)).Member;
            for (var i = 0; i < session.Prompts.Count; i++)
            {
                world._ids["prompt" + i] = session.Prompts[i].Id.ToString();
            }
            world._ids["other-prompt"] = other.Prompts[0].Id.ToString();
            world._ids["participant"] = participant.MemberId.ToString();
            world._ids["observer"] = observer.MemberId.ToString();
            world._ids["facilitator"] = facilitator.MemberId.ToString();
            world._ids["other-participant"] = outsider.MemberId.ToString();
            world._ids["dup"] = Guid.NewGuid().ToString();
            world._tokens[Roles.Facilitator] = facilitator.AccessToken;
            world._tokens[Roles.Observer] = observer.AccessToken;
            world._tokens[Roles.Participant] = participant.AccessToken;
            foreach (var role in RoleNames)
            {
                world._anchors.Add(await RawHubClient.ConnectAsync(server.App.BaseUrl, world._tokens[role]));
                world.Fuzzers[role] = await RawHubClient.ConnectAsync(server.App.BaseUrl, world._tokens[role]);
            }
            var started = await world._anchors[0].InvokeAsync("StartSession", [JsonText.Quote(Guid.NewGuid().ToString())]);
            Assert.Equal(CallOutcome.Result, started.Outcome);
            // A connection's member-joined is written before the server reads its first call: once each connection has
            // answered one, presence and the start are stored, and they are the baseline.
            foreach (var client in world._anchors.Concat(world.Fuzzers.Values))
            {
                Assert.Equal(CallOutcome.Result, (await client.InvokeAsync("GetState", [])).Outcome);
            }
            world._data = DataFingerprint.Read(server.App.DataDirectory);
            await world.NewEventsAsync();
            return world;
        }

        private DataFingerprint _data = null!;

        /// <summary>What changed in the server's database since the last look (null: nothing), and the new baseline.</summary>
        public string? DataChanged()
        {
            var now = DataFingerprint.Read(_server.App.DataDirectory);
            var difference = _data.Difference(now);
            _data = now;
            return difference.Length == 0 ? null : difference;
        }

        /// <summary>The JSON with every placeholder replaced by the id it stands for in this session.</summary>
        public string Fill(string json)
        {
            if (!json.Contains("@@", StringComparison.Ordinal))
            {
                return json;
            }
            foreach (var (name, id) in _ids)
            {
                json = json.Replace("@@" + name + "@@", id, StringComparison.Ordinal);
            }
            return json;
        }

        public async Task<RawHubClient> ConnectAsync(string role) => await RawHubClient.ConnectAsync(_server.App.BaseUrl, _tokens[role]);

        public async Task ReconnectAsync(string role)
        {
            await Fuzzers[role].DisposeAsync();
            Fuzzers[role] = await ConnectAsync(role);
        }

        /// <summary>The events stored since the last look, from the facilitator's HTTP endpoint (every audience).</summary>
        public async Task<IReadOnlyList<(long Seq, string Type)>> NewEventsAsync()
        {
            var response = await _server.Http.GetAsync($"/api/sessions/{SessionId}/events?after={LastSeq}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var events = doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString()!)).ToList();
            if (events.Count > 0)
            {
                LastSeq = events.Max(e => e.Item1);
            }
            return events;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Fuzzers.Values.Concat(_anchors))
            {
                await client.DisposeAsync();
            }
        }
    }

    // ---- reporting ----

    private sealed class Tally
    {
        public int Tried;
        public int Accepted;
        public int Refused;
        public int ClosedByLimit;
        public int OverLimitAnswered;
        public int ServerErrors;
        public int Broken;
        public int Unanswered;
        public int StoredByRefused;
        public int Sessions = 1;
        public Dictionary<string, int> PerMethod { get; } = new(StringComparer.Ordinal);
    }

    private async Task ExpectHealthyAsync(List<string> failures)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.App.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var health = await http.GetAsync("/healthz");
        var body = await health.Content.ReadAsStringAsync();
        if (health.StatusCode != HttpStatusCode.OK || body != "Healthy")
        {
            failures.Add($"/healthz answered {(int)health.StatusCode} {body}");
        }
        if (server.App.Output.Contains("Application is shutting down", StringComparison.Ordinal))
        {
            failures.Add("the server began to shut down");
        }
    }

    /// <summary>Error and critical log lines the server wrote since <paramref name="from"/>: each an exception nobody expected.</summary>
    private List<string> ServerErrors(int from)
    {
        var log = server.App.Output;
        var lines = log[Math.Min(from, log.Length)..].Split('\n');
        return lines
            .Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("fail:", StringComparison.Ordinal) || x.line.StartsWith("crit:", StringComparison.Ordinal))
            .Select(x => string.Join(" | ", lines.Skip(x.i).Take(3).Select(l => l.Trim())))
            .ToList();
    }

    private void Report(string scenario, int inputs, Stopwatch clock, Tally t, List<string> failures)
    {
        var outcome = failures.Count == 0 ? "pass" : "fail";
        var figures = new Dictionary<string, object>
        {
            ["seed"] = FuzzSettings.Seed,
            ["inputs"] = t.Tried,
            ["accepted"] = t.Accepted,
            ["refused"] = t.Refused,
            ["closedByProtocolLimit"] = t.ClosedByLimit,
            ["overLimitStillAnswered"] = t.OverLimitAnswered,
            ["serverErrors"] = t.ServerErrors,
            ["brokenConnections"] = t.Broken,
            ["unansweredAfterFrame"] = t.Unanswered,
            ["eventsStoredByRefused"] = t.StoredByRefused,
            ["sessions"] = t.Sessions,
            ["failures"] = failures.Count,
            ["durationMs"] = clock.ElapsedMilliseconds,
        };
        if (t.PerMethod.Count > 0)
        {
            // Hub methods called at least once (names that are not hub methods, sent on purpose, are left out).
            figures["methodsCalled"] = HubMethods.Count(m => t.PerMethod.ContainsKey(m.Name));
            figures["methods"] = HubMethods.Count;
        }
        ReliabilityLog.Record("fuzz", scenario, inputs, outcome, figures);
        output.WriteLine($"{scenario}: {outcome}; " + string.Join(", ", figures.Select(f => $"{f.Key} {f.Value}")));
        output.WriteLine("calls per method: " + string.Join(", ", t.PerMethod.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value}")));
        Assert.True(failures.Count == 0, $"{scenario} (seed {FuzzSettings.Seed}): {failures.Count} failure(s):\n" + string.Join("\n", failures));
    }
}
