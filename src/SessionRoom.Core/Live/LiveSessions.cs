using SessionRoom.Core.Studies;

namespace SessionRoom.Core.Live;

/// <summary>
/// The rules of a live session, in one place: who may call what, in which session state, with which
/// values. The hub and the Blazor pages only say who is calling; this decides, and either returns
/// the event to store or throws a <see cref="LiveRuleException"/> whose message the caller sees.
/// </summary>
public sealed class LiveSessions(LiveOptions options)
{
    /// <summary>Checked before anything else, even before the idempotency look-up that uses it.</summary>
    public static void RequireClientEventId(LiveCommand command)
    {
        if (command.ClientEventId == Guid.Empty)
        {
            throw new LiveRuleException("clientEventId must be a new GUID made by the client, not the empty GUID.");
        }
    }

    public NewEvent Decide(ILiveView view, Caller caller, LiveCommand command)
    {
        var status = view.Status(caller.SessionId) ?? throw new LiveRuleException("This session no longer exists.");
        Allow(caller.Role, command);
        if (view.IsWithdrawn(caller.SessionId, caller.MemberId))
        {
            throw new LiveRuleException("This member's data was withdrawn from the session.");
        }
        switch (command)
        {
            case JoinPresence:
                return Presence(EventTypes.MemberJoined, caller);
            case LeavePresence:
                return Presence(EventTypes.MemberLeft, caller);
            case StartSession:
                if (status != SessionStatuses.Draft)
                {
                    throw new LiveRuleException(status == SessionStatuses.Live ? "The session has already started." : "The session has ended; it cannot start again.");
                }
                return new NewEvent(EventTypes.SessionStarted, Audiences.Room, NewStatus: SessionStatuses.Live);
        }

        RequireLive(status);
        switch (command)
        {
            case EndSession:
                return new NewEvent(EventTypes.SessionEnded, Audiences.Room, NewStatus: SessionStatuses.Ended);

            case ShowPrompt c:
            {
                var prompt = RequirePrompt(view, caller, c.PromptId);
                // A room event: a task's success criteria go with it only when the facilitator chose to show them.
                return new NewEvent(EventTypes.PromptShown, Audiences.Room, prompt.Id, Data: new { prompt = prompt.ForRoom() }, NewCurrentPrompt: prompt.Id);
            }

            case StartTask c:
            {
                var prompt = RequireTask(view, caller, c.PromptId);
                RequireParticipant(view, caller, c.ParticipantId);
                if (view.RunningTask(caller.SessionId, prompt.Id, c.ParticipantId) is not null)
                {
                    throw new LiveRuleException("This task is already running for that participant; end it first.");
                }
                return new NewEvent(EventTypes.TaskStarted, Audiences.Backroom, prompt.Id, c.ParticipantId, Data: new { });
            }

            case EndTask c:
            {
                var prompt = RequireTask(view, caller, c.PromptId);
                RequireParticipant(view, caller, c.ParticipantId);
                if (c.Outcome is null || !TaskOutcomes.All.Contains(c.Outcome))
                {
                    throw new LiveRuleException($"Outcome must be one of: {string.Join(", ", TaskOutcomes.All)}.");
                }
                var timer = RequireRunning(view, caller, prompt.Id, c.ParticipantId);
                var now = view.ClockMs(caller.SessionId);
                // Time on task is the server's clock between start and end, less every pause.
                return new NewEvent(EventTypes.TaskEnded, Audiences.Backroom, prompt.Id, c.ParticipantId,
                    Data: new { outcome = c.Outcome, durationMs = timer.ActiveMs(now), pausedMs = timer.PausedUntil(now) });
            }

            case PauseTask c:
            {
                var prompt = RequireTask(view, caller, c.PromptId);
                RequireParticipant(view, caller, c.ParticipantId);
                if (RequireRunning(view, caller, prompt.Id, c.ParticipantId).IsPaused)
                {
                    throw new LiveRuleException("This task is already paused for that participant.");
                }
                return new NewEvent(EventTypes.TaskPaused, Audiences.Backroom, prompt.Id, c.ParticipantId, Data: new { });
            }

            case ResumeTask c:
            {
                var prompt = RequireTask(view, caller, c.PromptId);
                RequireParticipant(view, caller, c.ParticipantId);
                if (!RequireRunning(view, caller, prompt.Id, c.ParticipantId).IsPaused)
                {
                    throw new LiveRuleException("This task is not paused for that participant.");
                }
                return new NewEvent(EventTypes.TaskResumed, Audiences.Backroom, prompt.Id, c.ParticipantId, Data: new { });
            }

            case GiveAnswer c:
            {
                var prompt = RequirePrompt(view, caller, c.PromptId);
                var (text, data) = CheckAnswer(prompt, c.Answer);
                return new NewEvent(EventTypes.Answer, Audiences.Backroom, prompt.Id, caller.MemberId, text, Data: data);
            }

            case React c:
            {
                var tag = RequireTag(view, caller, c.Tag);
                var byParticipant = caller.Role == Roles.Participant;
                return new NewEvent(
                    EventTypes.Reaction,
                    byParticipant ? Audiences.Room : Audiences.Backroom,
                    view.CurrentPromptId(caller.SessionId),
                    byParticipant ? caller.MemberId : null,
                    Tags: [tag],
                    Data: new { },
                    Restricted: !byParticipant && view.IsBlind(caller.SessionId));
            }

            case AddNote c:
            {
                var text = RequireText(c.Text);
                if (c.Tags is { } raw && raw.Count > options.MaxTagsPerNote)
                {
                    throw new LiveRuleException($"A note takes at most {options.MaxTagsPerNote} tags.");
                }
                var tags = (c.Tags ?? []).Select(t => RequireTag(view, caller, t)).Distinct(StringComparer.Ordinal).ToList();
                if (c.ParticipantId is { } p)
                {
                    RequireParticipant(view, caller, p);
                }
                return new NewEvent(EventTypes.Note, Audiences.Backroom, view.CurrentPromptId(caller.SessionId), c.ParticipantId, text, tags, new { },
                    Restricted: caller.Role == Roles.Observer && view.IsBlind(caller.SessionId));
            }

            case MessageBackroom c:
                return new NewEvent(EventTypes.BackroomMessage, Audiences.Backroom, view.CurrentPromptId(caller.SessionId), Text: RequireText(c.Text), Data: new { });

            default:
                throw new LiveRuleException("That is not something a session can do.");
        }
    }

