using System.Text.Json.Serialization;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Exports;

/// <summary>The session as exports describe it: what it is, in which study, and when it ran.</summary>
public sealed record ExportSessionInfo(
    Guid Id,
    Guid StudyId,
    string StudyName,
    string Title,
    string Mode,
    string Status,
    bool Blind,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? EndedUtc)
{
    /// <summary>The day the session ran (started), or was created when it has not started: the date in file names and reports.</summary>
    [JsonIgnore]
    public DateTimeOffset Date => StartedUtc ?? CreatedUtc;
}

/// <summary>A member as exports list them. <see cref="DisplayName"/> is null (and left out of JSON) unless names are included.</summary>
public sealed record ExportMember(
    Guid MemberId,
    string Role,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName);

/// <summary>A theme of the study's affinity board holding cards of the exported session: its name and those cards' seqs, in board order.</summary>
public sealed record ExportTheme(Guid Id, string Name, IReadOnlyList<long> Seqs);

/// <summary>
/// Everything an export needs besides the events: the session, its guide and every member who ever joined
/// (revoked ones too, since their events stay), with their names, and the themes holding its notes and answers.
/// Small, so it is read whole; the events are streamed.
/// </summary>
public sealed class ExportSource(ExportSessionInfo session, IReadOnlyList<Prompt> prompts, IReadOnlyList<ExportMember> members, IReadOnlyList<ExportTheme>? themes = null)
{
    private readonly Dictionary<Guid, ExportMember> _members = members.ToDictionary(m => m.MemberId);
    private readonly Dictionary<Guid, Prompt> _prompts = prompts.ToDictionary(p => p.Id);

    public ExportSessionInfo Session { get; } = session;

    public IReadOnlyList<Prompt> Prompts { get; } = prompts;

    /// <summary>The study's themes that hold cards of this session (board order), with those cards' seqs.</summary>
    public IReadOnlyList<ExportTheme> Themes { get; } = themes ?? [];

    /// <summary>Every member with their display name; exports show names only when asked to (<see cref="Members(bool)"/>).</summary>
    public IReadOnlyList<ExportMember> AllMembers { get; } = members;

    /// <summary>The members as exported: without display names unless <paramref name="includeNames"/>.</summary>
    public IReadOnlyList<ExportMember> Members(bool includeNames) =>
        includeNames ? AllMembers : AllMembers.Select(m => m with { DisplayName = null }).ToList();

    public ExportMember? Member(Guid? id) => id is { } key ? _members.GetValueOrDefault(key) : null;

    public Prompt? Prompt(Guid? id) => id is { } key ? _prompts.GetValueOrDefault(key) : null;
}

/// <summary>The JSON export (API.md "Exports"): <c>{session, prompts, members, events, metrics}</c>.</summary>
public sealed record SessionExport(
    ExportSessionInfo Session,
    IReadOnlyList<Prompt> Prompts,
    IReadOnlyList<ExportMember> Members,
    IReadOnlyList<SessionEvent> Events,
    ExportMetrics Metrics)
{
    /// <summary>The affinity-board themes holding this session's notes and answers; left out of JSON when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ExportTheme>? Themes { get; init; }

    /// <summary>
    /// The export of a session: every event of every audience in seq order, members and events without names
    /// unless <paramref name="includeNames"/>, and the usability metrics (partial counts as a success only when configured).
    /// </summary>
    public static SessionExport Create(ExportSource source, IEnumerable<SessionEvent> events, bool includeNames, bool partialCountsAsSuccess = false)
    {
        var list = events.OrderBy(e => e.Seq).Select(e => includeNames ? e : ExportNames.WithoutNames(e)).ToList();
        return new SessionExport(source.Session, source.Prompts, source.Members(includeNames), list, ExportMetrics.From(source.Prompts, list, partialCountsAsSuccess))
        {
            Themes = source.Themes.Count > 0 ? source.Themes : null,
        };
    }

    /// <summary>How a member is named here: by code, with the name in brackets when this export includes names.</summary>
    public string Label(Guid? memberId, string? fallbackCode = null)
    {
        var member = memberId is { } id ? Members.FirstOrDefault(m => m.MemberId == id) : null;
        return member is null ? fallbackCode ?? "" : ExportNames.Label(member.Code, member.DisplayName);
    }
}
