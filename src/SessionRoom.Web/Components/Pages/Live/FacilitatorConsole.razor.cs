using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using SessionRoom.Core.Live;
using SessionRoom.Core.Metrics;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Components.Shared;

namespace SessionRoom.Web.Components.Pages.Live;

/// <summary>
/// The facilitator's console for one live session: the guide with the current prompt, start/end,
/// session and prompt timers, live results of the current prompt, presence, usability tasks, and
/// the backroom feed. All writes go through <see cref="LiveRoomBase.SendAsync"/>; the rules decide.
/// </summary>
public sealed partial class FacilitatorConsole : LiveRoomBase
{
    private readonly Dictionary<string, string> _tagColors = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Guid, string> _participantCodes = [];
    private Timer? _ticker;
    private int _seenBackroom;
    private int _membersVersion;
    private bool _loading = true;
    private bool _notFound;
    private string? _note;

    [Parameter] public Guid SessionId { get; set; }

    [Inject] private StudyStore Studies { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private bool IsDraft => Session?.Status == SessionStatuses.Draft;

    private bool IsLive => Session?.Status == SessionStatuses.Live;

    private bool IsEnded => Session?.Status == SessionStatuses.Ended;

    private IReadOnlyList<Prompt> Guide => Session?.Prompts ?? [];

    private int CurrentIndex => CurrentPrompt is { } p ? Guide.ToList().FindIndex(x => x.Id == p.Id) : -1;

    private IEnumerable<SessionEvent> Backroom =>
        Events.Where(e => e.Type is EventTypes.Note or EventTypes.BackroomMessage).Reverse();

    private int Unread => Math.Max(0, Events.Count(e => IsBackroomChatter(e)) - _seenBackroom);

    /// <summary>Participants known to this session: online now, or seen in the log.</summary>
    private IReadOnlyList<(Guid Id, string Code, bool Online)> Participants =>
        _participantCodes
            .Select(p => (p.Key, p.Value, Online.Any(m => m.MemberId == p.Key)))
            .OrderBy(p => p.Value.Length).ThenBy(p => p.Value, StringComparer.Ordinal)
            .ToList();

    protected override async Task OnInitializedAsync()
    {
        try
        {
            var me = Live.FacilitatorOf(SessionId);
            await JoinAsync(me);
            foreach (var tag in Studies.GetCodebook(Session!.StudyId))
            {
                _tagColors[tag.Name] = tag.Color;
            }
            _seenBackroom = Events.Count(IsBackroomChatter);
            _ticker = new Timer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
        catch (NotFoundException)
        {
            _notFound = true;
        }
        _loading = false;
    }

    protected override void OnEvent(SessionEvent e)
    {
        if (e.ParticipantId is { } pid && e.Type is EventTypes.Answer or EventTypes.Reaction)
        {
            _participantCodes.TryAdd(pid, e.ActorCode ?? "P?");
        }
        if (e.Type == EventTypes.MemberJoined && e.ActorId is { } id)
        {
            _membersVersion++;
            if (DataText(e, "role") == Roles.Participant)
            {
                _participantCodes[id] = e.ActorCode ?? DataText(e, "code");
            }
        }
    }

    private static bool IsBackroomChatter(SessionEvent e) => e.Type is EventTypes.Note or EventTypes.BackroomMessage;

    private string Code(Guid? memberId) =>
        memberId is { } id && _participantCodes.TryGetValue(id, out var code) ? code : "P?";

    // ---- current prompt: answers and results ----

    private IReadOnlyList<SessionEvent> LatestAnswers(Prompt prompt) => PromptResults.LatestAnswers(Events, prompt.Id);

    /// <summary>Milliseconds since the current prompt was shown.</summary>
    private long PromptMs() =>
        Events.LastOrDefault(e => e.Type == EventTypes.PromptShown) is { } shown ? Math.Max(0, ClockMs() - shown.AtMs) : 0;

    // ---- tasks ----

    /// <summary>The participant's running attempt at the task, replayed from the events by Core's rule.</summary>
    private TaskTimer? RunningTask(Prompt prompt, Guid participantId) =>
        TaskTimer.Replay(Events
            .Where(e => e.PromptId == prompt.Id && e.ParticipantId == participantId && EventTypes.TaskTimeline.Contains(e.Type))
            .Select(e => (e.Type, e.AtMs)));

    private string? TaskOutcome(Prompt prompt, Guid participantId) =>
        Events.LastOrDefault(e => e.PromptId == prompt.Id && e.ParticipantId == participantId && e.Type == EventTypes.TaskEnded) is { } ended
            ? DataText(ended, "outcome")
            : null;

    private Task StartTask(Prompt prompt, Guid participantId) => SendAsync(new StartTask(Guid.NewGuid(), prompt.Id, participantId));

    private Task EndTask(Prompt prompt, Guid participantId, string outcome) => SendAsync(new EndTask(Guid.NewGuid(), prompt.Id, participantId, outcome));

    private Task PauseOrResumeTask(Prompt prompt, Guid participantId, bool paused) =>
        SendAsync(paused ? new ResumeTask(Guid.NewGuid(), prompt.Id, participantId) : new PauseTask(Guid.NewGuid(), prompt.Id, participantId));

    // ---- commands ----

    private async Task StartSession()
    {
        var ok = await Dialogs.ShowMessageBoxAsync("Start the session?",
            "The session clock starts now and participants can answer. Everyone in the room sees that the session has started.",
            yesText: "Start session", cancelText: "Not yet");
        if (ok == true && await SendAsync(new StartSession(Guid.NewGuid())) is not null && Guide.Count > 0 && CurrentPrompt is null)
        {
            await Show(Guide[0]);
        }
    }

    private async Task EndSession()
    {
        var ok = await Dialogs.ShowMessageBoxAsync("End the session?",
            "Participants and observers can no longer answer or take notes. This cannot be undone.",
            yesText: "End session", cancelText: "Keep going");
        if (ok == true)
        {
            await SendAsync(new EndSession(Guid.NewGuid()));
        }
    }

    private Task Show(Prompt prompt) => SendAsync(new ShowPrompt(Guid.NewGuid(), prompt.Id));

    private Task Next() => CurrentIndex + 1 < Guide.Count && IsLive ? Show(Guide[CurrentIndex + 1]) : Task.CompletedTask;

    private Task Previous() => CurrentIndex > 0 && IsLive ? Show(Guide[CurrentIndex - 1]) : Task.CompletedTask;

    private async Task SendNote(bool toBackroom)
    {
        if (string.IsNullOrWhiteSpace(_note))
        {
            return;
        }
        LiveCommand command = toBackroom ? new MessageBackroom(Guid.NewGuid(), _note) : new AddNote(Guid.NewGuid(), _note, [], null);
        if (await SendAsync(command) is not null)
        {
            _note = null;
        }
    }

    /// <summary>The facilitator has looked at the backroom feed (clicked it or its badge).</summary>
    private void MarkFeedRead()
    {
        _seenBackroom = Events.Count(IsBackroomChatter);
    }

    /// <summary>Keyboard: N or → next prompt, P or ← previous (not while typing in a field).</summary>
    private async Task OnKeyDown(KeyboardEventArgs e)
    {
        switch (e.Key)
        {
            case "n" or "N" or "ArrowRight":
                await Next();
                break;
            case "p" or "P" or "ArrowLeft":
                await Previous();
                break;
        }
    }

    private static string ClockText(long ms) => SessionClock.Format(ms);

    protected override void OnClosing() => _ticker?.Dispose();
}
