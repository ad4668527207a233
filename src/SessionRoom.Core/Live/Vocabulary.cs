using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Live;

/// <summary>The event types of API.md.</summary>
public static class EventTypes
{
    public const string SessionStarted = "session-started";
    public const string SessionEnded = "session-ended";
    public const string PromptShown = "prompt-shown";
    public const string MemberJoined = "member-joined";
    public const string MemberLeft = "member-left";
    public const string Answer = "answer";
    public const string Reaction = "reaction";
    public const string Note = "note";
    public const string BackroomMessage = "backroom-message";
    public const string TaskStarted = "task-started";
    public const string TaskEnded = "task-ended";
    public const string TaskPaused = "task-paused";
    public const string TaskResumed = "task-resumed";

    /// <summary>Every event type, in the order a timeline filter lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Note, BackroomMessage, Answer, Reaction, PromptShown, TaskStarted, TaskPaused, TaskResumed, TaskEnded,
        SessionStarted, SessionEnded, MemberJoined, MemberLeft,
    ];

    /// <summary>The events that make up one participant's attempt at a task, replayed by <see cref="TaskTimer"/>.</summary>
    public static readonly IReadOnlyList<string> TaskTimeline = [TaskStarted, TaskPaused, TaskResumed, TaskEnded];
}

/// <summary>
/// Who may see an event. Decided once, when the event is made, and checked by this one function
/// on every path that hands events out (hub push, catch-up, state, in-process subscribers).
/// </summary>
public static class Audiences
{
    public const string Room = "room";
    public const string Backroom = "backroom";

    /// <summary>Participants see the room only; facilitators and observers see both.</summary>
    public static bool CanSee(string role, string audience) =>
        audience == Room || (audience == Backroom && role is Roles.Facilitator or Roles.Observer);

    /// <summary>
    /// Whether <paramref name="viewer"/> may see <paramref name="e"/>: its audience, and in blind mode
    /// an observer sees other members' notes and reactions only once the session has ended.
    /// The one rule every path applies: hub push, catch-up, state, in-process subscribers.
    /// </summary>
    public static bool CanSee(Caller viewer, SessionEvent e, bool sessionEnded) =>
        CanSee(viewer.Role, e.Audience)
        && !(e.Restricted && viewer.Role == Roles.Observer && e.ActorId != viewer.MemberId && !sessionEnded);

    /// <summary>Whether a member of this role may see backroom events at all.</summary>
    public static bool SeesBackroom(string role) => CanSee(role, Backroom);
}

/// <summary>Outcomes of a usability task.</summary>
public static class TaskOutcomes
{
    public static readonly IReadOnlyList<string> All = ["success", "partial", "fail", "gave-up"];
}
