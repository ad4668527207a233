using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Live;

/// <summary>
/// What the rules need to know about a session at the moment a write is decided. The event writer
/// implements it over the same transaction it writes in, so a decision always sees the events
/// written before it, including those earlier in the same batch.
/// </summary>
public interface ILiveView
{
    /// <summary>The session's status, or null when it does not exist.</summary>
    string? Status(Guid sessionId);

    Prompt? FindPrompt(Guid sessionId, Guid promptId);

    /// <summary>The prompt on screen now, if any: notes, messages and reactions are stamped with it.</summary>
    Guid? CurrentPromptId(Guid sessionId);

    /// <summary>Whether the session runs in blind mode (observers see only their own notes until it ends).</summary>
    bool IsBlind(Guid sessionId);

    bool IsParticipant(Guid sessionId, Guid memberId);

    /// <summary>Whether the member's data was withdrawn: nothing more is written in their name, not even presence.</summary>
    bool IsWithdrawn(Guid sessionId, Guid memberId);

    IReadOnlyList<string> Tags(Guid sessionId);

    /// <summary>The participant's attempt at the task that is running now (paused or not), or null.</summary>
    TaskTimer? RunningTask(Guid sessionId, Guid promptId, Guid participantId);

    /// <summary>Milliseconds since the session started, on the server clock; 0 before it starts.</summary>
    long ClockMs(Guid sessionId);
}
