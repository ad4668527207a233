using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using SessionRoom.Core.Live;
using SessionRoom.Web.Auth;
using SessionRoom.Web.Realtime;

namespace SessionRoom.Web.Hubs;

/// <summary>
/// <c>/hubs/session</c> (API.md "Hub"). Thin: works out who is calling from the access token's
/// claims and passes the call to <see cref="LiveService"/>; <see cref="HubErrors"/> turns a refusal
/// into a <see cref="HubException"/> that the caller reads while the connection stays open.
/// </summary>
[Authorize(Policy = AuthNames.MemberPolicy)]
public sealed class SessionHub(LiveService live, SessionBroadcaster broadcaster, IOptions<LiveOptions> options, TimeProvider clock) : Hub<ISessionClient>
{
    private const string LimiterKey = "limiter";

    public override async Task OnConnectedAsync()
    {
        var caller = Caller();
        Context.Items[LimiterKey] = new CallRateLimiter(options.Value.CallsPerSecond, clock);
        broadcaster.Attach(caller, Context.ConnectionId, Context.Abort);
        try
        {
            await live.ConnectedAsync(caller, Context.ConnectionId, Context.Abort);
        }
        catch
        {
            // SignalR closes a connection whose OnConnectedAsync failed without calling OnDisconnectedAsync.
            broadcaster.Detach(caller, Context.ConnectionId);
            throw;
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        var caller = Caller();
        broadcaster.Detach(caller, Context.ConnectionId);
        return live.DisconnectedAsync(caller, Context.ConnectionId);
    }

    public LiveState GetState() => Guard(() => live.GetState(Caller()));

    public IReadOnlyList<SessionEvent> GetEventsSince(long afterSeq) => Guard(() => live.EventsSince(Caller(), afterSeq));

    public Task<Ack> StartSession(Guid clientEventId) => Write(new StartSession(clientEventId));

    public Task<Ack> ShowPrompt(Guid clientEventId, Guid promptId) => Write(new ShowPrompt(clientEventId, promptId));

    public Task<Ack> EndSession(Guid clientEventId) => Write(new EndSession(clientEventId));

    public Task<Ack> StartTask(Guid clientEventId, Guid promptId, Guid participantId) =>
        Write(new StartTask(clientEventId, promptId, participantId));

    public Task<Ack> EndTask(Guid clientEventId, Guid promptId, Guid participantId, string outcome) =>
        Write(new EndTask(clientEventId, promptId, participantId, outcome));

    /// <summary>Not in API.md v1: stops the participant's task clock; paused time is not time on task.</summary>
    public Task<Ack> PauseTask(Guid clientEventId, Guid promptId, Guid participantId) =>
        Write(new PauseTask(clientEventId, promptId, participantId));

    /// <summary>Not in API.md v1: restarts a paused task clock.</summary>
    public Task<Ack> ResumeTask(Guid clientEventId, Guid promptId, Guid participantId) =>
        Write(new ResumeTask(clientEventId, promptId, participantId));

    public Task<Ack> Answer(Guid clientEventId, Guid promptId, AnswerInput answer) => Write(new GiveAnswer(clientEventId, promptId, answer));

    public Task<Ack> React(Guid clientEventId, string tag) => Write(new React(clientEventId, tag));

    public Task<Ack> AddNote(Guid clientEventId, string text, string[] tags, Guid? participantId) =>
        Write(new AddNote(clientEventId, text, tags, participantId));

    public Task<Ack> MessageBackroom(Guid clientEventId, string text) => Write(new MessageBackroom(clientEventId, text));

    // Refusals (LiveRuleException) become HubExceptions in HubErrors, the hub's one error filter.
    private Task<Ack> Write(LiveCommand command)
    {
        Limiter().Take();
        return live.WriteAsync(Caller(), command);
    }

    private T Guard<T>(Func<T> read)
    {
        Limiter().Take();
        return read();
    }

    private CallRateLimiter Limiter() => (CallRateLimiter)Context.Items[LimiterKey]!;

    private Caller Caller()
    {
        var user = Context.User ?? throw new HubException("Not signed in.");
        string Claim(string type) => user.FindFirstValue(type) ?? throw new HubException("Not signed in as a session member.");
        return new Caller(
            Guid.Parse(Claim(AuthNames.MemberClaim)),
            Guid.Parse(Claim(AuthNames.SessionClaim)),
            Claim(AuthNames.RoleClaim),
            Claim(AuthNames.CodeClaim),
            user.FindFirstValue(ClaimTypes.Name) ?? "");
    }
}