    /// <summary>Roles allowed per call (API.md). Checked before anything else, so a refusal never depends on state.</summary>
    private static void Allow(string role, LiveCommand command)
    {
        var allowed = command switch
        {
            JoinPresence or LeavePresence => true,
            StartSession or ShowPrompt or EndSession or StartTask or EndTask or PauseTask or ResumeTask => role == Roles.Facilitator,
            GiveAnswer => role == Roles.Participant,
            React => role is Roles.Participant or Roles.Observer,
            AddNote or MessageBackroom => role is Roles.Observer or Roles.Facilitator,
            _ => false,
        };
        if (!allowed)
        {
            throw new LiveRuleException($"A {role} cannot {Describe(command)}.");
        }
    }

    private static string Describe(LiveCommand command) => command switch
    {
        StartSession => "start the session",
        ShowPrompt => "show prompts",
        EndSession => "end the session",
        StartTask => "start tasks",
        EndTask => "end tasks",
        PauseTask => "pause tasks",
        ResumeTask => "resume tasks",
        GiveAnswer => "answer prompts (only participants answer)",
        React => "react",
        AddNote => "add notes",
        MessageBackroom => "message the backroom",
        _ => "do that",
    };

    private static void RequireLive(string status)
    {
        if (status != SessionStatuses.Live)
        {
            throw new LiveRuleException(status == SessionStatuses.Draft ? "The session has not started yet." : "The session has ended.");
        }
    }

    private static Prompt RequirePrompt(ILiveView view, Caller caller, Guid promptId) =>
        view.FindPrompt(caller.SessionId, promptId) ?? throw new LiveRuleException("That prompt is not in this session's guide.");

