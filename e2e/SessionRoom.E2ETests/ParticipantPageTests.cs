using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SessionRoom.Testing;
using static Microsoft.Playwright.Assertions;

namespace SessionRoom.E2ETests;

/// <summary>
/// The participant page (/join/{token}) on a phone-sized screen: consent, waiting, answering each
/// kind of prompt, reactions, the friendly error for a dead link, and the offline outbox. The
/// facilitator side is driven through the hub from a second browser page (the e2e project has no
/// .NET SignalR client), with the same SignalR browser client the participant page uses.
/// </summary>
public sealed class ParticipantPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Participant_ConsentsWaitsAnswersPollReactsAndSus_AnswersAreStored()
    {
        using var api = new Api(fixture.App.BaseUrl);
        var setup = await api.CreateSessionAsync(
            "Checkout test, round 1",
            ["confused", "delight", "pricing"],
            new { kind = "poll", text = "Which plan would you pick today?", options = new[] { "Free", "Pro", "Team" }, multiple = false },
            new { kind = "sus", text = "System Usability Scale" },
            new { kind = "seq", text = "Overall, how easy was it to find the plan you wanted?" });
        var (context, page) = await PhoneAsync();

        // Welcome and consent.
        await page.GotoAsync("/join/" + setup.Token);
        await Expect(page.Locator("[data-testid=consent]")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You've been invited to a research session" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=consent-text]")).ToContainTextAsync("recorded for research");
        await Expect(page.Locator("[data-testid=consent-text]")).ToContainTextAsync("code like P3");
        await ScreenshotAsync(page, "participant-consent");
        await page.GetByLabel("Your first name (optional)").FillAsync("Dana");
        await page.Locator("[data-testid=join]").ClickAsync();

        // Waiting for the start.
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await Expect(page.Locator("[data-testid=member-code]")).ToHaveTextAsync("You are P1");
        await Expect(page.Locator("[data-testid=session-title]")).ToHaveTextAsync("Checkout test, round 1");
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("[data-testid=connection]")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("[data-testid=reactions]")).ToBeHiddenAsync();
        await ScreenshotAsync(page, "participant-waiting");
        var memberId = await StoredMemberIdAsync(page);

        await using var facilitator = await FacilitatorHub.ConnectAsync(fixture, api, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("The facilitator will show the first question soon");
        await Expect(page.Locator("[data-testid=reaction]")).ToHaveTextAsync(["confused", "delight", "pricing"]);

        // A poll: one choice, sent, stored as its 0-based index.
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        var heading = page.Locator("[data-testid=prompt-text]");
        await Expect(heading).ToHaveTextAsync("Which plan would you pick today?");
        await Expect(heading).ToBeFocusedAsync();
        await Expect(page.Locator("[data-testid=poll-option]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=send-answer]")).ToBeDisabledAsync();
        await page.Locator("[data-testid=poll-option]", new() { HasTextString = "Pro" }).ClickAsync();
        await Expect(page.Locator("[data-testid=send-answer]")).ToBeEnabledAsync();
        await ScreenshotAsync(page, "participant-poll");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToContainTextAsync("Thanks — your answer was sent");
        await Expect(page.Locator("[data-testid=answer-summary]")).ToContainTextAsync("Pro");
        await ScreenshotAsync(page, "participant-poll-sent");

        var answer = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[0]);
        Assert.Equal(memberId, answer.GetProperty("participantId").GetString());
        Assert.Equal([1], answer.GetProperty("data").GetProperty("choices").EnumerateArray().Select(c => c.GetInt32()));

        // Changing the answer sends a new one.
        await page.Locator("[data-testid=change-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=poll-option] input").Nth(1)).ToBeCheckedAsync();
        await page.Locator("[data-testid=poll-option]", new() { HasTextString = "Team" }).ClickAsync();
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-summary]")).ToContainTextAsync("Team");
        await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[0]
            && e.GetProperty("data").GetProperty("choices")[0].GetInt32() == 2);

        // A reaction, from the session's tags.
        await page.Locator("[data-testid=reaction][data-tag=delight]").ClickAsync();
        var reaction = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "reaction");
        Assert.Equal(["delight"], reaction.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(memberId, reaction.GetProperty("participantId").GetString());

        // SUS: ten statements, Send only once all ten are answered.
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[1]);
        await Expect(page.Locator("[data-testid=sus-item]")).ToHaveCountAsync(10);
        await Expect(page.Locator("[data-testid=sus-item]").First).ToContainTextAsync("I think that I would like to use this system frequently.");
        await Expect(page.Locator("[data-testid=sus-item]").Nth(9)).ToContainTextAsync("I needed to learn a lot of things before I could get going with this system.");
        int[] scores = [4, 2, 5, 1, 4, 2, 5, 1, 4, 2];
        for (var i = 0; i < 9; i++)
        {
            await SusOption(page, i, scores[i]).ClickAsync();
        }
        await Expect(page.Locator("[data-testid=sus-progress]")).ToHaveTextAsync("9 of 10 answered");
        await Expect(page.Locator("[data-testid=send-answer]")).ToBeDisabledAsync();
        await SusOption(page, 9, scores[9]).ClickAsync();
        await Expect(page.Locator("[data-testid=send-answer]")).ToBeEnabledAsync();
        await ScreenshotAsync(page, "participant-sus");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
        var sus = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[1]);
        Assert.Equal(scores, sus.GetProperty("data").GetProperty("items").EnumerateArray().Select(c => c.GetInt32()));

        // SEQ: seven buttons, labelled at both ends.
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[2]);
        await Expect(page.Locator("[data-testid=seq-option]")).ToHaveCountAsync(7);
        await Expect(page.Locator("[data-testid=prompt]")).ToContainTextAsync("Very difficult");
        await Expect(page.Locator("[data-testid=prompt]")).ToContainTextAsync("Very easy");
        await page.Locator("[data-testid=seq-option][data-value='6']").ClickAsync();
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
        var seq = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[2]);
        Assert.Equal(6, seq.GetProperty("data").GetProperty("rating").GetInt32());

        // The end; a reload keeps the member (no second consent) and shows the same state.
        await facilitator.InvokeAsync("EndSession");
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Thank you! The session has ended.");
        await Expect(page.Locator("[data-testid=reactions]")).ToBeHiddenAsync();
        await Expect(page.Locator("[data-testid=connection]")).ToBeHiddenAsync();
        await ScreenshotAsync(page, "participant-thanks");
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Thank you! The session has ended.");
        await Expect(page.Locator("[data-testid=consent]")).ToBeHiddenAsync();
        Assert.Equal(memberId, await StoredMemberIdAsync(page));
        await context.CloseAsync();
    }

    [Fact]
    public async Task InvalidLink_ShowsFriendlyError()
    {
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/not-a-real-invite-token");
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=link-error]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=link-error]")).ToContainTextAsync("This link doesn't work any more");
        await Expect(page.Locator("[data-testid=link-error]")).ToContainTextAsync("Ask the facilitator for a new one.");
        await Expect(page.Locator("[data-testid=consent]")).ToBeHiddenAsync();
        await ScreenshotAsync(page, "participant-link-error");
        await context.CloseAsync();
    }

    [Fact]
    public async Task RevokedInvite_WhileConnected_ShowsFriendlyErrorAndForgetsTheMember()
    {
        using var api = new Api(fixture.App.BaseUrl);
        var setup = await api.CreateSessionAsync("Revoked", [], new { kind = "question", text = "Hello?" });
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");

        var invites = await api.GetAsync($"/api/sessions/{setup.SessionId}/invites");
        await api.DeleteAsync($"/api/sessions/{setup.SessionId}/invites/{invites[0].GetProperty("id").GetString()}");

        await Expect(page.Locator("[data-testid=link-error]")).ToContainTextAsync("This link doesn't work any more");
        await Expect(page.Locator("[data-testid=connection]")).ToBeHiddenAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).length"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task ObserverInvite_PointsToTheObserverRoom_WithoutJoiningTheHub()
    {
        using var api = new Api(fixture.App.BaseUrl);
        var setup = await api.CreateSessionAsync("Observer link", [], new { kind = "question", text = "Hello?" });
        var invite = await api.PostAsync($"/api/sessions/{setup.SessionId}/invites", new { role = "observer" });
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + invite.GetProperty("token").GetString());
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=observer-heading]")).ToHaveTextAsync("You joined as observer O1");
        await Expect(page.Locator("[data-testid=observer-link]")).ToHaveAttributeAsync("href", "/observe/" + setup.SessionId);
        Assert.Equal("idle", await page.EvaluateAsync<string>("() => window.sessionRoomParticipant.status().connection"));
        await Task.Delay(500);
        Assert.DoesNotContain(await api.EventsAsync(setup.SessionId), e => Type(e) == "member-joined");
        await ScreenshotAsync(page, "participant-observer");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Offline_AnswerWaitsInOutbox_ArrivesExactlyOnce_EvenWhenReplayed()
    {
        using var api = new Api(fixture.App.BaseUrl);
        var setup = await api.CreateSessionAsync(
            "Offline outbox",
            ["confused"],
            new { kind = "question", text = "What would you change first?" },
            new { kind = "stimulus", text = "Here is the new pricing page.", url = fixture.App.BaseUrl + "/favicon.svg" });
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await using var facilitator = await FacilitatorHub.ConnectAsync(fixture, api, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("What would you change first?");

        // The network goes away; the answer is kept on the device.
        await context.SetOfflineAsync(true);
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "offline");
        await Expect(page.Locator("[data-testid=offline-banner]")).ToHaveTextAsync("Offline — answers are saved and sent when you're back.");
        const string Text = "Show the shipping cost before the last step, please.";
        await page.Locator("[data-testid=answer-text]").FillAsync(Text);
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-pending]")).ToContainTextAsync("Saved on this device");
        await Expect(page.Locator("[data-testid=outbox-status]")).ToContainTextAsync("waiting to be sent");
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.sessionRoomParticipant.status().outbox"));
        var pendingOutbox = await page.EvaluateAsync<string>("() => localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':outbox')))");
        Assert.Contains(Text, pendingOutbox, StringComparison.Ordinal);
        await ScreenshotAsync(page, "participant-offline");
        await Task.Delay(1000);
        Assert.DoesNotContain(await api.EventsAsync(setup.SessionId), e => Type(e) == "answer");

        // Back online: sent once, acknowledged, out of the outbox.
        await context.SetOfflineAsync(false);
        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("[data-testid=outbox-status]")).ToBeHiddenAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.sessionRoomParticipant.status().outbox"));
        await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer");

        // As if the Ack had been lost: the same item is replayed after a reload, and the server dedupes it.
        await page.EvaluateAsync("value => localStorage.setItem(Object.keys(localStorage).find(k => k.endsWith(':outbox')), value)", pendingOutbox);
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");
        await page.WaitForFunctionAsync("() => window.sessionRoomParticipant.status().outbox === 0");
        await Task.Delay(500);
        var answers = (await api.EventsAsync(setup.SessionId)).Where(e => Type(e) == "answer").ToList();
        var only = Assert.Single(answers);
        Assert.Equal(Text, only.GetProperty("data").GetProperty("text").GetString());

        // A stimulus with an image link shows the image and a link that opens in a new tab.
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[1]);
        await Expect(page.Locator("[data-testid=stimulus-image]")).ToHaveAttributeAsync("src", fixture.App.BaseUrl + "/favicon.svg");
        var link = page.Locator("[data-testid=stimulus-link]");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await page.Locator("[data-testid=stimulus-image]").EvaluateAsync("img => img.decode()");
        await ScreenshotAsync(page, "participant-stimulus");

        // Refused writes leave the outbox with a message: the session ends while an answer waits.
        await context.SetOfflineAsync(true);
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "offline");
        await page.Locator("[data-testid=answer-text]").FillAsync("Too late");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-pending]")).ToBeVisibleAsync();
        await facilitator.InvokeAsync("EndSession");
        await context.SetOfflineAsync(false);
        await Expect(page.Locator("[data-testid=notice]")).ToContainTextAsync("The session has ended.", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Thank you! The session has ended.");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.sessionRoomParticipant.status().outbox"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task ServerRestart_AnswerGivenWhileServerIsDown_ArrivesOnceAfterReconnect()
    {
        using var api = new Api(fixture.App.BaseUrl);
        var setup = await api.CreateSessionAsync(
            "Server restart",
            ["confused"],
            new { kind = "task", text = "Find the returns policy.", successCriteria = "Returns page open" });
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await using (var facilitator = await FacilitatorHub.ConnectAsync(fixture, api, setup.SessionId))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        }
        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Find the returns policy.");
        await Expect(page.Locator("[data-testid=task-hint]")).ToContainTextAsync("Tell the facilitator when you're done.");
        await Expect(page.Locator("[data-testid=prompt]")).Not.ToContainTextAsync("Returns page open");
        await ScreenshotAsync(page, "participant-task");

        const string Text = "Found it under Help, took a while.";
        fixture.App.Kill();
        var restarted = false;
        try
        {
            await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "reconnecting");
            await page.Locator("[data-testid=answer-text]").FillAsync(Text);
            await page.Locator("[data-testid=send-answer]").ClickAsync();
            await Expect(page.Locator("[data-testid=answer-pending]")).ToContainTextAsync("Saved on this device");
            await fixture.App.InitializeAsync();
            restarted = true;
        }
        finally
        {
            if (!restarted)
            {
                await fixture.App.InitializeAsync();
            }
        }

        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync(new() { Timeout = 45_000 });
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");
        await Task.Delay(500);
        var only = Assert.Single(await api.EventsAsync(setup.SessionId), e => Type(e) == "answer");
        Assert.Equal(Text, only.GetProperty("data").GetProperty("text").GetString());
        await context.CloseAsync();
    }

    private async Task<(IBrowserContext Context, IPage Page)> PhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 375, Height = 740 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        });
        context.SetDefaultTimeout(15_000);
        return (context, await context.NewPageAsync());
    }

    /// <summary>A full-page screenshot from the top, so the sticky header sits where it belongs.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Pages.ScreenshotAsync(page, name);
    }

    private static ILocator SusOption(IPage page, int item, int score) =>
        page.Locator($"[data-testid=sus-option][data-item='{item}'][data-value='{score}']");

    private static Task<string> StoredMemberIdAsync(IPage page) =>
        page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':member')))).memberId");

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string? Prompt(JsonElement e) =>
        e.TryGetProperty("promptId", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private sealed record Setup(string SessionId, string Token, IReadOnlyList<string> PromptIds);

    /// <summary>The HTTP API with the facilitator key.</summary>
    private sealed class Api : IDisposable
    {
        private readonly HttpClient _http;

        public Api(string baseUrl)
        {
            _http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppServer.FacilitatorKey);
        }

        public async Task<Setup> CreateSessionAsync(string title, string[] tags, params object[] prompts)
        {
            var study = await PostAsync("/api/studies", new { name = "Participant page study" });
            var session = await PostAsync($"/api/studies/{study.GetProperty("id").GetString()}/sessions",
                new { title, mode = "usability", tags, prompts });
            var sessionId = session.GetProperty("id").GetString()!;
            var invite = await PostAsync($"/api/sessions/{sessionId}/invites", new { role = "participant" });
            var promptIds = session.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
            return new Setup(sessionId, invite.GetProperty("token").GetString()!, promptIds);
        }

        public async Task<JsonElement> PostAsync(string path, object? body)
        {
            using var response = await _http.PostAsJsonAsync(path, body, Json);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        public async Task<JsonElement> GetAsync(string path) =>
            JsonDocument.Parse(await _http.GetStringAsync(path)).RootElement.Clone();

        public async Task DeleteAsync(string path)
        {
            using var response = await _http.DeleteAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"DELETE {path}: {(int)response.StatusCode}");
        }

        public async Task<List<JsonElement>> EventsAsync(string sessionId)
        {
            var text = await _http.GetStringAsync($"/api/sessions/{sessionId}/events?after=0");
            return JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        }

        /// <summary>The newest event that matches, waiting up to 10 s for it to be stored.</summary>
        public async Task<JsonElement> EventuallyAsync(string sessionId, Func<JsonElement, bool> match)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                var found = (await EventsAsync(sessionId)).LastOrDefault(match);
                if (found.ValueKind != JsonValueKind.Undefined)
                {
                    return found;
                }
                Assert.True(DateTime.UtcNow < deadline, "The expected event was not stored within 10 s.");
                await Task.Delay(200);
            }
        }

        public void Dispose() => _http.Dispose();
    }

    /// <summary>The facilitator's hub connection, run in a browser page of the app with the SignalR browser client.</summary>
    private sealed class FacilitatorHub(IPage page) : IAsyncDisposable
    {
        public static async Task<FacilitatorHub> ConnectAsync(BrowserFixture fixture, Api api, string sessionId)
        {
            var member = await api.PostAsync($"/api/sessions/{sessionId}/facilitator", null);
            var page = await fixture.NewPageAsync();
            await page.GotoAsync("/signin");
            await page.AddScriptTagAsync(new() { Url = "/lib/signalr/signalr.min.js" });
            await page.EvaluateAsync(
                """
                async token => {
                  window.facilitatorHub = new signalR.HubConnectionBuilder()
                    .withUrl("/hubs/session", { accessTokenFactory: () => token })
                    .build();
                  await window.facilitatorHub.start();
                }
                """, member.GetProperty("accessToken").GetString());
            return new FacilitatorHub(page);
        }

        /// <summary>Calls a facilitator write with a new clientEventId; returns the Ack's seq.</summary>
        public Task<long> InvokeAsync(string method, params string[] args) =>
            page.EvaluateAsync<long>(
                "async ([method, args]) => (await window.facilitatorHub.invoke(method, crypto.randomUUID(), ...args)).seq",
                new object[] { method, args });

        public async ValueTask DisposeAsync() => await page.Context.CloseAsync();
    }
}
