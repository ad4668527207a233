namespace SessionRoom.Core.Studies;

// Request shapes of the public API. Every field is nullable so that a missing field
// reaches validation and earns a message naming it, instead of a binding failure.

public sealed record StudyInput(string? Name, string? Goal = null, string? ConsentText = null);

public sealed record CodebookTagInput(string? Name, string? Color, int? Hotkey);

public sealed record SessionInput(
    string? Title,
    string? Mode,
    IReadOnlyList<string?>? Tags = null,
    IReadOnlyList<PromptInput?>? Prompts = null,
    bool? Blind = null);

/// <summary>Editable session fields (the guide is edited prompt by prompt).</summary>
public sealed record SessionDetailsInput(string? Title, string? Mode, IReadOnlyList<string?>? Tags, bool? Blind = null);

public sealed record PromptInput(
    string? Kind,
    string? Text,
    IReadOnlyList<string?>? Options = null,
    bool? Multiple = null,
    int? ScaleMax = null,
    string? SuccessCriteria = null,
    string? Url = null,
    bool? ShowCriteria = null);

public sealed record InviteInput(string? Role, string? Name = null);

public sealed record JoinInput(string? Token, string? DisplayName = null);
