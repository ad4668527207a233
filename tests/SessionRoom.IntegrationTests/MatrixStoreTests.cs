using SessionRoom.Data;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Live;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.IntegrationTests;

/// <summary>
/// The stores of the review on a real SQLite file, with events written by the real event writer
/// (shared by <see cref="MatrixStoreTests"/> and <see cref="HighlightStoreTests"/>).
/// </summary>
internal sealed class ReviewKit : IDisposable
{
    public const string SecretName = "Secret Name";

    public ReviewKit(StorageProvider provider)
    {
        Database = new(provider);
        Studies = new StudyStore(Database.Db, Clock);
        Sessions = new SessionStore(Database.Db, Clock);
        Members = new MemberStore(Database.Db, Clock);
        Matrices = new MatrixStore(Database.Db);
        Highlights = new HighlightStore(Database.Db, Clock);
        Withdrawals = new WithdrawalStore(Database.Db, Clock);
        Writer = new EventWriter(Database.Db, new LiveSessions(new LiveOptions()), new NoPublisher(), Clock, _ => { });
    }

    public TestDatabase Database { get; }
    public ManualClock Clock { get; } = new();
    public StudyStore Studies { get; }
    public SessionStore Sessions { get; }
    public MemberStore Members { get; }
    public MatrixStore Matrices { get; }
    public HighlightStore Highlights { get; }
    public WithdrawalStore Withdrawals { get; }
    public EventWriter Writer { get; }

    public sealed record Room(Session Session, Caller F, Caller O, IReadOnlyList<Caller> P)
    {
        public Guid Q(int position) => Session.Prompts[position - 1].Id;
    }

    /// <summary>A session of question prompts with a facilitator, one observer and <paramref name="participants"/> participants (P1, P2, ...).</summary>
    public Room CreateRoom(Guid studyId, string title, string[] tags, string[] prompts, int participants)
    {
        Clock.Now += TimeSpan.FromMinutes(1);
        var session = Sessions.Create(studyId, new ValidSession(title, SessionModes.FocusGroup, tags,
            prompts.Select(p => new ValidPrompt(PromptKinds.Question, p, null, null, null, null, null)).ToList()))!;
        var f = Members.FacilitatorMember(session.Id, "Facilitator");
        return new Room(session, new Caller(f.MemberId, session.Id, f.Role, f.Code, f.DisplayName),
            Join(session.Id, Roles.Observer),
            Enumerable.Range(1, participants).Select(_ => Join(session.Id, Roles.Participant)).ToList());
    }

    public async Task<long> Write(Caller caller, Func<Guid, LiveCommand> command)
    {
        Clock.Now += TimeSpan.FromSeconds(5);
        return (await Writer.WriteAsync(caller, command(Guid.NewGuid()))).Seq;
    }

    public void Dispose()
    {
        Writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Database.Dispose();
    }

    private Caller Join(Guid sessionId, string role)
    {
        var m = Members.Join(Members.CreateInvite(sessionId, role, $"{SecretName} {role}").Token, null)!;
        return new Caller(m.MemberId, sessionId, m.Role, m.Code, m.DisplayName);
    }
}

