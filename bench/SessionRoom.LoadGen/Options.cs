using System.Globalization;

namespace SessionRoom.LoadGen;

/// <summary>Command-line options. Sizes default to the issue's workloads; <c>--smoke</c> shrinks everything to a few seconds.</summary>
internal sealed class BenchOptions
{
    public const string SessionRoom = "sessionroom";
    public const string BareHub = "barehub";
    public const string SocketIo = "socketio";

    /// <summary>Two SessionRoom servers on PostgreSQL and Redis (issue 9); needs <see cref="Postgres"/> and <see cref="Redis"/>.</summary>
    public const string SessionRoomTwo = "sessionroom-2";

    public bool Smoke { get; private set; }

    public int Repeats { get; private set; } = 3;

    public IReadOnlyList<string> Targets { get; private set; } = [SessionRoom, BareHub, SocketIo];

    public IReadOnlyList<string> Scenarios { get; private set; } = [Scenario.Idle, Scenario.Notes, Scenario.Fanout, Scenario.Storm, Scenario.Slow];

    public string RepoRoot { get; private set; } = "";

    public string WebDll { get; private set; } = "";

    public string BareHubDll { get; private set; } = "";

    public string SocketIoServer { get; private set; } = "";

    public string OutDir { get; private set; } = "";

    /// <summary>storage.json from SessionRoom.StorageBench, merged into the report when given.</summary>
    public string? StorageJson { get; private set; }

    /// <summary>A PostgreSQL connection string allowed to create databases: the two-server target makes one per run in it.</summary>
    public string? Postgres { get; private set; }

    /// <summary>Redis (StackExchange.Redis configuration) for the two-server target.</summary>
    public string? Redis { get; private set; }

    public int IdleClients { get; private set; } = 1000;

    public int NotesObservers { get; private set; } = 20;

    public int NotesParticipants { get; private set; } = 100;

    public double NotesRate { get; private set; } = 2000;

    public TimeSpan NotesDuration { get; private set; } = TimeSpan.FromSeconds(6);

    public int FanoutParticipants { get; private set; } = 300;

    public int FanoutObservers { get; private set; } = 20;

    /// <summary>Prompts in flight: the facilitator shows the next one when one has reached everybody.</summary>
    public int FanoutWindow { get; private set; } = 8;

    public TimeSpan FanoutDuration { get; private set; } = TimeSpan.FromSeconds(6);

    public int StormParticipants { get; private set; } = 500;

    public int StormObservers { get; private set; } = 20;

    public int StormWaves { get; private set; } = 2;

    public int SlowParticipants { get; private set; } = 300;

    public int SlowObservers { get; private set; } = 20;

    /// <summary>Share of the connections that stop reading, in percent (at least one connection).</summary>
    public double SlowPercent { get; private set; } = 1;

    public double SlowRate { get; private set; } = 20;

    /// <summary>Backroom notes per second during the slow-consumer scenario, beside the prompts.</summary>
    public double SlowNoteRate { get; private set; } = 100;

    public int SlowNoteLength { get; private set; } = 3900;

    public TimeSpan SlowNormalDuration { get; private set; } = TimeSpan.FromSeconds(4);

    public TimeSpan SlowDuration { get; private set; } = TimeSpan.FromSeconds(8);

    /// <summary>Prompt text length in the slow-consumer scenario: long prompts fill a stalled connection's buffers sooner.</summary>
    public int SlowPromptLength { get; private set; } = 1900;

    public int PromptLength { get; private set; } = 280;

    public int NoteLength { get; private set; } = 120;

