using SessionRoom.Data;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.IntegrationTests;

/// <summary>Stars on notes and answers, on a real SQLite file with events from the real event writer.</summary>
public abstract class HighlightStoreTests(StorageProvider provider) : IDisposable
{
    private readonly ReviewKit _kit = new(provider);

    public void Dispose()
    {
        _kit.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed record Seqs(long Message, long Reaction, long PromptShown, long EarlyNote, long AnswerP2, long NoteAboutP1);

    /// <summary>A session with a note before any prompt, P2's answer to prompt 1, a reaction, a message, and a note about P1 at prompt 2.</summary>
    private async Task<(ReviewKit.Room Room, Seqs Seqs)> RoomAsync(Guid studyId, string title)
    {
        var r = _kit.CreateRoom(studyId, title, ["confused", "delight"], ["What do you use today?", "What would you change?"], 2);
        await _kit.Write(r.F, id => new StartSession(id));
        var early = await _kit.Write(r.O, id => new AddNote(id, "Late start", [], null));
        var shown = await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(1)));
        var answer = await _kit.Write(r.P[1], id => new GiveAnswer(id, r.Q(1), new AnswerInput(Text: "Nothing, the price is too high")));
        var reaction = await _kit.Write(r.P[0], id => new React(id, "delight"));
        var message = await _kit.Write(r.O, id => new MessageBackroom(id, "Ask about teams"));
        await _kit.Write(r.F, id => new ShowPrompt(id, r.Q(2)));
        var note = await _kit.Write(r.O, id => new AddNote(id, "P1 wants a cheaper plan", ["confused"], r.P[0].MemberId));
        return (r, new Seqs(message, reaction, shown, early, answer, note));
    }

    [Fact]
    public async Task StarAndUnstar_AreIdempotent()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var (r, s) = await RoomAsync(study.Id, "Round 1");

        Assert.True(_kit.Highlights.Star(r.Session.Id, s.NoteAboutP1));
        Assert.False(_kit.Highlights.Star(r.Session.Id, s.NoteAboutP1));
        Assert.Single(_kit.Highlights.ListForStudy(study.Id));
        Assert.Equal([s.NoteAboutP1], _kit.Highlights.Starred(r.Session.Id, [s.EarlyNote, s.AnswerP2, s.NoteAboutP1]));

        Assert.True(_kit.Highlights.Unstar(r.Session.Id, s.NoteAboutP1));
        Assert.False(_kit.Highlights.Unstar(r.Session.Id, s.NoteAboutP1));
        Assert.Empty(_kit.Highlights.ListForStudy(study.Id));
        Assert.Empty(_kit.Highlights.Starred(r.Session.Id, [s.EarlyNote, s.AnswerP2, s.NoteAboutP1]));
    }

    [Fact]
    public async Task OnlyNotesAndAnswers_CanBeStarred_AndUnknownEventsAreNotFound()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var (r, s) = await RoomAsync(study.Id, "Round 1");

        foreach (var seq in new[] { s.Reaction, s.Message, s.PromptShown, 1L })
        {
            var refused = Assert.Throws<InputException>(() => _kit.Highlights.Star(r.Session.Id, seq));
            Assert.Contains("Only notes and answers", Assert.Single(refused.Errors.ToDictionary()["seq"]), StringComparison.Ordinal);
            Assert.Throws<InputException>(() => _kit.Highlights.Unstar(r.Session.Id, seq));
        }
        Assert.Contains("no event 999", Assert.Throws<NotFoundException>(() => _kit.Highlights.Star(r.Session.Id, 999)).Message, StringComparison.Ordinal);
        Assert.Contains("no session", Assert.Throws<NotFoundException>(() => _kit.Highlights.Unstar(Guid.NewGuid(), 1)).Message, StringComparison.Ordinal);
        Assert.Empty(_kit.Highlights.ListForStudy(study.Id));
    }

    [Fact]
    public async Task ListForStudy_IsSessionBySessionInSeqOrder_WithPromptAndParticipantCode_NeverNames()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var (r1, s1) = await RoomAsync(study.Id, "Round 1");
        var (r2, s2) = await RoomAsync(study.Id, "Round 2");
        var other = _kit.Studies.Create(new ValidStudy("Other", null));
        var (r3, s3) = await RoomAsync(other.Id, "Elsewhere");
        // Starred out of order, second session first.
        _kit.Highlights.Star(r2.Session.Id, s2.EarlyNote);
        _kit.Highlights.Star(r1.Session.Id, s1.NoteAboutP1);
        _kit.Highlights.Star(r1.Session.Id, s1.AnswerP2);
        _kit.Highlights.Star(r3.Session.Id, s3.AnswerP2);

        var list = _kit.Highlights.ListForStudy(study.Id);

        Assert.Equal([("Round 1", s1.AnswerP2), ("Round 1", s1.NoteAboutP1), ("Round 2", s2.EarlyNote)], list.Select(h => (h.SessionTitle, h.Event.Seq)));
        var answer = list[0];
        Assert.Equal((EventTypes.Answer, "Nothing, the price is too high", "P2", "P2"), (answer.Event.Type, answer.Event.Text, answer.Event.ActorCode, answer.ParticipantCode));
        Assert.Equal((1, "What do you use today?"), (answer.Prompt!.Position, answer.Prompt.Text));
        var note = list[1];
        Assert.Equal(("O1", "P1", 2), (note.Event.ActorCode, note.ParticipantCode, note.Prompt!.Position));
        Assert.Equal(["confused"], note.Event.Tags);
        Assert.Equal(_kit.Clock.Now, note.StarredUtc);
        var early = list[2];
        Assert.Null(early.Prompt);
        Assert.Null(early.ParticipantCode);
        Assert.DoesNotContain(list, h => (h.ParticipantCode ?? "").Contains(ReviewKit.SecretName, StringComparison.Ordinal)
            || (h.Event.ActorCode ?? "").Contains(ReviewKit.SecretName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stars_GoWithTheirEvents_OnConsentWithdrawal_AndWhenTheSessionIsDeleted()
    {
        var study = _kit.Studies.Create(new ValidStudy("Study", null));
        var (r, s) = await RoomAsync(study.Id, "Round 1");
        await _kit.Write(r.F, id => new EndSession(id));
        _kit.Highlights.Star(r.Session.Id, s.AnswerP2);
        _kit.Highlights.Star(r.Session.Id, s.NoteAboutP1);
        _kit.Highlights.Star(r.Session.Id, s.EarlyNote);

        // P2 withdraws: their answer goes, and its star with it; the others stay.
        _kit.Withdrawals.Withdraw(r.Session.Id, r.P[1].MemberId);
        Assert.Equal([s.EarlyNote, s.NoteAboutP1], _kit.Highlights.ListForStudy(study.Id).Select(h => h.Event.Seq));
        Assert.Throws<NotFoundException>(() => _kit.Highlights.Star(r.Session.Id, s.AnswerP2));

        // P1 withdraws: the note about them goes too.
        _kit.Withdrawals.Withdraw(r.Session.Id, r.P[0].MemberId);
        Assert.Equal([s.EarlyNote], _kit.Highlights.ListForStudy(study.Id).Select(h => h.Event.Seq));

        Assert.True(_kit.Sessions.Delete(r.Session.Id));
        Assert.Empty(_kit.Highlights.ListForStudy(study.Id));
    }
}

public sealed class HighlightStoreTestsOnSqlite() : HighlightStoreTests(StorageProvider.Sqlite);

public sealed class HighlightStoreTestsOnPostgres() : HighlightStoreTests(StorageProvider.Postgres);
