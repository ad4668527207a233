using System.Diagnostics;
using System.Text.Json;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;

namespace SessionRoom.StorageBench;

/// <summary>
/// A generated study for the synthesis benchmarks: one study of <see cref="Sessions"/> focus-group sessions
/// holding exactly N events in all, made through the project's own <see cref="Migrator"/>, stores and
/// <see cref="EventWriter"/> (so the tags, full-text rows and trigger-kept tag counts are what the app
/// stores). Deterministic in content (fixed seed, a clock that ticks once per read); ids are random.
/// <para>
/// Each session: a facilitator, 3 observers and 8 participants who join (presence events); the same guide of
/// 16 prompts (question, poll, rating) shown one after another; between them notes (0-3 of 8 tags, most about a
/// participant), reactions (mostly participants), answers to the prompt on screen and backroom messages; then
/// everyone leaves and the session ends. The rest of the session's share of N is spread over the prompts.
/// </para>
/// <para>
/// A generated file is kept in <c>$TMPDIR/sessionroom-synthesis-bench/v{version}-{N}</c> with a <c>study.json</c>
/// that says what is in it; a later run reuses it as long as the generator version and the schema's migrations
/// are the same. Writing 100,000 events through the writer takes 30-60 s on two cores (more when they are busy).
/// </para>
/// </summary>
public sealed record SynthesisData(
    int Events, string Directory, Guid StudyId, IReadOnlyList<Guid> SessionIds, Guid SessionId, Guid ParticipantId,
    double GeneratedSeconds, bool Reused)
{
    /// <summary>Bump when what is generated changes: cached files of another version are not reused.</summary>
    public const int GeneratorVersion = 1;

    public const int Sessions = 50;
    public const int Seed = 20_261_124;

    /// <summary>A word in about one text in ten (notes, answers, messages): the "common word" search.</summary>
    public const string CommonWord = "price";

    /// <summary>A phrase in about one text in 2,000: the "rare phrase" search (quoted: an exact phrase).</summary>
    public const string RarePhrase = "\"dark mode toggle\"";

    /// <summary>The tag the timeline benchmark filters by (the most used one: a quarter of the tags given).</summary>
    public const string TimelineTag = "confused";

    private const int Observers = 3;
    private const int Participants = 8;

    private static readonly string[] Tags = ["confused", "delight", "pricing", "navigation", "trust", "bug", "idea", "quote"];
    private static readonly double[] TagWeights = [25, 18, 15, 12, 10, 8, 7, 5];

    private static readonly ValidPrompt[] Guide = BuildGuide();

    private static string Root => Path.Combine(Path.GetTempPath(), "sessionroom-synthesis-bench");

    /// <summary>The generated study of <paramref name="events"/> events, from the cache when it is there and current.</summary>
    public static SynthesisData Ensure(int events, Action<string>? log = null)
    {
        if (events % Sessions != 0)
        {
            throw new ArgumentException($"The number of events must be a multiple of {Sessions}.", nameof(events));
        }
        var directory = Path.Combine(Root, $"v{GeneratorVersion}-{events}");
        if (TryRead(directory) is { } cached)
        {
            return cached with { Reused = true };
        }
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        log?.Invoke($"synthesis: generating a study of {events:#,0} events in {directory} (through the event writer)");
        var building = directory + ".building-" + Guid.NewGuid().ToString("N");
        var stopwatch = Stopwatch.StartNew();
        var manifest = GenerateAsync(building, events).GetAwaiter().GetResult();
        manifest = manifest with { GeneratedSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1) };
        File.WriteAllText(Path.Combine(building, ManifestFile), JsonSerializer.Serialize(manifest));
        try
        {
            System.IO.Directory.Move(building, directory);
        }
        catch (IOException) when (TryRead(directory) is not null)
        {
            // Another run made it at the same time: use theirs.
            System.IO.Directory.Delete(building, recursive: true);
        }
        log?.Invoke($"synthesis: generated {events:#,0} events in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return TryRead(directory) ?? throw new InvalidOperationException($"The generated study in {directory} cannot be read back.");
    }

    private const string ManifestFile = "study.json";

    private sealed record Manifest(
        int Version, int Events, string[] Migrations, Guid StudyId, Guid[] SessionIds, Guid SessionId, Guid ParticipantId, double GeneratedSeconds);

    private static SynthesisData? TryRead(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path) || !File.Exists(Path.Combine(directory, Db.FileName)))
        {
            return null;
        }
        try
        {
            var m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path));
            if (m is null || m.Version != GeneratorVersion || !m.Migrations.SequenceEqual(Migrator.Available))
            {
                return null;
            }
            return new SynthesisData(m.Events, directory, m.StudyId, m.SessionIds, m.SessionId, m.ParticipantId, m.GeneratedSeconds, Reused: false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record SessionCast(Session Session, Caller Facilitator, Caller[] Observers, Caller[] Participants)
    {
        public IEnumerable<Caller> Everyone => [Facilitator, .. Observers, .. Participants];
    }

    private static async Task<Manifest> GenerateAsync(string directory, int events)
    {
        var db = new Db(directory);
        Migrator.Run(db);
        var perSession = events / Sessions;
        // About a 90-minute session: the clock moves once per read (the writer reads it once per event).
        var clock = new TickingClock(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromMilliseconds(90 * 60_000.0 / perSession));
        var random = new Random(Seed);
        var study = new StudyStore(db, clock).Create(new ValidStudy("Checkout redesign (generated)", "How people choose a plan and pay"));
        var sessions = new SessionStore(db, clock);
        var members = new MemberStore(db, clock);

        // Everything that is not events first, so the order of clock reads (and so the content) is fixed.
        var casts = new List<SessionCast>();
        for (var s = 1; s <= Sessions; s++)
        {
            var session = sessions.Create(study.Id, new ValidSession($"Session {s:00}", SessionModes.FocusGroup, Tags, Guide))!;
            var f = members.FacilitatorMember(session.Id, "Facilitator");
            casts.Add(new SessionCast(
                session,
                new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName),
                Enumerable.Range(1, Observers).Select(i => Join(members, session.Id, Roles.Observer, $"Observer {i}")).ToArray(),
                Enumerable.Range(1, Participants).Select(i => Join(members, session.Id, Roles.Participant, $"Participant {s}-{i}")).ToArray()));
        }

        var failures = 0;
        var writer = new EventWriter(db, new LiveSessions(new LiveOptions()), new NoPublisher(), clock, _ => Interlocked.Increment(ref failures));
        try
        {
            // Queued without waiting, session after session: the writer takes them in order, up to 512 per commit,
            // and decides each against the events before it (a reaction sees the prompt shown just before).
            var pending = new List<Task<Ack>>(events);
            foreach (var cast in casts)
            {
                foreach (var (caller, command) in SessionScript(cast, perSession, random))
                {
                    pending.Add(writer.WriteAsync(caller, command));
                }
            }
            await Task.WhenAll(pending);
        }
        finally
        {
            await writer.DisposeAsync();
        }
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} writer batches failed while generating.");
        }

        var stored = db.Read((c, tx) => Dapper.SqlMapper.ExecuteScalar<long>(c, "SELECT COUNT(*) FROM events", transaction: tx));
        if (stored != events)
        {
            throw new InvalidOperationException($"Generated {stored} events instead of {events}.");
        }
        // Closes the pooled connections: the last one checkpoints the WAL into the file.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var middle = casts[Sessions / 2];
        return new Manifest(
            GeneratorVersion, events, Migrator.Available.ToArray(), study.Id, casts.Select(c => c.Session.Id).ToArray(),
            middle.Session.Id, middle.Participants[2].MemberId, 0);
    }

    private static Caller Join(MemberStore members, Guid sessionId, string role, string name)
    {
        var m = members.Join(members.CreateInvite(sessionId, role, name).Token, null)!;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }

    /// <summary>Exactly <paramref name="count"/> calls that make one session's events, in order.</summary>
    private static List<(Caller, LiveCommand)> SessionScript(SessionCast cast, int count, Random random)
    {
        var everyone = cast.Everyone.ToList();
        var script = new List<(Caller, LiveCommand)>(count);
        Guid Id() => new(random.NextBytes16());
        script.Add((cast.Facilitator, new StartSession(Id())));
        script.AddRange(everyone.Select(m => (m, (LiveCommand)new JoinPresence(Id()))));
        var fixedCount = script.Count + Guide.Length + everyone.Count + 1;
        var free = count - fixedCount;
        if (free < 0)
        {
            throw new ArgumentException($"A session needs at least {fixedCount} events.");
        }
        // A little before the first prompt (small talk, first impressions), the rest evenly over the prompts.
        var before = free / 50;
        var perPrompt = Split(free - before, Guide.Length);
        AddActivity(script, cast, null, before, random);
        for (var p = 0; p < Guide.Length; p++)
        {
            var prompt = cast.Session.Prompts[p];
            script.Add((cast.Facilitator, new ShowPrompt(Id(), prompt.Id)));
            AddActivity(script, cast, prompt, perPrompt[p], random);
        }
        script.AddRange(everyone.Select(m => (m, (LiveCommand)new LeavePresence(Id()))));
        script.Add((cast.Facilitator, new EndSession(Id())));
        if (script.Count != count)
        {
            throw new InvalidOperationException($"The script has {script.Count} calls instead of {count}.");
        }
        return script;
    }

    private static int[] Split(int total, int parts) =>
        Enumerable.Range(0, parts).Select(i => total / parts + (i < total % parts ? 1 : 0)).ToArray();

    /// <summary>Notes 40%, reactions 30%, answers 22% (only once a prompt is on screen), backroom messages 8%.</summary>
    private static void AddActivity(List<(Caller, LiveCommand)> script, SessionCast cast, Prompt? prompt, int count, Random random)
    {
        for (var i = 0; i < count; i++)
        {
            var id = new Guid(random.NextBytes16());
            var roll = random.NextDouble();
            var participant = cast.Participants[random.Next(cast.Participants.Length)];
            if (roll < 0.40 || (prompt is null && roll < 0.92))
            {
                var author = random.NextDouble() < 0.15 ? cast.Facilitator : cast.Observers[random.Next(cast.Observers.Length)];
                var tagCount = random.NextDouble() switch { < 0.25 => 0, < 0.70 => 1, < 0.92 => 2, _ => 3 };
                var tags = Enumerable.Range(0, tagCount).Select(_ => PickTag(random)).Distinct().ToArray();
                var about = random.NextDouble() < 0.7 ? participant.MemberId : (Guid?)null;
                script.Add((author, new AddNote(id, Text.Note(random, about is null ? null : participant.Code), tags, about)));
            }
            else if (roll < 0.70)
            {
                var who = random.NextDouble() < 0.85 ? participant : cast.Observers[random.Next(cast.Observers.Length)];
                script.Add((who, new React(id, PickTag(random))));
            }
            else if (roll < 0.92)
            {
                var answer = prompt!.Kind switch
                {
                    PromptKinds.Poll => new AnswerInput(Choices: [random.Next(prompt.Options!.Count)]),
                    PromptKinds.Rating => new AnswerInput(Rating: 1 + random.Next(prompt.ScaleMax ?? 5)),
                    _ => new AnswerInput(Text: Text.Answer(random)),
                };
                script.Add((participant, new GiveAnswer(id, prompt.Id, answer)));
            }
            else
            {
                var author = random.NextDouble() < 0.5 ? cast.Facilitator : cast.Observers[random.Next(cast.Observers.Length)];
                script.Add((author, new MessageBackroom(id, Text.Message(random))));
            }
        }
    }

    private static string PickTag(Random random)
    {
        var x = random.NextDouble() * TagWeights.Sum();
        for (var t = 0; t < Tags.Length; t++)
        {
            x -= TagWeights[t];
            if (x < 0)
            {
                return Tags[t];
            }
        }
        return Tags[^1];
    }

    private static ValidPrompt[] BuildGuide()
    {
        ValidPrompt Q(string text) => new(PromptKinds.Question, text, null, null, null, null, null);
        ValidPrompt Poll(string text, params string[] options) => new(PromptKinds.Poll, text, options, false, null, null, null);
        ValidPrompt Rate(string text) => new(PromptKinds.Rating, text, null, null, 5, null, null);
        return
        [
            Q("Introduce yourself: what do you do, and how do you pay for software today?"),
            Q("Walk us through the last time you bought a subscription."),
            Poll("Which plan would you pick?", "Free", "Team", "Business", "Enterprise"),
            Q("What did you expect to see on the pricing page?"),
            Rate("How clear is the plan table?"),
            Q("What would make you trust this checkout?"),
            Q("Show us how you would add a teammate."),
            Poll("How would you rather pay?", "Card", "Invoice", "PayPal", "Bank transfer"),
            Q("What is missing from the receipt?"),
            Rate("How easy was it to change the plan?"),
            Q("Where did you look for the discount code?"),
            Q("What would you change first?"),
            Poll("Would you recommend it?", "Yes", "Maybe", "No"),
            Rate("Overall, how satisfied are you?"),
            Q("Anything else we should know?"),
            Q("Last words: one thing to keep, one thing to drop."),
        ];
    }

    /// <summary>Sentences from fragments: a vocabulary of a few hundred words, <see cref="CommonWord"/> in about one text in ten.</summary>
    private static class Text
    {
        private static readonly string[] Actions =
        [
            "hesitates at", "scrolls past", "reads twice", "cannot find", "clicks on", "ignores", "asks about", "laughs at",
            "compares", "skips", "goes back to", "hovers over", "is unsure about", "likes", "complains about", "praises",
        ];

        private static readonly string[] Things =
        [
            "the price", "the plan table", "the checkout button", "the discount field", "the invoice option", "the trial banner",
            "the team seats", "the receipt", "the payment form", "the card details", "the terms", "the cancel link",
            "the upgrade prompt", "the onboarding tour", "the help chat", "the billing address", "the annual toggle",
            "the feature list", "the comparison chart", "the logo", "the error message", "the loading spinner",
        ];

        private static readonly string[] Comments =
        [
            "then moves on", "and sighs", "and says it looks expensive", "and asks the group", "without a word",
            "and nods", "and frowns", "and says it is confusing", "and wants a monthly option", "and mentions a competitor",
            "and says the price is fair", "and wonders about refunds", "and taps the screen again", "and gives up",
            "and smiles", "and reads the small print", "and says it feels safe", "and asks about security",
        ];

        private static readonly string[] Answers =
        [
            "I use a spreadsheet and a shared inbox", "My manager approves anything over the team budget",
            "We pay yearly by invoice because finance prefers it", "I would look for the price first",
            "Honestly I never read the plan table", "The free tier is usually enough for me",
            "I want to see what happens after the trial", "Card is fastest but the company wants invoices",
            "I expected a calculator for seats", "The receipt needs our tax number", "I could not find where to add people",
            "Discount codes always hide at the end", "It looks trustworthy because of the padlock",
            "I would change the colours of the buttons", "Keep the comparison, drop the pop-ups",
            "It took me a while to notice the annual switch", "Support chat answered quickly last time",
        ];

        private static readonly string[] Messages =
        [
            "Ask about the invoice flow next", "Time check: ten minutes left", "Probe on trust please",
            "Can we skip the poll?", "Good moment for the discount question", "Participant seems tired",
            "Note the price reaction", "Audio dropped for a second", "Let the quiet ones speak",
        ];

        public static string Note(Random random, string? participantCode)
        {
            var text = $"{participantCode ?? "Someone"} {Pick(random, Actions)} {Pick(random, Things)} {Pick(random, Comments)}";
            return Rare(random, text);
        }

        public static string Answer(Random random) => Rare(random, Pick(random, Answers) + (random.NextDouble() < 0.5 ? "." : $", and {Pick(random, Things)} {Pick(random, Comments)}."));

        public static string Message(Random random) => Rare(random, Pick(random, Messages));

        private static string Rare(Random random, string text) =>
            random.NextDouble() < 1 / 2_000.0 ? text + " (wants a dark mode toggle)" : text;

        private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
    }

    /// <summary>Moves on by a fixed step every time it is read, so every event gets its own, reproducible instant.</summary>
    private sealed class TickingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private long _reads;

        public override DateTimeOffset GetUtcNow() => start + step * Interlocked.Increment(ref _reads);
    }

    private sealed class NoPublisher : IEventPublisher
    {
        public void Publish(IReadOnlyList<SessionEvent> events)
        {
        }
    }
}

internal static class RandomExtensions
{
    public static byte[] NextBytes16(this Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return bytes;
    }
}
