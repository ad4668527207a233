using System.Text.Json;
using Dapper;
using Npgsql;
using SessionRoom.Core.Live;

namespace SessionRoom.PostgresTests;

public sealed class AppendTests
{
    [Fact]
    public async Task An_event_is_read_back_as_it_was_appended_with_seq_counting_from_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        var log = await db.MigratedLogAsync();
        var session = Guid.NewGuid();
        await log.AddSessionAsync(session);
        // timestamptz keeps microseconds, so the time is given to the microsecond.
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234560);
        var full = new SessionEvent(0, Guid.NewGuid(), Guid.NewGuid(), EventTypes.Note, Audiences.Backroom, Guid.NewGuid(), null,
            Guid.NewGuid(), Guid.NewGuid(), 98765, at.ToOffset(TimeSpan.FromHours(2)), "Löst it — \"quoted\"", ["ux", "bug"],
            JsonSerializer.SerializeToElement(new { z = 1, a = new[] { "x" } }))
        { SessionId = session, Restricted = true };
        var bare = new SessionEvent(0, Guid.NewGuid(), Guid.NewGuid(), EventTypes.Reaction, Audiences.Room, null, null, null, null,
            0, at, null, [], default)
        { SessionId = session };

        var acks = await log.AppendAsync([full, bare]);

        Assert.Equal([new Ack(1, false), new Ack(2, false)], acks);
        var read = await log.SinceAsync(session, 0);
        Assert.Equal(2, read.Count);
        var e = read[0];
        Assert.Equal((1L, full.Id, full.ClientEventId, full.Type, full.Audience), (e.Seq, e.Id, e.ClientEventId, e.Type, e.Audience));
        Assert.Equal((full.ActorId, full.PromptId, full.ParticipantId, full.AtMs), (e.ActorId, e.PromptId, e.ParticipantId, e.AtMs));
        Assert.Equal(at, e.CreatedUtc);
        Assert.Equal(TimeSpan.Zero, e.CreatedUtc.Offset);
        Assert.Equal(full.Text, e.Text);
        Assert.Equal(["bug", "ux"], e.Tags);
        // The data's text comes back exactly as written (key order kept), as SQLite's store gives it.
        Assert.Equal("""{"z":1,"a":["x"]}""", e.Data.GetRawText());
        Assert.True(e.Restricted);
        Assert.Equal(session, e.SessionId);
        var b = read[1];
        Assert.Equal((2L, (Guid?)null, (string?)null, false), (b.Seq, b.ActorId, b.Text, b.Restricted));
        Assert.Empty(b.Tags);
        Assert.Equal("{}", b.Data.GetRawText());
        Assert.Equal([2L], (await log.SinceAsync(session, 1)).Select(x => x.Seq));
        Assert.Empty(await log.SinceAsync(session, 2));
    }

    [Fact]
    public async Task A_batch_spans_sessions_each_counting_its_own_seq()
    {
        await using var db = await TestDatabase.CreateAsync();
        var log = await db.MigratedLogAsync();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await log.AddSessionAsync(a);
        await log.AddSessionAsync(b);

        var acks = await log.AppendAsync([Events.New(a), Events.New(b), Events.New(a), Events.New(b), Events.New(b)]);

        Assert.Equal([1L, 1, 2, 2, 3], acks.Select(x => x.Seq));
        Assert.Equal([1L, 2], (await log.SinceAsync(a, 0)).Select(x => x.Seq));
        Assert.Equal([1L, 2, 3], (await log.SinceAsync(b, 0)).Select(x => x.Seq));
    }

    [Fact]
    public async Task A_repeated_client_event_id_is_stored_once_within_a_batch_and_across_calls()
    {
        await using var db = await TestDatabase.CreateAsync();
        var log = await db.MigratedLogAsync();
        var session = Guid.NewGuid();
        await log.AddSessionAsync(session);
        var retried = Events.New(session, text: "first");

        var acks = await log.AppendAsync([retried, Events.New(session), retried with { Id = Guid.NewGuid(), Text = "again" }]);
        var later = await log.AppendAsync([retried with { Id = Guid.NewGuid(), Text = "later" }, Events.New(session)]);

        Assert.Equal([new Ack(1, false), new Ack(2, false), new Ack(1, true)], acks);
        Assert.Equal([new Ack(1, true), new Ack(3, false)], later);
        var read = await log.SinceAsync(session, 0);
        Assert.Equal([1L, 2, 3], read.Select(e => e.Seq));
        Assert.Equal("first", read[0].Text);
    }

    [Fact]
    public async Task The_same_client_event_id_in_another_session_is_a_different_event()
    {
        await using var db = await TestDatabase.CreateAsync();
        var log = await db.MigratedLogAsync();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await log.AddSessionAsync(a);
        await log.AddSessionAsync(b);
        var clientEventId = Guid.NewGuid();

        var acks = await log.AppendAsync([Events.New(a, clientEventId), Events.New(b, clientEventId)]);

        Assert.Equal([new Ack(1, false), new Ack(1, false)], acks);
    }

    [Fact]
    public async Task A_batch_naming_an_unknown_session_stores_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var log = await db.MigratedLogAsync();
        var known = Guid.NewGuid();
        await log.AddSessionAsync(known);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync([Events.New(known), Events.New(Guid.NewGuid())]));

        Assert.Contains("not in the event log", error.Message);
        Assert.Empty(await log.SinceAsync(known, 0));
        Assert.Equal([new Ack(1, false)], await log.AppendAsync([Events.New(known)]));
    }

    [Fact]
    public async Task A_batch_that_fails_midway_leaves_nothing_half_written_and_no_gap()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = db.NewServer();
        var log = await db.MigratedLogAsync();
        var session = Guid.NewGuid();
        await log.AddSessionAsync(session);
        var stored = Events.New(session, text: "kept");
        await log.AppendAsync([stored]);

        // The middle event reuses a stored event's id (events.id is UNIQUE): the first one has been inserted by then.
        var clash = Events.New(session) with { Id = stored.Id };
        var failed = await Assert.ThrowsAsync<PostgresException>(() =>
            log.AppendAsync([Events.New(session, text: "before", tags: ["t"]), clash, Events.New(session, text: "after")]));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, failed.SqlState);
        // Its tags fail after its event row is in (event_tags' key): that row goes too.
        var badTags = await Assert.ThrowsAsync<PostgresException>(() =>
            log.AppendAsync([Events.New(session, text: "twice tagged", tags: ["same", "same"])]));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, badTags.SqlState);

        Assert.Equal(["kept"], (await log.SinceAsync(session, 0)).Select(e => e.Text));
        await using (var c = await server.OpenConnectionAsync())
        {
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT last_seq FROM sessions WHERE id = @session", new { session }));
            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event_tags"));
        }
        // The numbers the failed batches took were given back.
        var next = await log.AppendAsync([Events.New(session)]);
        Assert.Equal([new Ack(2, false)], next);
    }
}
