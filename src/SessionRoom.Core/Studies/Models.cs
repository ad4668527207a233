using System.Text.Json.Serialization;

namespace SessionRoom.Core.Studies;

/// <summary>A research study: the umbrella over a set of sessions sharing one codebook.</summary>
public sealed record Study(Guid Id, string Name, string? Goal, DateTimeOffset CreatedUtc, string? ConsentText = null);

/// <summary>A study with the number of its sessions, as listed by <c>GET /api/studies</c>.</summary>
public sealed record StudySummary(Guid Id, string Name, string? Goal, int SessionCount);

/// <summary>One code of a study's codebook. Hotkey 1-9 lets observers tag a note with one key.</summary>
public sealed record CodebookTag(string Name, string Color, int? Hotkey);

/// <summary>A session as the API returns it (API.md <c>Session</c>).</summary>
public sealed record Session(
    Guid Id,
    Guid StudyId,
    string Title,
    string Mode,
    string Status,
    IReadOnlyList<string> Tags,
    IReadOnlyList<Prompt> Prompts,
    Guid? CurrentPromptId,
    bool Blind = false);

/// <summary>A session in a study's list.</summary>
public sealed record SessionSummary(Guid Id, Guid StudyId, string Title, string Mode, string Status, int PromptCount, DateTimeOffset CreatedUtc);

/// <summary>One item of a discussion guide. Kind-specific fields are absent from JSON when they do not apply.</summary>
public sealed record Prompt(
    Guid Id,
    int Position,
    string Kind,
    string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Options = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Multiple = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ScaleMax = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SuccessCriteria = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? ShowCriteria = null)
{
    /// <summary>
    /// The prompt as the room may see it: a task's success criteria only when the facilitator chose to
    /// show them to participants (otherwise they could steer what participants do).
    /// </summary>
    public Prompt ForRoom() => ShowCriteria == true ? this : this with { SuccessCriteria = null };
}

/// <summary>Someone admitted to one session (API.md <c>Member</c>), without the access token.</summary>
public sealed record MemberInfo(Guid MemberId, Guid SessionId, string Role, string DisplayName, string Code, DateTimeOffset CreatedUtc);

/// <summary>A member plus a freshly issued access token; the token is never stored or shown again.</summary>
public sealed record Member(string AccessToken, Guid MemberId, Guid SessionId, string Role, string DisplayName, string Code);

/// <summary>An invite link as the facilitator's list shows it: the token itself is only shown once, at creation.</summary>
public sealed record InviteInfo(
    Guid Id,
    Guid SessionId,
    string Role,
    string? Name,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? RevokedUtc,
    string? MemberCode,
    string? MemberDisplayName,
    Guid? MemberId = null,
    DateTimeOffset? WithdrawnUtc = null)
{
    public bool IsRevoked => RevokedUtc is not null;

    /// <summary>The member's data was deleted at their request (a consent withdrawal).</summary>
    public bool IsWithdrawn => WithdrawnUtc is not null;
}

/// <summary>The record of a consent withdrawal: whose data (by pseudonym only), how many events were deleted, when.</summary>
public sealed record Withdrawal(Guid Id, Guid SessionId, string MemberCode, int EventsDeleted, DateTimeOffset CreatedUtc);

/// <summary>What an invite link leads to, shown before the person agrees to join (no member is made).</summary>
public sealed record InvitePreview(string Role, string StudyName, string SessionTitle, string? ConsentText, string SessionStatus);

/// <summary>The answer to creating an invite (API.md): the token and the absolute link built from it.</summary>
public sealed record CreatedInvite(string Token, string Url, string Role);
