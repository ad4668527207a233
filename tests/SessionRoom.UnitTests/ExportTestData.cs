using System.Text.Json;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

/// <summary>A small session to export: a question, a poll, a task and a SUS prompt; a participant, an observer and the facilitator.</summary>
internal sealed class ExportTestData
{
    public static readonly Guid Participant = Guid.NewGuid();
    public static readonly Guid Observer = Guid.NewGuid();
    public static readonly Guid Facilitator = Guid.NewGuid();

    public ExportTestData()
    {
        Prompts =
        [
            new Prompt(Guid.NewGuid(), 1, PromptKinds.Question, "What do you use today?"),
            new Prompt(Guid.NewGuid(), 2, PromptKinds.Poll, "Which plan?", Options: ["Free", "Pro | Plus"], Multiple: false),
            new Prompt(Guid.NewGuid(), 3, PromptKinds.Task, "Buy a blue mug", SuccessCriteria: "Confirmation shown"),
            new Prompt(Guid.NewGuid(), 4, PromptKinds.Sus, "System Usability Scale"),
        ];
        Members =
        [
            new ExportMember(Participant, Roles.Participant, "P1", "Alice Liddell"),
            new ExportMember(Observer, Roles.Observer, "O1", "Oscar Observer"),
            new ExportMember(Facilitator, Roles.Facilitator, "F1", "Facilitator"),
        ];
    }

    public IReadOnlyList<Prompt> Prompts { get; }

    public IReadOnlyList<ExportMember> Members { get; }

    public List<SessionEvent> Events { get; } = [];

    public ExportSource Source() => new(
        new ExportSessionInfo(Guid.NewGuid(), Guid.NewGuid(), "Checkout study", "Checkout test, round 1", SessionModes.Usability, SessionStatuses.Ended,
            false, ["confused"], DateTimeOffset.Parse("2026-11-23T09:00:00Z"), DateTimeOffset.Parse("2026-11-23T10:00:00Z"), null),
        Prompts, Members);

    public SessionExport Export(bool includeNames = false) => SessionExport.Create(Source(), Events, includeNames);

    public ExportTestData Add(string type, Guid actor, string code, long atMs, string? text = null, Guid? prompt = null, Guid? participant = null,
        string[]? tags = null, object? data = null)
    {
        Events.Add(new SessionEvent(Events.Count + 1, Guid.NewGuid(), Guid.NewGuid(), type,
            type is EventTypes.SessionStarted or EventTypes.PromptShown ? Audiences.Room : Audiences.Backroom,
            actor, code, prompt, participant, atMs, DateTimeOffset.Parse("2026-11-23T10:00:00Z").AddMilliseconds(atMs), text, tags ?? [],
            JsonSerializer.SerializeToElement(data ?? new { }, JsonSerializerOptions.Web)));
        return this;
    }

    public ExportTestData Note(long atMs, string text, params string[] tags) =>
        Add(EventTypes.Note, Observer, "O1", atMs, text, tags: tags);

    public ExportTestData Joined(Guid member, string role, string code, string displayName) =>
        Add(EventTypes.MemberJoined, member, code, 0, data: new { role, code, displayName });
}
