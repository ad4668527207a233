using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace SessionRoom.LoadGen;

/// <summary>Who a scenario connects: always one facilitator, then observers and participants; slow clients are extra members of <c>SlowRole</c>.</summary>
internal sealed record RoomSpec(int Participants, int Observers, string PromptText, int SlowClients = 0, string SlowRole = Roles.Participant, int Prompts = 10);

/// <summary>The connections of one scenario, not yet connected.</summary>
internal sealed class Room(LoadClient facilitator, IReadOnlyList<LoadClient> observers, IReadOnlyList<LoadClient> participants) : IAsyncDisposable
{
    public LoadClient Facilitator { get; } = facilitator;

    public IReadOnlyList<LoadClient> Observers { get; } = observers;

    public IReadOnlyList<LoadClient> Participants { get; } = participants;

    public IReadOnlyList<LoadClient> All { get; } = [facilitator, .. observers, .. participants];

    /// <summary>Connects not reading, one per slow participant of the spec.</summary>
    public IReadOnlyList<Func<SlowClient>> SlowClients { get; init; } = [];

    /// <summary>Connects <paramref name="clients"/> (32 at a time) and returns how many failed.</summary>
    public static async Task<int> ConnectAsync(IEnumerable<LoadClient> clients, CancellationToken cancellationToken)
    {
        var failed = 0;
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (client, token) =>
        {
            try
            {
                await client.ConnectAsync(token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        });
        return failed;
    }

    /// <summary>Connects everybody; throws if any connection failed.</summary>
    public async Task ConnectAllAsync(CancellationToken cancellationToken)
    {
        var failed = await ConnectAsync(All, cancellationToken);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {All.Count} connections failed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(All, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (client, _) =>
        {
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing anyway.
            }
        });
    }
}

/// <summary>A server under test: how to start it and how to make a room of clients for it.</summary>
internal abstract class Target : IAsyncDisposable
{
    private IReadOnlyList<ServerProcess> _servers = [];

    public abstract string Name { get; }

    /// <summary>The server's processes: one, or two for the two-server SessionRoom.</summary>
    public IReadOnlyList<ServerProcess> Servers => _servers.Count > 0 ? _servers : throw new InvalidOperationException("Not started.");

    /// <summary>The first server: where sessions are made and health is probed.</summary>
    public ServerProcess Server => Servers[0];

    public IReadOnlyList<int> Pids => Servers.Select(s => s.Pid).ToList();

    public async Task StartAsync() => _servers = await LaunchAsync();

    protected abstract Task<IReadOnlyList<ServerProcess>> LaunchAsync();

    public abstract Task<Room> CreateRoomAsync(RoomSpec spec);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    public static Target Create(string name, BenchOptions options) => name switch
    {
        BenchOptions.SessionRoom => new SessionRoomTarget(options, 1),
        BenchOptions.SessionRoomTwo => new SessionRoomTarget(options, 2),
        BenchOptions.BareHub => new BareHubTarget(options),
        _ => new SocketIoTarget(options),
    };

    protected static string WebSocketUrl(string baseUrl) => baseUrl.Replace("http://", "ws://", StringComparison.Ordinal);

    protected static string FreeUrl() => $"http://127.0.0.1:{ServerProcess.FreePort()}";

    protected static string RequireFile(string path, string what) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"{what} not found at {path}: build in Release first (bench/run.sh does).");
}

/// <summary>
/// The real SessionRoom app: sessions, invites and members made through its HTTP API, clients on
/// /hubs/session. With two servers (issue 9) both run on one fresh PostgreSQL database and one Redis
/// (a channel prefix of their own), the facilitator on the first and the other clients alternating
/// between them, so every delivery to half the room crosses from one server to the other.
/// </summary>
internal sealed class SessionRoomTarget(BenchOptions options, int servers) : Target
{
    private const string FacilitatorKey = "bench-facilitator-key-0123456789";
    private static readonly string[] Tags = ["confused", "delight"];

    private HttpClient? _http;
    private Pool? _pool;
    private BenchDatabase? _database;

    public override string Name => servers == 1 ? BenchOptions.SessionRoom : BenchOptions.SessionRoomTwo;

