using Microsoft.AspNetCore.SignalR;

// Baseline (a) of docs/benchmarks.md: the framework's limit on this machine. One SignalR hub that
// numbers what it is sent and relays it to a group, the way SessionRoom's hub reaches its room and
// backroom groups, but with no auth, no rules and no storage. The load generator drives it with
// the same workload as SessionRoom. Usage: dotnet BareHub.dll --urls http://127.0.0.1:5098
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();

var app = builder.Build();
app.MapGet("/healthz", () => "Healthy");
app.MapHub<RelayHub>("/hub");
app.Run();

/// <summary>What a client sends: SessionRoom's write calls reduced to their payload.</summary>
internal sealed record Message(Guid ClientEventId, string Type, string Audience, string? Text, string[]? Tags);

/// <summary>What the hub relays: shaped like SessionRoom's <c>SessionEvent</c>.</summary>
internal sealed record Relayed(
    long Seq, Guid Id, Guid ClientEventId, string Type, string Audience, string ActorCode, long AtMs, DateTimeOffset CreatedUtc, string? Text, string[] Tags);

internal sealed record Ack(long Seq, bool Duplicate);

/// <summary>
/// Participants join the "room" group, everyone else the "backroom" (role from the query string).
/// A room message goes to both groups, a backroom message to the backroom only.
/// </summary>
internal sealed class RelayHub : Hub
{
    private const string Room = "room";
    private const string Backroom = "backroom";
    private static readonly long Started = Environment.TickCount64;
    private static long s_seq;

    public override Task OnConnectedAsync()
    {
        var role = Context.GetHttpContext()?.Request.Query["role"].ToString();
        Context.Items["role"] = role;
        return Groups.AddToGroupAsync(Context.ConnectionId, role == "participant" ? Room : Backroom);
    }

    public async Task<Ack> Send(Message message)
    {
        var seq = Interlocked.Increment(ref s_seq);
        var relayed = new Relayed(
            seq, Guid.NewGuid(), message.ClientEventId, message.Type, message.Audience, (string?)Context.Items["role"] ?? "",
            Environment.TickCount64 - Started, DateTimeOffset.UtcNow, message.Text, message.Tags ?? []);
        var to = message.Audience == Room ? Clients.Groups(Room, Backroom) : Clients.Group(Backroom);
        await to.SendAsync("Event", relayed);
        return new Ack(seq, Duplicate: false);
    }
}
