using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;
using SessionRoom.Testing;

namespace SessionRoom.IntegrationTests.Live;

/// <summary>A real SessionRoom child process plus helpers to set up sessions and connect hub clients over WebSockets.</summary>
public class LiveServer : IAsyncLifetime
{
    /// <summary>With the call limit lifted, for tests that write fast on purpose.</summary>
    public LiveServer()
        : this(new Dictionary<string, string> { ["SessionRoom:Live:CallsPerSecond"] = "100000" })
    {
    }

    protected LiveServer(IReadOnlyDictionary<string, string>? settings) => App = new AppServer { Settings = settings };

    /// <summary>Around a given app (e.g. one of two servers sharing a data folder and a Redis).</summary>
    internal static LiveServer Around(AppServer app) => new(settings: null) { App = app };

    public AppServer App { get; private init; }

    public HttpClient Http { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        Http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppServer.FacilitatorKey);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>A session with a question, a poll, a rating, a task, an SEQ and a SUS prompt, and tags confused/delight.</summary>
    public async Task<Session> CreateSessionAsync(string mode = "usability", bool blind = false)
    {
        var study = await Http.PostAsJsonAsync("/api/studies", new { name = "Live test" });
        var studyId = (await study.Content.ReadFromJsonAsync<IdOnly>())!.Id;
        var response = await Http.PostAsJsonAsync($"/api/studies/{studyId}/sessions", new
        {
            title = "Live",
            mode,
            blind,
            tags = new[] { "confused", "delight" },
            prompts = new object[]
            {
                new { kind = "question", text = "What do you think?" },
                new { kind = "poll", text = "Pick", options = new[] { "A", "B", "C" }, multiple = false },
                new { kind = "rating", text = "Rate", scaleMax = 5 },
                new { kind = "task", text = "Do it", successCriteria = "Done" },
                new { kind = "seq", text = "How easy?" },
                new { kind = "sus", text = "SUS" },
            },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Session>())!;
    }

    public async Task<Member> FacilitatorAsync(Guid sessionId)
    {
        var response = await Http.PostAsync($"/api/sessions/{sessionId}/facilitator", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Member>())!;
    }

    public async Task<(Member Member, string InviteToken)> JoinAsync(Guid sessionId, string role)
    {
        var invite = await Http.PostAsJsonAsync($"/api/sessions/{sessionId}/invites", new { role });
        invite.EnsureSuccessStatusCode();
        var token = (await invite.Content.ReadFromJsonAsync<CreatedInvite>())!.Token;
        using var anonymous = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        var join = await anonymous.PostAsJsonAsync("/api/join", new { token });
        join.EnsureSuccessStatusCode();
        return ((await join.Content.ReadFromJsonAsync<Member>())!, token);
    }

    public async Task<Member> MemberAsync(Guid sessionId, string role) =>
        role == Roles.Facilitator ? await FacilitatorAsync(sessionId) : (await JoinAsync(sessionId, role)).Member;

    public async Task<LiveClient> ConnectAsync(Member member)
    {
        var client = new LiveClient(member, App.BaseUrl);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Every event of the session, all audiences, from the facilitator's HTTP endpoint.</summary>
    public async Task<IReadOnlyList<SessionEvent>> AllEventsAsync(Guid sessionId) =>
        (await Http.GetFromJsonAsync<List<SessionEvent>>($"/api/sessions/{sessionId}/events?after=0"))!;

    private sealed record IdOnly(Guid Id);
}

/// <summary>One hub connection of one member, recording every event pushed to it.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<SessionEvent> _events = new();

    public LiveClient(Member member, string baseUrl)
    {
        Member = member;
        Connection = new HubConnectionBuilder()
            .WithUrl($"{baseUrl}/hubs/session", o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(member.AccessToken);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        Connection.On<SessionEvent>("Event", e => _events.Enqueue(e));
    }

    public Member Member { get; }

    public HubConnection Connection { get; }

    public IReadOnlyList<SessionEvent> Events => _events.ToArray();

    public Task<Ack> Invoke(string method, params object?[] args) => Connection.InvokeCoreAsync<Ack>(method, args);

    /// <summary>Waits until <paramref name="condition"/> holds for the events received (10 s at most).</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<SessionEvent>, bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition(Events))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{Member.Code} did not receive {what}; it has {Events.Count} events.");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