    /// <summary>The longest wait, after a phase's last send, for its acks and deliveries.</summary>
    public TimeSpan DrainTimeout { get; private set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries still missing after this long without any progress are lost.</summary>
    public TimeSpan DrainQuiet { get; private set; } = TimeSpan.FromSeconds(5);

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--smoke")
            {
                o.Smoke = true;
            }
            else if (arg is "--help" or "-h")
            {
                throw new UsageException();
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[arg[2..]] = args[++i];
            }
            else
            {
                throw new UsageException($"Unknown argument '{arg}'.");
            }
        }
        if (o.Smoke)
        {
            o.ApplySmoke();
        }
        o.Apply(values);
        return o;
    }

    private void ApplySmoke()
    {
        Repeats = 1;
        Targets = [SessionRoom];
        IdleClients = 50;
        NotesObservers = 3;
        NotesParticipants = 5;
        NotesRate = 100;
        NotesDuration = TimeSpan.FromSeconds(1);
        FanoutParticipants = 20;
        FanoutObservers = 3;
        FanoutWindow = 4;
        FanoutDuration = TimeSpan.FromSeconds(1);
        StormParticipants = 30;
        StormObservers = 2;
        StormWaves = 1;
        SlowParticipants = 20;
        SlowObservers = 2;
        SlowRate = 20;
        SlowNoteRate = 20;
        SlowNormalDuration = TimeSpan.FromSeconds(1);
        SlowDuration = TimeSpan.FromSeconds(1);
        DrainTimeout = TimeSpan.FromSeconds(20);
    }

    private void Apply(Dictionary<string, string> values)
    {
        string? Take(string name) => values.Remove(name, out var v) ? v : null;
        int Int(string name, int current) => Take(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : current;
        double Num(string name, double current) => Take(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : current;
        TimeSpan Seconds(string name, TimeSpan current) => Take(name) is { } v ? TimeSpan.FromSeconds(double.Parse(v, CultureInfo.InvariantCulture)) : current;

        Repeats = Int("repeats", Repeats);
        if (Take("targets") is { } targets)
        {
            Targets = targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (Take("scenarios") is { } scenarios)
        {
            Scenarios = scenarios.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        RepoRoot = Take("repo") ?? FindRepoRoot();
        WebDll = Take("web-dll") ?? (Environment.GetEnvironmentVariable("SESSIONROOM_WEB_DLL") is { Length: > 0 } env
            ? env
            : Path.Combine(RepoRoot, "src", "SessionRoom.Web", "bin", "Release", "net10.0", "SessionRoom.Web.dll"));
        BareHubDll = Take("barehub-dll") ?? (Environment.GetEnvironmentVariable("BAREHUB_DLL") is { Length: > 0 } bare
            ? bare
            : Path.Combine(RepoRoot, "bench", "BareHub", "bin", "Release", "net10.0", "BareHub.dll"));
        SocketIoServer = Take("socketio-server") ?? Path.Combine(RepoRoot, "bench", "socketio", "server.mjs");
        OutDir = Take("out-dir") ?? Path.Combine(RepoRoot, "artifacts", "bench", Smoke ? "smoke" : "");
        StorageJson = Take("storage");
        Postgres = Take("postgres");
        Redis = Take("redis");
        IdleClients = Int("idle-clients", IdleClients);
        NotesObservers = Int("notes-observers", NotesObservers);
        NotesParticipants = Int("notes-participants", NotesParticipants);
        NotesRate = Num("notes-rate", NotesRate);
        NotesDuration = Seconds("notes-seconds", NotesDuration);
        FanoutParticipants = Int("fanout-participants", FanoutParticipants);
        FanoutObservers = Int("fanout-observers", FanoutObservers);
        FanoutWindow = Int("fanout-window", FanoutWindow);
        FanoutDuration = Seconds("fanout-seconds", FanoutDuration);
        StormParticipants = Int("storm-participants", StormParticipants);
        StormObservers = Int("storm-observers", StormObservers);
        StormWaves = Int("storm-waves", StormWaves);
        SlowParticipants = Int("slow-participants", SlowParticipants);
        SlowObservers = Int("slow-observers", SlowObservers);
        SlowPercent = Num("slow-percent", SlowPercent);
        SlowRate = Num("slow-rate", SlowRate);
        SlowNoteRate = Num("slow-note-rate", SlowNoteRate);
        SlowNormalDuration = Seconds("slow-normal-seconds", SlowNormalDuration);
        SlowDuration = Seconds("slow-seconds", SlowDuration);
        DrainTimeout = Seconds("drain-seconds", DrainTimeout);
        DrainQuiet = Seconds("drain-quiet-seconds", DrainQuiet);
        if (values.Count > 0)
        {
            throw new UsageException($"Unknown option(s): {string.Join(", ", values.Keys.Select(k => "--" + k))}.");
        }
        foreach (var target in Targets)
        {
            if (target is not (SessionRoom or SessionRoomTwo or BareHub or SocketIo))
            {
                throw new UsageException($"Unknown target '{target}': use {SessionRoom}, {SessionRoomTwo}, {BareHub} or {SocketIo}.");
            }
            if (target == SessionRoomTwo && (string.IsNullOrEmpty(Postgres) || string.IsNullOrEmpty(Redis)))
            {
                throw new UsageException($"The {SessionRoomTwo} target needs --postgres CONNECTION-STRING and --redis HOST:PORT.");
            }
        }
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SessionRoom.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new UsageException("Run from the repository (SessionRoom.sln not found above the current folder), or pass --repo.");
    }

    public const string Usage = """
        SessionRoom.LoadGen: live load on SessionRoom and its two baselines (docs/benchmarks.md).

          --smoke                      a few seconds, SessionRoom only; exits 1 on any lost, duplicated or failed write
          --repeats N                  full runs of every target (default 3; figures are medians)
          --targets a,b                sessionroom, barehub, socketio (default these three, interleaved), sessionroom-2
          --postgres CONNSTR           for sessionroom-2: a PostgreSQL that lets it create a database per run
          --redis HOST:PORT            for sessionroom-2: the Redis both servers share
          --scenarios a,b              idle, notes, fanout, storm, slow (default all)
          --web-dll PATH               SessionRoom.Web.dll (default $SESSIONROOM_WEB_DLL, else src/SessionRoom.Web/bin/Release/net10.0)
          --barehub-dll PATH           BareHub.dll (default $BAREHUB_DLL, else bench/BareHub/bin/Release/net10.0)
          --socketio-server PATH       bench/socketio/server.mjs
          --out-dir DIR                where results.json and results.md go (default artifacts/bench)
          --storage PATH               storage.json of SessionRoom.StorageBench, merged into the report
          --notes-rate N, --idle-clients N, --fanout-window N, ... (see Options.cs)
        """;
}

internal sealed class UsageException(string message = "") : Exception(message);