    protected override async Task<IReadOnlyList<ServerProcess>> LaunchAsync()
    {
        var dll = RequireFile(options.WebDll, "SessionRoom.Web.dll");
        List<string> shared =
        [
            $"--SessionRoom:FacilitatorKey={FacilitatorKey}",
            // The per-connection call limit (20/s) protects the server from one client; the bench is many clients at full speed.
            "--SessionRoom:Live:CallsPerSecond=100000",
            $"--SessionRoom:WebRoot={Path.Combine(options.RepoRoot, "wwwroot")}",
        ];
        if (servers > 1)
        {
            _database = await BenchDatabase.CreateAsync(options.Postgres ?? throw new UsageException("Two servers need --postgres."));
            shared.Add("--SessionRoom:Storage:Provider=postgres");
            shared.Add($"--SessionRoom:Storage:ConnectionString={_database.ConnectionString}");
            shared.Add($"--SessionRoom:Redis={options.Redis ?? throw new UsageException("Two servers need --redis.")}");
            shared.Add($"--SessionRoom:RedisChannelPrefix=bench-{Guid.NewGuid():N}");
        }
        var started = new List<ServerProcess>();
        try
        {
            // One after the other: the first applies the migrations.
            for (var i = 0; i < servers; i++)
            {
                var url = FreeUrl();
                var data = Path.Combine(Path.GetTempPath(), "sessionroom-bench-" + Guid.NewGuid().ToString("N"));
                started.Add(await ServerProcess.StartAsync(
                    "dotnet",
                    [dll, "--urls", url, $"--SessionRoom:DataDirectory={data}", .. shared],
                    url,
                    Path.GetDirectoryName(dll),
                    data,
                    new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }));
            }
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }
            throw;
        }
        return started;
    }

    /// <summary>
    /// Every room of one server run is the same live session: its members are made once (through
    /// the API, as invites and joins) and each scenario connects the first N of them, so setting up
    /// a thousand members is paid once per server, not once per scenario.
    /// </summary>
    public override async Task<Room> CreateRoomAsync(RoomSpec spec)
    {
        var pool = _pool ??= await CreatePoolAsync(Server.BaseUrl);
        var promptIds = await pool.PromptsAsync(spec.PromptText, spec.Prompts);
        var slowRole = spec.SlowRole;
        var observers = await pool.MembersAsync(Roles.Observer, spec.Observers + (slowRole == Roles.Observer ? spec.SlowClients : 0));
        var participants = await pool.MembersAsync(Roles.Participant, spec.Participants + (slowRole == Roles.Participant ? spec.SlowClients : 0));

        // The i-th member of each role connects to server i mod n (the facilitator, member 0, to the first).
        string UrlOf(int i) => Servers[i % Servers.Count].BaseUrl;
        SessionRoomClient Client(MemberInfo m, int i) => new(m.Role, UrlOf(i), m.AccessToken, promptIds);
        var slowMembers = slowRole == Roles.Observer ? observers.Skip(spec.Observers) : participants.Skip(spec.Participants);
        return new Room(Client(pool.Facilitator, 0), observers.Take(spec.Observers).Select(Client).ToList<LoadClient>(), participants.Take(spec.Participants).Select(Client).ToList<LoadClient>())
        {
            SlowClients = slowMembers.Take(spec.SlowClients)
                .Select((m, i) => (Func<SlowClient>)(() => SlowClient.SignalR($"{WebSocketUrl(UrlOf(i))}/hubs/session?access_token={Uri.EscapeDataString(m.AccessToken)}")))
                .ToList(),
        };
    }

    private async Task<Pool> CreatePoolAsync(string baseUrl)
    {
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorKey);
        var study = await Json<IdOnly>(await _http.PostAsJsonAsync("/api/studies", new { name = "Benchmark" }));
        var session = await Json<IdOnly>(await _http.PostAsJsonAsync($"/api/studies/{study.Id}/sessions", new
        {
            title = "Load",
            mode = "focus-group",
            tags = Tags,
            prompts = new[] { new { kind = "question", text = "Warm-up: what do you use today?" } },
        }));
        var facilitator = await Json<MemberInfo>(await _http.PostAsync(new Uri($"/api/sessions/{session.Id}/facilitator", UriKind.Relative), null));
        var starter = new SessionRoomClient(Roles.Facilitator, baseUrl, facilitator.AccessToken, []);
        await using (starter)
        {
            await starter.ConnectAsync(CancellationToken.None);
            await starter.StartSessionAsync();
        }
        return new Pool(_http, new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) }, session.Id, facilitator);
    }

    private static async Task<T> Json<T>(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            return (await response.Content.ReadFromJsonAsync<T>())!;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _pool?.Dispose();
        _http?.Dispose();
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>The one session of a server run: its facilitator, members by role and prompts by text.</summary>
    private sealed class Pool(HttpClient facilitatorHttp, HttpClient anonymous, Guid sessionId, MemberInfo facilitator) : IDisposable
    {
        private readonly Dictionary<string, List<MemberInfo>> _members = new() { [Roles.Observer] = [], [Roles.Participant] = [] };
        private readonly Dictionary<string, List<Guid>> _prompts = new(StringComparer.Ordinal);

        public MemberInfo Facilitator { get; } = facilitator;

        /// <summary>The first <paramref name="count"/> members of <paramref name="role"/>, invited and joined through the API as needed.</summary>
        public async Task<IReadOnlyList<MemberInfo>> MembersAsync(string role, int count)
        {
            var members = _members[role];
            var missing = count - members.Count;
            if (missing > 0)
            {
                var made = new MemberInfo[missing];
                await Parallel.ForEachAsync(Enumerable.Range(0, missing), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
                {
                    var invite = await Json<InviteInfo>(await facilitatorHttp.PostAsJsonAsync($"/api/sessions/{sessionId}/invites", new { role }, token));
                    made[i] = await Json<MemberInfo>(await anonymous.PostAsJsonAsync("/api/join", new { token = invite.Token }, token));
                });
                members.AddRange(made);
            }
            return members.Take(count).ToList();
        }

        /// <summary>Prompts of this text (added to the live session's guide the first time), for ShowPrompt.</summary>
        public async Task<IReadOnlyList<Guid>> PromptsAsync(string text, int count)
        {
            if (!_prompts.TryGetValue(text, out var ids))
            {
                ids = [];
                for (var i = 1; i <= count; i++)
                {
                    var prompt = await Json<IdOnly>(await facilitatorHttp.PostAsJsonAsync(
                        $"/api/sessions/{sessionId}/prompts", new { kind = "question", text = $"{i}. {text}"[..text.Length] }));
                    ids.Add(prompt.Id);
                }
                _prompts[text] = ids;
            }
            return ids;
        }

        public void Dispose() => anonymous.Dispose();
    }

    private sealed record IdOnly(Guid Id);

    private sealed record InviteInfo(string Token);

    private sealed record MemberInfo(string AccessToken, Guid MemberId, string Role, string Code);
}

