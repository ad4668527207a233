namespace SessionRoom.Core.Studies;

/// <summary>The fixed words of the public contract (API.md): prompt kinds, session modes, statuses and roles.</summary>
public static class PromptKinds
{
    public const string Question = "question";
    public const string Poll = "poll";
    public const string Rating = "rating";
    public const string Task = "task";
    public const string Stimulus = "stimulus";
    public const string Seq = "seq";
    public const string Sus = "sus";

    public static readonly IReadOnlyList<string> All = [Question, Poll, Rating, Task, Stimulus, Seq, Sus];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);

    public static string Label(string kind) => kind switch
    {
        Question => "Open question",
        Poll => "Poll",
        Rating => "Rating",
        Task => "Usability task",
        Stimulus => "Stimulus",
        Seq => "SEQ (single ease question)",
        Sus => "SUS questionnaire",
        _ => kind,
    };
}

public static class SessionModes
{
    public const string FocusGroup = "focus-group";
    public const string Usability = "usability";

    public static readonly IReadOnlyList<string> All = [FocusGroup, Usability];

    public static string Label(string mode) => mode == Usability ? "Usability test" : "Focus group";
}

public static class SessionStatuses
{
    public const string Draft = "draft";
    public const string Live = "live";
    public const string Ended = "ended";
}

public static class Roles
{
    public const string Facilitator = "facilitator";
    public const string Observer = "observer";
    public const string Participant = "participant";

    /// <summary>Roles an invite link may grant. Facilitators never join by invite.</summary>
    public static readonly IReadOnlyList<string> Invitable = [Observer, Participant];

    /// <summary>The letter of a member's pseudonym: P3, O1, F1.</summary>
    public static string CodePrefix(string role) => role switch
    {
        Facilitator => "F",
        Observer => "O",
        Participant => "P",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
