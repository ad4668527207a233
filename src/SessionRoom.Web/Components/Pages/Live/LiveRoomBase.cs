using Microsoft.AspNetCore.Components;
using MudBlazor;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Web.Realtime;

namespace SessionRoom.Web.Components.Pages.Live;

/// <summary>
/// What every live page (facilitator console, observer room) shares: it joins the session as a
/// member, keeps the events that member may see in seq order (in-process subscription plus catch-up
/// on any gap, so nothing is missed or shown twice), tracks who is online, and sends writes through
/// <see cref="LiveService"/>, whose rules decide. Pages add their own views of <see cref="Events"/>.
/// </summary>
public abstract class LiveRoomBase : ComponentBase, IAsyncDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private readonly string _connectionId = "circuit:" + Guid.NewGuid().ToString("N");
    private readonly List<SessionEvent> _events = [];
    private readonly Dictionary<Guid, OnlineMember> _online = [];
    private IDisposable? _subscription;
    private bool _replaying;
    private bool _revealHidden;

    [Inject] protected LiveService Live { get; set; } = default!;

    [Inject] protected SessionBroadcaster Broadcaster { get; set; } = default!;

    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    [Inject] protected TimeProvider Clock { get; set; } = default!;

    /// <summary>Who this page acts as; null until joined.</summary>
    protected Caller? Me { get; private set; }

    protected Session? Session { get; private set; }

    /// <summary>Every event this member may see, ascending by seq, without gaps in what the server holds.</summary>
    protected IReadOnlyList<SessionEvent> Events => _events;

    protected long LastSeq { get; private set; }

    protected IReadOnlyCollection<OnlineMember> Online => _online.Values;

    /// <summary>Server time the session started (from its session-started event), for the session clock.</summary>
    protected DateTimeOffset? StartedUtc { get; private set; }

    /// <summary>Set when the member was cut off (invite revoked) or the session vanished.</summary>
    protected string? Closed { get; set; }

    protected Prompt? CurrentPrompt =>
        Session?.CurrentPromptId is { } id ? Session.Prompts.FirstOrDefault(p => p.Id == id) : null;

    /// <summary>Milliseconds on the session clock now (0 before the start, frozen at the end).</summary>
    protected long ClockMs()
    {
        if (StartedUtc is not { } started)
        {
            return 0;
        }
        var end = Session?.Status == SessionStatuses.Ended && _events.LastOrDefault(e => e.Type == EventTypes.SessionEnded) is { } ended
            ? ended.CreatedUtc
            : Clock.GetUtcNow();
        return Math.Max(0, (long)(end - started).TotalMilliseconds);
    }

    /// <summary>Joins as <paramref name="caller"/>: subscribe first, then catch up, so no event falls between.</summary>
    protected async Task JoinAsync(Caller caller)
    {
        Me = caller;
        _subscription = Broadcaster.Subscribe(caller, e => InvokeAsync(() => Receive(e)));
        var state = Live.GetState(caller);
        Session = state.Session;
        foreach (var m in state.Members ?? [])
        {
            _online[m.MemberId] = m;
        }
        // History's member-joined/left events say who was online then; who is online now came with the state.
        _replaying = true;
        CatchUp();
        _replaying = false;
        await Live.ConnectedAsync(caller, _connectionId, () => _ = InvokeAsync(() =>
        {
            Closed = "Your access to this session was revoked by the facilitator.";
            _subscription?.Dispose();
            StateHasChanged();
        }));
    }

    /// <summary>Sends a write; a refusal is shown as a message. Returns the ack, or null when refused.</summary>
    protected async Task<Ack?> SendAsync(LiveCommand command)
    {
        if (Me is null || Closed is not null)
        {
            return null;
        }
        try
        {
            return await Live.WriteAsync(Me, command);
        }
        catch (LiveRuleException e)
        {
            Snackbar.Add(e.Message, Severity.Warning);
            return null;
        }
    }

    /// <summary>Called for each new event, after the shared state (status, current prompt, presence) is updated.</summary>
    protected virtual void OnEvent(SessionEvent e)
    {
    }

    private void Receive(SessionEvent e)
    {
        if (e.Seq <= LastSeq || Closed is not null)
        {
            return;
        }
        // Facilitators and observers see every event, so any skipped seq is one we missed.
        if (e.Seq > LastSeq + 1)
        {
            CatchUp();
        }
        if (e.Seq > LastSeq)
        {
            Apply(e);
        }
        if (_revealHidden)
        {
            RevealHidden();
        }
        StateHasChanged();
    }

    /// <summary>Blind mode is over: add the other observers' notes this member could not see until now, in seq order.</summary>
    private void RevealHidden()
    {
        _revealHidden = false;
        var known = _events.Select(e => e.Seq).ToHashSet();
        var hidden = Live.EventsSince(Me!, 0).Where(e => !known.Contains(e.Seq)).ToList();
        _events.AddRange(hidden);
        _events.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        foreach (var e in hidden)
        {
            OnEvent(e);
        }
    }

    private void CatchUp()
    {
        foreach (var e in Live.EventsSince(Me!, LastSeq))
        {
            Apply(e);
        }
    }

    private void Apply(SessionEvent e)
    {
        _events.Add(e);
        LastSeq = e.Seq;
        switch (e.Type)
        {
            case EventTypes.SessionStarted:
                StartedUtc = e.CreatedUtc;
                Session = Session! with { Status = SessionStatuses.Live };
                break;
            case EventTypes.SessionEnded:
                Session = Session! with { Status = SessionStatuses.Ended };
                _revealHidden = Session.Blind && Me?.Role == Roles.Observer && !_replaying;
                break;
            case EventTypes.PromptShown:
                Session = Session! with { CurrentPromptId = e.PromptId, Prompts = WithShownPrompt(Session.Prompts, e) };
                break;
            case EventTypes.MemberJoined when e.ActorId is { } id && !_replaying:
                _online[id] = new OnlineMember(id, DataText(e, "role"), e.ActorCode ?? DataText(e, "code"), DataText(e, "displayName"));
                break;
            case EventTypes.MemberLeft when e.ActorId is { } id && !_replaying:
                _online.Remove(id);
                break;
        }
        OnEvent(e);
    }

    /// <summary>The guide with the shown prompt in it: a prompt added after this page loaded arrives in the event.</summary>
    private static IReadOnlyList<Prompt> WithShownPrompt(IReadOnlyList<Prompt> prompts, SessionEvent e)
    {
        if (prompts.Any(p => p.Id == e.PromptId) || !e.Data.TryGetProperty("prompt", out var json))
        {
            return prompts;
        }
        var shown = System.Text.Json.JsonSerializer.Deserialize<Prompt>(json, WebJson);
        return shown is null ? prompts : [.. prompts, shown];
    }

    /// <summary>A text field of an event's data ("" when absent), e.g. the role of a member-joined event.</summary>
    protected static string DataText(SessionEvent e, string name) =>
        e.Data.ValueKind == System.Text.Json.JsonValueKind.Object && e.Data.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String
            ? v.GetString() ?? ""
            : "";

    /// <summary>Releases what a page holds besides its membership (timers); called once, on dispose.</summary>
    protected virtual void OnClosing()
    {
    }

    public async ValueTask DisposeAsync()
    {
        OnClosing();
        _subscription?.Dispose();
        if (Me is not null && Closed is null)
        {
            await Live.DisconnectedAsync(Me, _connectionId);
        }
        GC.SuppressFinalize(this);
    }
}
