using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Components.Shared;

namespace SessionRoom.Web.Components.Pages.Live;

/// <summary>
/// The observer room: what participants see now (prompt, answers, reactions), who is online, and the
/// backroom, where observers take timestamped, tagged notes, mark moments and pass questions to the
/// facilitator. The credential is the observer's member access token, which the invite page keeps in
/// localStorage (<c>sessionroom.observer.{sessionId}</c>); facilitator tokens work too. Every write
/// goes through <see cref="LiveRoomBase.SendAsync"/>, so the live rules decide.
/// </summary>
public sealed partial class ObserverRoom : LiveRoomBase
{
    /// <summary>The text of a note made by "Mark moment".</summary>
    public const string MomentText = "⚑ Moment";

    private const int FeedPage = 100;

    private readonly Dictionary<string, string> _tagColors = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, string> _hotkeys = [];
    private readonly List<TagView> _tags = [];
    private readonly HashSet<string> _selected = new(StringComparer.Ordinal);
    private readonly HashSet<string> _filter = new(StringComparer.Ordinal);
    private readonly List<SessionEvent> _feed = [];
    private readonly Dictionary<Guid, List<SessionEvent>> _answers = [];
    private readonly List<SessionEvent> _reactions = [];
    private readonly Dictionary<Guid, string> _participants = [];

    private ElementReference _room;
    private MudTextField<string>? _noteField;
    private RoomState _state = RoomState.Loading;
    private string? _error;
    private string? _text;
    private Guid? _about;
    private bool _typing;
    private bool _sending;
    private bool _focusRoom;
    private string? _status;
    private long _promptShownSeq;
    private Prompt? _shownPrompt;
    private int _feedLimit = FeedPage;
    private string? _clearedText;
    private long _clearedAt;

    private enum RoomState
    {
        Loading,
        NoAccess,
        Failed,
        Ready,
    }

    /// <summary>A session tag with its codebook colour and hotkey (when the codebook has one).</summary>
    private sealed record TagView(string Name, string Color, int? Hotkey);