/// <summary>Baseline (a): bench/BareHub, a SignalR hub that relays to a group.</summary>
internal sealed class BareHubTarget(BenchOptions options) : Target
{
    public override string Name => BenchOptions.BareHub;

    protected override async Task<IReadOnlyList<ServerProcess>> LaunchAsync()
    {
        var dll = RequireFile(options.BareHubDll, "BareHub.dll");
        var url = FreeUrl();
        return [await ServerProcess.StartAsync(
            "dotnet", [dll, "--urls", url], url, Path.GetDirectoryName(dll), null,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" })];
    }

    public override Task<Room> CreateRoomAsync(RoomSpec spec)
    {
        var url = Server.BaseUrl;
        var room = new Room(
            new BareHubClient(Roles.Facilitator, url, spec.PromptText),
            Enumerable.Range(0, spec.Observers).Select(_ => new BareHubClient(Roles.Observer, url, spec.PromptText)).ToList<LoadClient>(),
            Enumerable.Range(0, spec.Participants).Select(_ => new BareHubClient(Roles.Participant, url, spec.PromptText)).ToList<LoadClient>())
        {
            SlowClients = Enumerable.Range(0, spec.SlowClients)
                .Select(_ => (Func<SlowClient>)(() => SlowClient.SignalR($"{WebSocketUrl(url)}/hub?role={spec.SlowRole}")))
                .ToList(),
        };
        return Task.FromResult(room);
    }
}

/// <summary>Baseline (b): bench/socketio/server.mjs on Node, a Socket.IO 4 room broadcast.</summary>
internal sealed class SocketIoTarget(BenchOptions options) : Target
{
    public override string Name => BenchOptions.SocketIo;

    protected override async Task<IReadOnlyList<ServerProcess>> LaunchAsync()
    {
        var script = RequireFile(options.SocketIoServer, "bench/socketio/server.mjs");
        var port = ServerProcess.FreePort();
        return [await ServerProcess.StartAsync(
            "node", [script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], $"http://127.0.0.1:{port}", Path.GetDirectoryName(script), null)];
    }

    public override Task<Room> CreateRoomAsync(RoomSpec spec)
    {
        var url = Server.BaseUrl;
        var room = new Room(
            new SocketIoClient(Roles.Facilitator, url, spec.PromptText),
            Enumerable.Range(0, spec.Observers).Select(_ => new SocketIoClient(Roles.Observer, url, spec.PromptText)).ToList<LoadClient>(),
            Enumerable.Range(0, spec.Participants).Select(_ => new SocketIoClient(Roles.Participant, url, spec.PromptText)).ToList<LoadClient>())
        {
            SlowClients = Enumerable.Range(0, spec.SlowClients)
                .Select(_ => (Func<SlowClient>)(() => SlowClient.SocketIo($"{WebSocketUrl(url)}/socket.io/?EIO=4&transport=websocket&role={spec.SlowRole}")))
                .ToList(),
        };
        return Task.FromResult(room);
    }
}
