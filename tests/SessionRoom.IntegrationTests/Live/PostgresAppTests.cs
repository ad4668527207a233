using System.Globalization;
using System.Net;
using Dapper;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>The built app started with <c>SessionRoom:Storage:Provider=postgres</c> on an empty database of its own, which it migrates.</summary>
public sealed class PostgresLiveServer : LiveServer, IAsyncLifetime
{
    public PostgresLiveServer()
        : this(PostgresServer.CreateDatabase(migrated: false))
    {
    }

    private PostgresLiveServer((string Name, string ConnectionString) database)
        : base(new Dictionary<string, string>
        {
            ["SessionRoom:Live:CallsPerSecond"] = "100000",
            ["SessionRoom:Storage:Provider"] = "postgres",
            ["SessionRoom:Storage:ConnectionString"] = database.ConnectionString,
        }) =>
        Database = database;

    public (string Name, string ConnectionString) Database { get; }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        PostgresServer.DropDatabase(Database.Name);
    }
}

/// <summary>A whole session through the app on PostgreSQL: HTTP set-up, hub writes, reads and the CSV export.</summary>
public sealed class PostgresAppTests(PostgresLiveServer server) : IClassFixture<PostgresLiveServer>
{
    [Fact]
    public async Task A_session_runs_over_HTTP_and_the_hub_and_its_events_are_in_PostgreSQL_read_back_and_exported()
    {
        var session = await server.CreateSessionAsync(mode: "focus-group");
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await using var o = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer));
        await using var p = await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant));

        var acks = new List<Ack>
        {
            await f.Invoke("StartSession", Guid.NewGuid()),
            await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id),
            await o.Invoke("AddNote", Guid.NewGuid(), "P1 hesitates over the price", new[] { "confused" }, p.Member.MemberId),
            await p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: "A spreadsheet, mostly")),
        };
        var retry = Guid.NewGuid();
        acks.Add(await p.Invoke("React", retry, "delight"));
        var again = await p.Invoke("React", retry, "delight");

        Assert.All(acks, a => Assert.False(a.Duplicate));
        Assert.Equal((acks[^1].Seq, true), (again.Seq, again.Duplicate));
        var all = await server.AllEventsAsync(session.Id);
        // Member joins are events too; every event has its own seq, 1, 2, 3... with no gap.
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.All(acks, a => Assert.Contains(all, e => e.Seq == a.Seq));
        var note = all.Single(e => e.Seq == acks[2].Seq);
        Assert.Equal((EventTypes.Note, "P1 hesitates over the price", p.Member.MemberId, "confused"), (note.Type, note.Text, note.ParticipantId, Assert.Single(note.Tags)));
        await p.WaitForAsync(events => events.Any(e => e.Seq == acks[1].Seq), "the prompt shown");
        Assert.DoesNotContain(p.Events, e => e.Seq == acks[2].Seq); // the note is the backroom's

        // Stored in PostgreSQL (not a SQLite file in the data directory).
        using (var db = Db.Postgres(server.Database.ConnectionString))
        {
            using var c = db.Open();
            Assert.Equal(all.Count, c.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE session_id = @id", new { id = session.Id }));
        }
        Assert.False(File.Exists(Path.Combine(server.App.DataDirectory, Db.FileName)));

        var search = await server.Http.GetAsync($"/api/studies/{session.StudyId}/search?q=pric");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("hesitates", await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        HttpResponseMessage csv;
        try
        {
            csv = await server.Http.GetAsync($"/api/sessions/{session.Id}/export?format=csv");
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException(server.App.Output, e);
        }
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var rows = ExportApiTests.ParseCsv(await csv.Content.ReadAsByteArrayAsync());
        Assert.Equal(all.Select(e => e.Seq.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["seq"]));
        var answer = rows.Single(r => r["type"] == EventTypes.Answer);
        Assert.Equal(("A spreadsheet, mostly", """{"text":"A spreadsheet, mostly"}"""), (answer["text"], answer["data"]));

        // The other reads of the review and the exports, each through its own store.
        foreach (var path in new[]
        {
            $"/api/sessions/{session.Id}/export?format=json", $"/api/studies/{session.StudyId}/export?format=csv", $"/api/sessions/{session.Id}/export?format=md",
            $"/api/sessions/{session.Id}/timeline",
            $"/api/studies/{session.StudyId}/matrix?by=participant", $"/api/studies/{session.StudyId}/highlights",
            $"/api/sessions/{session.Id}/agreement?windowSeconds=30", $"/api/studies/{session.StudyId}/themes", "/healthz",
        })
        {
            var response = await server.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        }
    }
}

/// <summary>The app on PostgreSQL when its database goes away: a 503 saying to try again, never a 500.</summary>
public sealed class PostgresUnavailableTests(PostgresLiveServer server) : IClassFixture<PostgresLiveServer>
{
    [Fact]
    public async Task When_the_database_is_dropped_the_API_and_the_health_check_answer_503()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await f.Invoke("StartSession", Guid.NewGuid());

        PostgresServer.DropDatabase(server.Database.Name);

        var studies = await server.Http.GetAsync("/api/studies");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, studies.StatusCode);
        Assert.Equal("5", studies.Headers.RetryAfter?.ToString());
        Assert.Contains("The database is unavailable just now.", await studies.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Http.GetAsync("/healthz")).StatusCode);
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id));
        Assert.Contains("try again", refused.Message, StringComparison.Ordinal);
    }
}
