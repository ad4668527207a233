using System.Text.Json;
using System.Text.Json.Serialization;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Live;

/// <summary>The member behind a hub connection or a Blazor circuit, as proven by its access token.</summary>
public sealed record Caller(Guid MemberId, Guid SessionId, string Role, string Code, string DisplayName);

/// <summary>An answer's values (API.md <c>AnswerInput</c>); which apply depends on the prompt's kind.</summary>
public sealed record AnswerInput(string? Text = null, int[]? Choices = null, int? Rating = null, int[]? Items = null);

/// <summary>The reply to a write: the event's <c>seq</c>, and whether it had been stored before.</summary>
public sealed record Ack(long Seq, bool Duplicate);

/// <summary>One stored event, as clients receive it (API.md <c>SessionEvent</c>).</summary>
public sealed record SessionEvent(
    long Seq,
    Guid Id,
    Guid ClientEventId,
    string Type,
    string Audience,
    Guid? ActorId,
    string? ActorCode,
    Guid? PromptId,
    Guid? ParticipantId,
    long AtMs,
    DateTimeOffset CreatedUtc,
    string? Text,
    IReadOnlyList<string> Tags,
    JsonElement Data)
{
    [JsonIgnore]
    public Guid SessionId { get; init; }

    /// <summary>Made in blind mode: other observers may not see it until the session has ended (<see cref="Audiences.CanSee(Caller, SessionEvent, bool)"/>).</summary>
    [JsonIgnore]
    public bool Restricted { get; init; }
}

/// <summary>A member who is online, as <c>GetState</c> lists them.</summary>
public sealed record OnlineMember(Guid MemberId, string Role, string Code, string DisplayName);

/// <summary>What <c>GetState</c> returns: the session, who is online (not for participants) and the last seq the caller may see.</summary>
public sealed record LiveState(Session Session, IReadOnlyList<OnlineMember>? Members, long LastSeq);

/// <summary>A refused live call. Its message is shown to the person who made it.</summary>
public sealed class LiveRuleException(string message) : Exception(message);

/// <summary>Limits of live calls (API.md defaults), bound from <c>SessionRoom:Live</c>.</summary>
public sealed class LiveOptions
{
    public int MaxTextLength { get; set; } = 4_000;
    public int MaxTagsPerNote { get; set; } = 10;
    public int CallsPerSecond { get; set; } = 20;

    /// <summary>
    /// Events queued for one hub connection that is not reading them before it is closed (its
    /// client reconnects and catches up): bounds the server's memory per stuck client. High enough
    /// for a burst (a wave of 500 reactions queues 500 events for every participant at once); the
    /// queue holds references to events shared by every connection, so a full one is ~32 KB.
    /// </summary>
    public int SendQueueLimit { get; set; } = 4096;
}