/// <summary>Tag matrices, hand-counted, for a session and a two-session study; how they follow deletions; and their speed on 100,000 events.</summary>
public abstract class MatrixStoreTests(StorageProvider provider) : IDisposable
{
    private readonly ReviewKit _kit = new(provider);

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Round 1: tags confused, delight, pricing; prompts "What do you use today?" and "What would you change?"; P1-P3 (P3 never tagged).
    /// Tagged events, by (prompt, participant): before any prompt O notes [confused] about nobody; at prompt 1 O notes
    /// [confused, pricing] about P2, P1 reacts delight, P2 reacts confused, O reacts delight; at prompt 2 O notes [pricing]
    /// about P1, O notes [delight, confused] about nobody, P2 reacts delight. Untagged: an answer and a backroom message.
    /// </summary>
    private async Task<ReviewKit.Room> RoundOneAsync(Guid studyId)
    {
        var r = _kit.CreateRoom(studyId, "Round 1", ["confused", "delight", "pricing"], ["What do you use today?", "What would you change?"], 3);
        var (p1, p2) = (r.P[0], r.P[1]);
        await _kit.Write(r.F, id => new StartSession(id));
        await _kit.Write(r.O, id => new AddNote(id, "Everyone arrives late", ["confused"], null));
        await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(1)));
        await _kit.Write(p1, id => new GiveAnswer(id, r.Q(1), new AnswerInput(Text: "A spreadsheet")));
        await _kit.Write(r.O, id => new AddNote(id, "P2 hesitates over the price", ["confused", "pricing"], p2.MemberId));
        await _kit.Write(p1, id => new React(id, "delight"));
        await _kit.Write(p2, id => new React(id, "confused"));
        await _kit.Write(r.O, id => new React(id, "delight"));
        await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(2)));
        await _kit.Write(r.O, id => new AddNote(id, "P1 wants a cheaper plan", ["pricing"], p1.MemberId));
        await _kit.Write(r.O, id => new AddNote(id, "Laughter, then silence", ["delight", "confused"], null));
        await _kit.Write(p2, id => new React(id, "delight"));
        await _kit.Write(r.O, id => new MessageBackroom(id, "Ask about teams"));
        return r;
    }

    /// <summary>
    /// Round 2: tags Confused (another case) and trust; prompt 1 has round 1's first wording with other spaces and case; P1.
    /// At prompt 1 P1 reacts Confused and O notes [trust] about P1; at prompt 2 ("Anything else?") O notes [Confused, trust] about nobody.
    /// </summary>
    private async Task<ReviewKit.Room> RoundTwoAsync(Guid studyId)
    {
        var r = _kit.CreateRoom(studyId, "Round 2", ["Confused", "trust"], ["  what do you use   TODAY? ", "Anything else?"], 1);
        await _kit.Write(r.F, id => new StartSession(id));
        await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(1)));
        await _kit.Write(r.P[0], id => new React(id, "Confused"));
        await _kit.Write(r.O, id => new AddNote(id, "Does not trust the badge", ["trust"], r.P[0].MemberId));
        await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(2)));
        await _kit.Write(r.O, id => new AddNote(id, "General unease", ["Confused", "trust"], null));
        return r;
    }

    /// <summary>One line per row: "label [sessions]: counts = total" (sessions only when asked for).</summary>
    private static List<string> Lines(TagMatrix m, bool sessions = false) =>
        m.Rows.Select(r => $"{r.Label}{(sessions ? $" [{string.Join(", ", r.Sessions)}]" : "")}: {string.Join(" ", r.Counts)} = {r.Total}").ToList();

    [Fact]
    public async Task Session_CountsEachTaggedEventUnderItsPromptAndParticipant_ByHand()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var r = await RoundOneAsync(study.Id);
        var other = _kit.Studies.Create(new ValidStudy("Other", null));
        await RoundOneAsync(other.Id);

        var m = _kit.Matrices.Compute(study.Id, r.Session.Id);

        Assert.Equal(["confused", "delight", "pricing"], m.ByPrompt.Tags);
        Assert.Equal(
        [
            "1. What do you use today?: 2 2 1 = 5",
            "2. What would you change?: 1 2 1 = 4",
            "(no prompt): 1 0 0 = 1",
        ], Lines(m.ByPrompt));
        Assert.Equal(
        [
            "P1: 0 1 1 = 2",
            "P2: 2 1 1 = 4",
            "P3: 0 0 0 = 0",
            "(none): 2 2 0 = 4",
        ], Lines(m.ByParticipant));
        // Tag totals: events carrying the tag, the same in both matrices.
        Assert.Equal([4, 4, 2], m.ByPrompt.TagTotals);
        Assert.Equal(m.ByPrompt.TagTotals, m.ByParticipant.TagTotals);
        Assert.Equal(10, m.ByPrompt.Total);
        Assert.Equal(2, m.ByPrompt.Max);

        // Rows say where their events are in the timeline; the extra rows cannot be put as a timeline filter.
        var first = m.ByPrompt.Rows[0];
        Assert.Equal((r.Session.Id, r.Q(1), r.Q(1).ToString()), (first.SessionId!.Value, first.PromptId!.Value, first.Key));
        var p2 = m.ByParticipant.Rows[1];
        Assert.Equal((r.Session.Id, r.P[1].MemberId, (Guid?)null), (p2.SessionId!.Value, p2.ParticipantId!.Value, p2.PromptId));
        Assert.All(m.ByPrompt.Rows.Concat(m.ByParticipant.Rows).Where(x => x.Key == MatrixStore.None), x => Assert.Null(x.SessionId));
        // Codes, never names.
        Assert.DoesNotContain(m.ByParticipant.Rows, x => x.Label.Contains(ReviewKit.SecretName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Study_PoolsPromptsOfTheSameWording_KeepsParticipantsPerSession_AndMergesTagCase()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var r1 = await RoundOneAsync(study.Id);
        var r2 = await RoundTwoAsync(study.Id);
        var other = _kit.Studies.Create(new ValidStudy("Other", null));
        await RoundOneAsync(other.Id);

        var m = _kit.Matrices.Compute(study.Id, null);

        Assert.Equal(["confused", "delight", "pricing", "trust"], m.ByPrompt.Tags);
        Assert.Equal(
        [
            "What do you use today? [Round 1, Round 2]: 3 2 1 1 = 7",
            "What would you change? [Round 1]: 1 2 1 0 = 4",
            "Anything else? [Round 2]: 1 0 0 1 = 2",
            "(no prompt) [Round 1]: 1 0 0 0 = 1",
        ], Lines(m.ByPrompt, sessions: true));
        Assert.Equal(
        [
            "P1 [Round 1]: 0 1 1 0 = 2",
            "P2 [Round 1]: 2 1 1 0 = 4",
            "P3 [Round 1]: 0 0 0 0 = 0",
            "P1 [Round 2]: 1 0 0 1 = 2",
            "(none) [Round 1, Round 2]: 3 2 0 1 = 6",
        ], Lines(m.ByParticipant, sessions: true));
        Assert.Equal([6, 4, 2, 2], m.ByPrompt.TagTotals);
        Assert.Equal(14, m.ByParticipant.Total);

        // A pooled row spans two sessions: no single timeline; a row of one session's prompt keeps its link.
        Assert.Null(m.ByPrompt.Rows[0].SessionId);
        Assert.Equal(r1.Q(1).ToString(), m.ByPrompt.Rows[0].Key);
        Assert.Equal((r1.Session.Id, r1.Q(2)), (m.ByPrompt.Rows[1].SessionId!.Value, m.ByPrompt.Rows[1].PromptId!.Value));
        Assert.Equal((r2.Session.Id, r2.P[0].MemberId), (m.ByParticipant.Rows[3].SessionId!.Value, m.ByParticipant.Rows[3].ParticipantId!.Value));
    }

    /// <summary>
    /// A database counted by migration 0005's single tag_counts table (one row per session, tag, prompt and
    /// participant) is carried over by 0008 into the two tables the matrices read, with the same matrices after.
    /// </summary>
    /// <summary>SQLite's own migration history (run by the SQLite subclass only; PostgreSQL's schema starts at these tables).</summary>
    protected async Task Migration0008_CarriesOverTheCountsOfTheOlderTableCore()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        await RoundOneAsync(study.Id);
        await RoundTwoAsync(study.Id);
        var before = _kit.Matrices.Compute(study.Id, null);
        const string Migration = "0008_matrix_counts.sql";

        // Back to how 0007 left it: tag_counts holding the counts, triggers of those names, 0008 not applied.
        _kit.Database.Db.InTransaction((c, tx) => c.Execute(
            $"""
            DROP TRIGGER tr_event_tags_count_insert; DROP TRIGGER tr_event_tags_count_delete;
            DROP TRIGGER tr_event_tags_count_update; DROP TRIGGER tr_events_count_update;
            DROP TABLE tag_prompt_counts; DROP TABLE tag_participant_counts;
            CREATE TABLE tag_counts (session_id TEXT NOT NULL, tag TEXT NOT NULL, prompt_id TEXT NOT NULL, participant_id TEXT NOT NULL,
                                     n INTEGER NOT NULL, PRIMARY KEY (session_id, tag, prompt_id, participant_id)) WITHOUT ROWID;
            INSERT INTO tag_counts
            SELECT t.session_id, t.tag, COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, ''), COUNT(*)
            FROM event_tags t JOIN events e ON e.session_id = t.session_id AND e.seq = t.seq GROUP BY 1, 2, 3, 4;
            CREATE TRIGGER tr_event_tags_count_insert AFTER INSERT ON event_tags BEGIN SELECT 1; END;
            CREATE TRIGGER tr_event_tags_count_delete AFTER DELETE ON event_tags BEGIN SELECT 1; END;
            CREATE TRIGGER tr_event_tags_count_update AFTER UPDATE ON event_tags BEGIN SELECT 1; END;
            CREATE TRIGGER tr_events_count_update AFTER UPDATE OF prompt_id ON events BEGIN SELECT 1; END;
            DELETE FROM schema_migrations WHERE name = '{Migration}';
            """, transaction: tx));

        Assert.Equal([Migration], SessionRoom.Data.Migrator.Run(_kit.Database.Db));

        AssertCountsMatchARecount();
        var after = _kit.Matrices.Compute(study.Id, null);
        Assert.Equal(Lines(before.ByPrompt, sessions: true), Lines(after.ByPrompt, sessions: true));
        Assert.Equal(Lines(before.ByParticipant, sessions: true), Lines(after.ByParticipant, sessions: true));
        Assert.Equal(14, after.ByPrompt.Total);
        Assert.Equal(0L, _kit.Database.Db.Read((c, tx) => c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tag_counts'", transaction: tx)));
    }

    [Fact]
    public async Task Items_AreExactlyTheEventsBehindEachCell()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var r1 = await RoundOneAsync(study.Id);
        await RoundTwoAsync(study.Id);

        foreach (var sessionId in new Guid?[] { null, r1.Session.Id })
        {
            var matrices = _kit.Matrices.Compute(study.Id, sessionId);
            foreach (var matrix in new[] { matrices.ByPrompt, matrices.ByParticipant })
            {
                foreach (var row in matrix.Rows)
                {
                    for (var t = 0; t < matrix.Tags.Count; t++)
                    {
                        var items = _kit.Matrices.Items(study.Id, sessionId, matrix.By, row.Key, matrix.Tags[t], 100);
                        Assert.True(row.Counts[t] == items.Count, $"{matrix.By} {row.Label} {matrix.Tags[t]}: {row.Counts[t]} counted, {items.Count} listed");
                        Assert.All(items, i => Assert.Contains(matrix.Tags[t], i.Event.Tags, StringComparer.OrdinalIgnoreCase));
                    }
                }
            }
        }

        // The pooled first prompt's "confused" cell: two events of round 1, then one of round 2, in that order.
        var pooled = _kit.Matrices.Items(study.Id, null, MatrixBy.Prompt, r1.Q(1).ToString(), "CONFUSED", 100);
        Assert.Equal(["Round 1", "Round 1", "Round 2"], pooled.Select(i => i.SessionTitle));
        Assert.Equal("P2", pooled[0].ParticipantCode);
        Assert.Equal(1, pooled[0].Prompt!.Position);
        Assert.Equal(2, _kit.Matrices.Items(study.Id, null, MatrixBy.Prompt, r1.Q(1).ToString(), "confused", 2).Count);
    }

    [Fact]
    public async Task Counts_FollowAConsentWithdrawal_AndADeletedSession()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var r1 = await RoundOneAsync(study.Id);
        var r2 = await RoundTwoAsync(study.Id);
        await _kit.Write(r1.F, id => new EndSession(id));

        // P2's reactions and the note about P2 go: confused 2 and pricing 1 at prompt 1, delight 1 at prompt 2.
        _kit.Withdrawals.Withdraw(r1.Session.Id, r1.P[1].MemberId);
        var m = _kit.Matrices.Compute(study.Id, r1.Session.Id);
        Assert.Equal(["1. What do you use today?: 0 2 0 = 2", "2. What would you change?: 1 1 1 = 3", "(no prompt): 1 0 0 = 1"], Lines(m.ByPrompt));
        Assert.Equal(["P1: 0 1 1 = 2", "P2: 0 0 0 = 0", "P3: 0 0 0 = 0", "(none): 2 2 0 = 4"], Lines(m.ByParticipant));
        AssertCountsMatchARecount();

        Assert.True(_kit.Sessions.Delete(r1.Session.Id));
        var left = _kit.Matrices.Compute(study.Id, null);
        Assert.Equal(["Confused", "trust"], left.ByPrompt.Tags);
        Assert.Equal(["what do you use   TODAY?: 1 1 = 2", "Anything else?: 1 1 = 2"], Lines(left.ByPrompt));
        AssertCountsMatchARecount();
        Assert.Equal(0L, _kit.Database.Db.Read((c, tx) => c.ExecuteScalar<long>("SELECT (SELECT COUNT(*) FROM tag_prompt_counts WHERE session_id = @id) + (SELECT COUNT(*) FROM tag_participant_counts WHERE session_id = @id)", new { id = r1.Session.Id }, tx)));
        Assert.Equal(2, _kit.Matrices.Compute(study.Id, r2.Session.Id).ByPrompt.Rows.Count);
    }

    [Fact]
    public async Task Counts_StayEqualToARecount_WhenTagsOrEventsAreChangedDirectly()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var r = await RoundOneAsync(study.Id);
        AssertCountsMatchARecount();

        // Nothing in the app does these yet; the triggers cover them so a later feature cannot make the counts drift.
        _kit.Database.Db.InTransaction((c, tx) =>
        {
            c.Execute("UPDATE event_tags SET tag = 'pricing' WHERE session_id = @id AND tag = 'delight' AND seq = (SELECT MIN(seq) FROM event_tags WHERE session_id = @id AND tag = 'delight')", new { id = r.Session.Id }, tx);
            c.Execute("DELETE FROM event_tags WHERE session_id = @id AND tag = 'confused' AND seq = (SELECT MAX(seq) FROM event_tags WHERE session_id = @id AND tag = 'confused')", new { id = r.Session.Id }, tx);
            c.Execute("UPDATE events SET participant_id = NULL, prompt_id = @q WHERE session_id = @id AND type = 'reaction'", new { id = r.Session.Id, q = r.Q(2) }, tx);
        });

        AssertCountsMatchARecount();
        var m = _kit.Matrices.Compute(study.Id, r.Session.Id);
        Assert.Equal(9, m.ByPrompt.Total);
        Assert.Equal("(none): 2 3 1 = 6", Lines(m.ByParticipant)[^1]);
    }

    [Fact]
    public void Matrices_OfManyEvents_AddUpToAnExactRecount()
    {
        var study = _kit.Studies.Create(new ValidStudy("Big study", null));
        string[] tags = ["confused", "delight", "pricing", "trust", "navigation", "bug", "idea", "quote"];
        var room = _kit.CreateRoom(study.Id, "Marathon", tags, Enumerable.Range(1, 20).Select(i => $"Question {i}?").ToArray(), 12);
        // Speed is measured by the benchmarks (bench/), not here: this checks the trigger-kept counts on a big session.
        const int Events = 20_000;
        // Written straight to the tables (the writer's pace is not what is measured); the counting triggers still run.
        _kit.Database.Db.InTransaction((c, tx) =>
        {
            // A new random id: SQLite's as text, PostgreSQL's uuid.
            var newId = _kit.Database.Db.IsPostgres ? "gen_random_uuid()" : "lower(hex(randomblob(16)))";
            c.Execute(
                $$"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @Events),
                pp AS (SELECT ROW_NUMBER() OVER (ORDER BY position) - 1 AS k, id FROM prompts WHERE session_id = @s),
                mm AS (SELECT ROW_NUMBER() OVER (ORDER BY length(code), code) - 1 AS k, id FROM members WHERE session_id = @s AND role = 'participant')
                INSERT INTO events (session_id, seq, id, client_event_id, type, audience, actor_id, prompt_id, participant_id, at_ms, created_utc, text, data_json)
                SELECT @s, i, {{newId}}, {{newId}}, 'note', 'backroom', @o,
                       (SELECT id FROM pp WHERE k = (i - 1) * 20 / @Events),
                       CASE WHEN i % 7 = 0 THEN NULL ELSE (SELECT id FROM mm WHERE k = i % 12) END,
                       i * 1000, '2026-03-02T09:00:00.0000000Z', 'Note ' || i, '{}'
                FROM n
                """, new { s = room.Session.Id, o = room.O.MemberId, Events }, tx);
            for (var t = 0; t < tags.Length; t++)
            {
                c.Execute("INSERT INTO event_tags (session_id, seq, tag) SELECT session_id, seq, @tag FROM events WHERE session_id = @s AND seq % @m = 0",
                    new { s = room.Session.Id, tag = tags[t], m = t + 2 }, tx);
            }
        });

        var m = _kit.Matrices.Compute(study.Id, null);
        Assert.Equal(m.ByPrompt.Rows.Select(r => r.Counts.ToArray()), _kit.Matrices.Compute(study.Id, room.Session.Id).ByPrompt.Rows.Select(r => r.Counts.ToArray()));
        // Tag t is on every (t + 2)th event; event i is at prompt (i - 1) * 20 / Events and about P(i % 12 + 1), or nobody when i % 7 = 0.
        var byPrompt = new int[20, tags.Length];
        var byParticipant = new int[13, tags.Length];
        for (var i = 1; i <= Events; i++)
        {
            for (var t = 0; t < tags.Length; t++)
            {
                if (i % (t + 2) == 0)
                {
                    byPrompt[(i - 1) * 20 / Events, t]++;
                    byParticipant[i % 7 == 0 ? 12 : i % 12, t]++;
                }
            }
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(k => Enumerable.Range(0, tags.Length).Select(t => byPrompt[k, t]).ToArray()), m.ByPrompt.Rows.Select(r => r.Counts.ToArray()));
        Assert.Equal(Enumerable.Range(0, 13).Select(k => Enumerable.Range(0, tags.Length).Select(t => byParticipant[k, t]).ToArray()), m.ByParticipant.Rows.Select(r => r.Counts.ToArray()));
        Assert.Equal(tags.Select((_, t) => Events / (t + 2)), m.ByPrompt.TagTotals);
        Assert.Equal(MatrixStore.NoParticipantLabel, m.ByParticipant.Rows[^1].Label);
        AssertCountsMatchARecount();
    }

    /// <summary>The kept counts, per prompt and per participant, equal counting event_tags joined to events from scratch.</summary>
    private void AssertCountsMatchARecount()
    {
        foreach (var (table, column) in new[] { ("tag_prompt_counts", "prompt_id"), ("tag_participant_counts", "participant_id") })
        {
            var (kept, recount) = _kit.Database.Db.Read((c, tx) => (
                c.Query<(string, string, string, long)>(
                    $"SELECT CAST(session_id AS TEXT), tag, {column}, n FROM {table} WHERE n > 0 ORDER BY 1, 2, 3", transaction: tx).ToList(),
                c.Query<(string, string, string, long)>(
                    $"""
                    SELECT CAST(t.session_id AS TEXT), t.tag, COALESCE(CAST(e.{column} AS TEXT), ''), COUNT(*)
                    FROM event_tags t JOIN events e ON e.session_id = t.session_id AND e.seq = t.seq
                    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    """, transaction: tx).ToList()));
            Assert.Equal(recount, kept);
        }
    }
}

public sealed class MatrixStoreTestsOnSqlite() : MatrixStoreTests(StorageProvider.Sqlite)
{
    [Fact]
    public Task Migration0008_CarriesOverTheCountsOfTheOlderTable() => Migration0008_CarriesOverTheCountsOfTheOlderTableCore();
}

public sealed class MatrixStoreTestsOnPostgres() : MatrixStoreTests(StorageProvider.Postgres);
