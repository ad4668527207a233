using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>Many writers at once: order, no gaps, and no backroom event ever reaching a participant.</summary>
public sealed class HubLoadTests(LiveServer server) : IClassFixture<LiveServer>
{
    [Fact]
    public async Task ThousandBackroomWrites_ConcurrentWriters_ParticipantsGetNoneAndEveryoneSeesSeqInOrderWithoutGaps()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        var observers = new[] { await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer)), await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Observer)) };
        var participants = new List<LiveClient>();
        for (var i = 0; i < 3; i++)
        {
            participants.Add(await server.ConnectAsync(await server.MemberAsync(session.Id, Roles.Participant)));
        }
        await f.Invoke("StartSession", Guid.NewGuid());
        await f.Invoke("ShowPrompt", Guid.NewGuid(), session.Prompts[0].Id);

        // 1,000 backroom writes from two observers, 16 in flight each, while participants react and answer.
        var backroomWrites = observers.Select(o => WriteManyAsync(500, i => i % 2 == 0
            ? o.Invoke("AddNote", Guid.NewGuid(), $"note {i}", new[] { "confused" }, null)
            : o.Invoke("MessageBackroom", Guid.NewGuid(), $"message {i}")));
        var roomWrites = participants.Select(p => WriteManyAsync(20, i => i % 2 == 0
            ? p.Invoke("React", Guid.NewGuid(), "delight")
            : p.Invoke("Answer", Guid.NewGuid(), session.Prompts[0].Id, new AnswerInput(Text: $"answer {i}"))));
        var acks = (await Task.WhenAll(backroomWrites.Concat(roomWrites))).SelectMany(a => a).ToList();
        Assert.Equal(1_060, acks.Count);
        Assert.Equal(acks.Count, acks.Select(a => a.Seq).Distinct().Count());

        var lastSeq = (await f.Connection.InvokeAsync<LiveState>("GetState")).LastSeq;
        await f.WaitForAsync(es => es.Count > 0 && es[^1].Seq == lastSeq, $"every event up to {lastSeq}");

        // The facilitator saw 1..N, in order, with no gap.
        var seen = f.Events.Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range((int)seen[0], seen.Count).Select(i => (long)i), seen);
        var all = await server.AllEventsAsync(session.Id);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Seq));

        foreach (var client in observers.Concat(participants))
        {
            var seqs = client.Events.Select(e => e.Seq).ToList();
            Assert.True(seqs.Zip(seqs.Skip(1)).All(pair => pair.First < pair.Second), $"{client.Member.Code} saw seq out of order");
        }
        foreach (var p in participants)
        {
            Assert.All(p.Events, e => Assert.Equal(Audiences.Room, e.Audience));
            var caughtUp = await p.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", 0L);
            Assert.All(caughtUp, e => Assert.Equal(Audiences.Room, e.Audience));
            Assert.Equal(all.Count(e => e.Audience == Audiences.Room), caughtUp.Count);
            Assert.DoesNotContain(caughtUp, e => e.Type is EventTypes.Note or EventTypes.BackroomMessage or EventTypes.Answer);
        }

        foreach (var client in observers.Concat(participants))
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reconnect_GetEventsSinceLastSeq_ReturnsExactlyTheMissedEvents()
    {
        var session = await server.CreateSessionAsync();
        await using var f = await server.ConnectAsync(await server.FacilitatorAsync(session.Id));
        await f.Invoke("StartSession", Guid.NewGuid());
        var observer = await server.MemberAsync(session.Id, Roles.Observer);
        var first = await server.ConnectAsync(observer);
        var before = await first.Invoke("AddNote", Guid.NewGuid(), "before the drop", Array.Empty<string>(), null);
        await first.WaitForAsync(es => es.Any(e => e.Seq == before.Seq), "its own note");
        var lastSeen = first.Events[^1].Seq;
        await first.DisposeAsync();

        var missedNotes = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            missedNotes.Add((await f.Invoke("AddNote", Guid.NewGuid(), $"while away {i}", Array.Empty<string>(), null)).Seq);
        }

        await using var again = await server.ConnectAsync(observer);
        var missed = await again.Connection.InvokeAsync<List<SessionEvent>>("GetEventsSince", lastSeen);
        var upTo = missed[^1].Seq;
        await f.WaitForAsync(es => es.Any(e => e.Seq == upTo), "the same events");

        Assert.Equal(f.Events.Where(e => e.Seq > lastSeen && e.Seq <= upTo).Select(e => e.Seq), missed.Select(e => e.Seq));
        Assert.Subset(missed.Select(e => e.Seq).ToHashSet(), missedNotes.ToHashSet());
        Assert.DoesNotContain(missed, e => e.Seq <= lastSeen);
    }

    private static async Task<List<Ack>> WriteManyAsync(int count, Func<int, Task<Ack>> write)
    {
        var acks = new List<Ack>(count);
        for (var start = 0; start < count; start += 16)
        {
            acks.AddRange(await Task.WhenAll(Enumerable.Range(start, Math.Min(16, count - start)).Select(write)));
        }
        return acks;
    }
}