    [Parameter] public Guid SessionId { get; set; }

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Inject] private StudyStore Studies { get; set; } = default!;

    private bool IsDraft => Session?.Status == SessionStatuses.Draft;

    private bool IsLive => Session?.Status == SessionStatuses.Live;

    private bool IsEnded => Session?.Status == SessionStatuses.Ended;

    private bool CanWrite => IsLive && Closed is null && !_sending;

    // ---- joining ----

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            await EnterAsync();
        }
        else if (_focusRoom && _state == RoomState.Ready)
        {
            _focusRoom = false;
            try
            {
                await _room.FocusAsync();
            }
            catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException)
            {
                // Closed or disconnected meanwhile: nothing to focus.
            }
        }
    }

    private async Task EnterAsync()
    {
        string? token;
        try
        {
            token = await JS.InvokeAsync<string?>("sessionRoom.observerToken", SessionId.ToString());
        }
        catch (JSDisconnectedException)
        {
            return;
        }
        catch (JSException)
        {
            token = null;
        }

        var caller = string.IsNullOrWhiteSpace(token) ? null : Live.FindCaller(token.Trim());
        if (caller is null || caller.SessionId != SessionId || caller.Role is not (Roles.Observer or Roles.Facilitator))
        {
            _state = RoomState.NoAccess;
            StateHasChanged();
            return;
        }

        try
        {
            await JoinAsync(caller);
            LoadTags();
            foreach (var m in Online.Where(m => m.Role == Roles.Participant))
            {
                _participants[m.MemberId] = m.Code;
            }
            _state = RoomState.Ready;
            _focusRoom = true;
        }
        catch (LiveRuleException e)
        {
            _error = e.Message;
            _state = RoomState.Failed;
        }
        StateHasChanged();
    }

    /// <summary>The session's tags, coloured and keyed from the study codebook; hotkeys only for tags in this session.</summary>
    private void LoadTags()
    {
        var codebook = Studies.GetCodebook(Session!.StudyId).ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var name in Session.Tags)
        {
            var entry = codebook.GetValueOrDefault(name);
            var tag = new TagView(name, entry?.Color ?? "#757575", entry?.Hotkey);
            _tags.Add(tag);
            _tagColors[name] = tag.Color;
            if (tag.Hotkey is { } key)
            {
                _hotkeys.TryAdd(key, name);
            }
        }
    }

    protected override void OnEvent(SessionEvent e)
    {
        switch (e.Type)
        {
            case EventTypes.Note or EventTypes.BackroomMessage:
                _feed.Add(e);
                break;
            case EventTypes.Answer when e.PromptId is { } promptId:
                if (!_answers.TryGetValue(promptId, out var list))
                {
                    _answers[promptId] = list = [];
                }
                list.Add(e);
                RememberParticipant(e.ParticipantId ?? e.ActorId, e.ActorCode);
                break;
            case EventTypes.Reaction when e.ParticipantId is not null:
                _reactions.Add(e);
                RememberParticipant(e.ParticipantId, e.ActorCode);
                break;
            case EventTypes.PromptShown:
                _promptShownSeq = e.Seq;
                _shownPrompt = PromptOf(e);
                break;
            case EventTypes.MemberJoined when DataText(e, "role") == Roles.Participant:
                RememberParticipant(e.ActorId, e.ActorCode ?? DataText(e, "code"));
                break;
        }
    }

    private void RememberParticipant(Guid? id, string? code)
    {
        if (id is { } memberId && !string.IsNullOrEmpty(code))
        {
            _participants[memberId] = code;
        }
    }

    /// <summary>The prompt a prompt-shown event carries (API.md: <c>{prompt}</c>, the whole prompt).</summary>
    private static Prompt? PromptOf(SessionEvent e)
    {
        try
        {
            return e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Deserialize<Prompt>(JsonSerializerOptions.Web)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // ---- views ----

    /// <summary>
    /// The prompt on participants' screens: from the guide loaded on joining, or, for a prompt added to
    /// the guide after that, as the prompt-shown event carried it.
    /// </summary>
    private Prompt? Showing =>
        CurrentPrompt ?? (_shownPrompt is { } p && p.Id == Session?.CurrentPromptId ? p : null);

    private IEnumerable<OnlineMember> OnlineSorted =>
        Online.OrderBy(m => m.Role switch { Roles.Facilitator => 0, Roles.Observer => 1, _ => 2 })
            .ThenBy(m => m.Code.Length).ThenBy(m => m.Code, StringComparer.Ordinal);

    private IReadOnlyList<(Guid Id, string Code)> Participants =>
        _participants.Select(p => (p.Key, p.Value)).OrderBy(p => p.Value.Length).ThenBy(p => p.Value, StringComparer.Ordinal).ToList();

    private string? CodeOf(Guid? memberId) =>
        memberId is { } id ? _participants.GetValueOrDefault(id) ?? Online.FirstOrDefault(m => m.MemberId == id)?.Code : null;

    private bool IsMine(SessionEvent e) => Me is not null && e.ActorId == Me.MemberId;

    private IReadOnlyList<SessionEvent> CurrentAnswers =>
        Showing is { } p && _answers.TryGetValue(p.Id, out var list) ? list : [];

    /// <summary>Each participant's latest answer to the current prompt, for tallies.</summary>
    private IReadOnlyList<SessionEvent> LatestAnswers =>
        CurrentAnswers.GroupBy(e => e.ParticipantId ?? e.ActorId).Select(g => g.Last()).ToList();

    private IReadOnlyList<SessionEvent> CurrentReactions => _reactions.Where(r => r.Seq > _promptShownSeq).ToList();

    private IEnumerable<SessionEvent> FilteredFeed =>
        Enumerable.Range(0, _feed.Count).Select(i => _feed[_feed.Count - 1 - i])
            .Where(e => _filter.Count == 0 || e.Tags.Any(_filter.Contains));

    private int NoteCount => _feed.Count(e => e.Type == EventTypes.Note);

    private int MessageCount => _feed.Count - NoteCount;

    private IReadOnlyList<(string Label, int Count)> Distribution(Prompt prompt) => PromptResults.Distribution(prompt, LatestAnswers);

    private double? MeanRating => PromptResults.MeanRating(LatestAnswers);

    private double? MeanSus => PromptResults.MeanSus(LatestAnswers);

    private static bool IsImage(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && System.Text.RegularExpressions.Regex.IsMatch(uri.AbsolutePath, @"\.(png|jpe?g|gif|webp|svg)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    private static bool IsWebLink(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>A readable text colour on a tag colour: dark on light colours, white on dark ones.</summary>
    private static string TextOn(string hex)
    {
        if (hex.Length != 7 || hex[0] != '#' || !int.TryParse(hex.AsSpan(1), System.Globalization.NumberStyles.HexNumber, null, out var rgb))
        {
            return "#fff";
        }
        static double Channel(int c)
        {
            var s = c / 255.0;
            return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }
        var l = (0.2126 * Channel((rgb >> 16) & 0xFF)) + (0.7152 * Channel((rgb >> 8) & 0xFF)) + (0.0722 * Channel(rgb & 0xFF));
        return l > 0.4 ? "rgba(0,0,0,.87)" : "#fff";
    }

    private static string TagStyle(TagView tag, bool on) => on
        ? $"background: {tag.Color}; border-color: {tag.Color}; color: {TextOn(tag.Color)}"
        : $"border-color: {tag.Color}";

    // ---- composer ----

    private IReadOnlyList<string> SelectedTags() => _tags.Where(t => _selected.Contains(t.Name)).Select(t => t.Name).ToList();

    private void ToggleTag(string name)
    {
        if (!_selected.Remove(name))
        {
            _selected.Add(name);
        }
        _status = null;
    }

    private void ToggleFilter(string name)
    {
        if (!_filter.Remove(name))
        {
            _filter.Add(name);
        }
        _feedLimit = FeedPage;
    }

    private async Task OnTextChanged(string? value)
    {
        // Enter inserts its newline in the browser before the circuit clears the field; when that
        // echo of a just-saved note comes back after the clear, clear again instead of restoring it.
        if (_clearedText is { } cleared && Clock.GetElapsedTime(_clearedAt) < TimeSpan.FromSeconds(3)
            && Flat(value) == Flat(cleared) && Flat(value).Length > 0)
        {
            _clearedText = null;
            _text = null;
            if (_noteField is not null)
            {
                await _noteField.ClearAsync();
            }
            return;
        }
        _clearedText = null;
        _text = value;
        if (!string.IsNullOrEmpty(value))
        {
            _status = null;
        }
    }

    private static string Flat(string? text) => (text ?? "").Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();

    private async Task NoteKeyDown(KeyboardEventArgs e)
    {
        if (e.Key == "Enter" && !e.ShiftKey && !e.IsComposing)
        {
            await SendTextAsync(toFacilitator: false);
        }
        else if (e.Key == "Escape")
        {
            await _room.FocusAsync();
        }
    }

    /// <summary>Hotkeys anywhere in the room: 1-9 toggle tags (Alt+1-9 while typing), M marks a moment, N jumps to the note field.</summary>
    private async Task RoomKeyDown(KeyboardEventArgs e)
    {
        if (e.CtrlKey || e.MetaKey || _state != RoomState.Ready || Closed is not null)
        {
            return;
        }
        if (Digit(e) is { } digit)
        {
            if ((!_typing || e.AltKey) && !IsEnded && _hotkeys.TryGetValue(digit, out var tag))
            {
                ToggleTag(tag);
            }
            return;
        }
        if (_typing || e.AltKey || e.ShiftKey)
        {
            return;
        }
        switch (e.Key)
        {
            case "m" or "M":
                await MarkMomentAsync();
                break;
            case "n" or "N":
                if (_noteField is not null && IsLive)
                {
                    await _noteField.FocusAsync();
                }
                break;
        }
    }

    /// <summary>The digit 1-9 of a key press, by physical key (so Alt and keyboard layouts do not matter).</summary>
    private static int? Digit(KeyboardEventArgs e)
    {
        var code = e.Code ?? "";
        foreach (var prefix in new[] { "Digit", "Numpad" })
        {
            if (code.Length == prefix.Length + 1 && code.StartsWith(prefix, StringComparison.Ordinal) && code[^1] is >= '1' and <= '9')
            {
                return code[^1] - '0';
            }
        }
        return code.Length == 0 && e.Key is [>= '1' and <= '9'] ? e.Key[0] - '0' : null;
    }

    private Task SendNote() => SendTextAsync(toFacilitator: false);

    private Task AskFacilitator() => SendTextAsync(toFacilitator: true);

    private async Task SendTextAsync(bool toFacilitator)
    {
        var text = _text?.Trim();
        if (!CanWrite)
        {
            return;
        }
        if (string.IsNullOrEmpty(text))
        {
            _status = toFacilitator ? "Write your question for the facilitator first." : "Write a note first.";
            if (_noteField is not null)
            {
                await _noteField.FocusAsync();
            }
            return;
        }
        _sending = true;
        try
        {
            LiveCommand command = toFacilitator
                ? new MessageBackroom(Guid.NewGuid(), text)
                : new AddNote(Guid.NewGuid(), text, SelectedTags(), _about);
            var ack = await Write(command);
            if (ack is null)
            {
                return;
            }
            _clearedText = _text;
            _clearedAt = Clock.GetTimestamp();
            _text = null;
            if (_noteField is not null)
            {
                await _noteField.ClearAsync();
            }
            if (!toFacilitator)
            {
                _selected.Clear();
            }
            _status = toFacilitator ? "Sent to the facilitator." : $"Note saved at {SessionClock.Format(ClockMs())}.";
        }
        finally
        {
            _sending = false;
        }
    }

    private async Task MarkMomentAsync()
    {
        if (!CanWrite)
        {
            return;
        }
        _sending = true;
        try
        {
            if (await Write(new AddNote(Guid.NewGuid(), MomentText, SelectedTags(), _about)) is not null)
            {
                _selected.Clear();
                _status = $"Moment marked at {SessionClock.Format(ClockMs())}.";
            }
        }
        finally
        {
            _sending = false;
        }
    }

    /// <summary>A write through the base (refusals become snackbars there); anything unexpected keeps the note and says so.</summary>
    private async Task<Ack?> Write(LiveCommand command)
    {
        try
        {
            return await base.SendAsync(command);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Snackbar.Add("That could not be saved just now. Your text is kept; please try again.", Severity.Error);
            return null;
        }
    }
}