    private static Prompt RequireTask(ILiveView view, Caller caller, Guid promptId)
    {
        var prompt = RequirePrompt(view, caller, promptId);
        return prompt.Kind == PromptKinds.Task ? prompt : throw new LiveRuleException("That prompt is not a usability task.");
    }

    private static TaskTimer RequireRunning(ILiveView view, Caller caller, Guid promptId, Guid participantId) =>
        view.RunningTask(caller.SessionId, promptId, participantId)
        ?? throw new LiveRuleException("This task is not running for that participant; start it first.");

    private static void RequireParticipant(ILiveView view, Caller caller, Guid participantId)
    {
        if (!view.IsParticipant(caller.SessionId, participantId))
        {
            throw new LiveRuleException("That participant is not in this session.");
        }
    }

    private string RequireText(string? input)
    {
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new LiveRuleException("Text is required.");
        }
        if (text.Length > options.MaxTextLength)
        {
            throw new LiveRuleException($"Text is {text.Length:N0} characters; the limit is {options.MaxTextLength:N0}.");
        }
        return text;
    }

    private static string RequireTag(ILiveView view, Caller caller, string? input)
    {
        var tag = input?.Trim();
        if (string.IsNullOrEmpty(tag))
        {
            throw new LiveRuleException("A tag is required.");
        }
        var known = view.Tags(caller.SessionId).FirstOrDefault(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase));
        return known ?? throw new LiveRuleException($"\"{Shorten(tag)}\" is not one of this session's tags.");
    }

    private (string? Text, object Data) CheckAnswer(Prompt prompt, AnswerInput? answer)
    {
        if (answer is null)
        {
            throw new LiveRuleException("Send an answer.");
        }
        void Only(bool ok, string what)
        {
            if (!ok)
            {
                throw new LiveRuleException($"A {PromptKinds.Label(prompt.Kind).ToLowerInvariant()} answer {what}.");
            }
        }
        switch (prompt.Kind)
        {
            case PromptKinds.Question or PromptKinds.Task or PromptKinds.Stimulus:
            {
                Only(answer.Choices is null && answer.Rating is null && answer.Items is null, "is text only");
                var text = RequireText(answer.Text);
                return (text, new { text });
            }
            case PromptKinds.Poll:
            {
                Only(answer.Text is null && answer.Rating is null && answer.Items is null, "is a choice of options only");
                var choices = answer.Choices ?? throw new LiveRuleException("Pick at least one option.");
                var count = prompt.Options?.Count ?? 0;
                if (choices.Length == 0 || choices.Any(c => c < 0 || c >= count))
                {
                    throw new LiveRuleException($"Pick options by their number, from 0 to {count - 1}.");
                }
                if (choices.Distinct().Count() != choices.Length)
                {
                    throw new LiveRuleException("Each option can be picked once.");
                }
                if (choices.Length > 1 && prompt.Multiple != true)
                {
                    throw new LiveRuleException("This poll takes one choice.");
                }
                return (null, new { choices });
            }
            case PromptKinds.Rating or PromptKinds.Seq:
            {
                Only(answer.Text is null && answer.Choices is null && answer.Items is null, "is a number only");
                var max = prompt.Kind == PromptKinds.Seq ? Limits.SeqScale : prompt.ScaleMax ?? Limits.ScaleMax;
                if (answer.Rating is not { } rating || rating < 1 || rating > max)
                {
                    throw new LiveRuleException($"Give a rating from 1 to {max}.");
                }
                return (null, new { rating });
            }
            case PromptKinds.Sus:
            {
                Only(answer.Text is null && answer.Choices is null && answer.Rating is null, "is the ten item scores only");
                if (answer.Items is not { Length: Limits.SusItems } items || items.Any(i => i < 1 || i > 5))
                {
                    throw new LiveRuleException("A SUS answer is exactly ten scores, each from 1 to 5.");
                }
                return (null, new { items });
            }
            default:
                throw new LiveRuleException("This prompt cannot be answered.");
        }
    }

    private static NewEvent Presence(string type, Caller caller) =>
        new(type, Audiences.Backroom, Data: new { role = caller.Role, code = caller.Code, displayName = caller.DisplayName });

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
