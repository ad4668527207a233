namespace SessionRoom.Core.Live;

/// <summary>A write to a live session. Every one carries the client's id for idempotency.</summary>
public abstract record LiveCommand(Guid ClientEventId);

public sealed record StartSession(Guid ClientEventId) : LiveCommand(ClientEventId);

public sealed record ShowPrompt(Guid ClientEventId, Guid PromptId) : LiveCommand(ClientEventId);

public sealed record EndSession(Guid ClientEventId) : LiveCommand(ClientEventId);

public sealed record StartTask(Guid ClientEventId, Guid PromptId, Guid ParticipantId) : LiveCommand(ClientEventId);

public sealed record EndTask(Guid ClientEventId, Guid PromptId, Guid ParticipantId, string? Outcome) : LiveCommand(ClientEventId);

/// <summary>Stops the task's clock for one participant (a question, a technical hitch) without ending the attempt.</summary>
public sealed record PauseTask(Guid ClientEventId, Guid PromptId, Guid ParticipantId) : LiveCommand(ClientEventId);

public sealed record ResumeTask(Guid ClientEventId, Guid PromptId, Guid ParticipantId) : LiveCommand(ClientEventId);

public sealed record GiveAnswer(Guid ClientEventId, Guid PromptId, AnswerInput? Answer) : LiveCommand(ClientEventId);

public sealed record React(Guid ClientEventId, string? Tag) : LiveCommand(ClientEventId);

public sealed record AddNote(Guid ClientEventId, string? Text, IReadOnlyList<string?>? Tags, Guid? ParticipantId) : LiveCommand(ClientEventId);

public sealed record MessageBackroom(Guid ClientEventId, string? Text) : LiveCommand(ClientEventId);

/// <summary>Made by the server when a member's first connection opens.</summary>
public sealed record JoinPresence(Guid ClientEventId) : LiveCommand(ClientEventId);

/// <summary>Made by the server when a member's last connection closes.</summary>
public sealed record LeavePresence(Guid ClientEventId) : LiveCommand(ClientEventId);

/// <summary>An event decided by the rules, before the writer gives it a seq and a time.</summary>
public sealed record NewEvent(
    string Type,
    string Audience,
    Guid? PromptId = null,
    Guid? ParticipantId = null,
    string? Text = null,
    IReadOnlyList<string>? Tags = null,
    object? Data = null,
    string? NewStatus = null,
    Guid? NewCurrentPrompt = null,
    bool Restricted = false);
