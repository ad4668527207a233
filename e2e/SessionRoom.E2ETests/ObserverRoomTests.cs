using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static SessionRoom.E2ETests.Events;

namespace SessionRoom.E2ETests;

/// <summary>
/// The observer room (/observe/{sessionId}) on a laptop: entering with the access token the invite page
/// stored, watching the prompt and answers arrive live, taking a note tagged by hotkey and saved with
/// Enter, marking a moment and asking the facilitator. The facilitator and a participant are driven
/// through the hub from other browser pages with the SignalR browser client.
/// </summary>
public sealed class ObserverRoomTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task Observer_WatchesPromptLive_TagsNoteByHotkey_MarksMomentAndAsksFacilitator_AllStored()
    {
        var studyId = await api.CreateStudyAsync("Pricing page study");
        await api.SetCodebookAsync(studyId,
            new { name = "confused", color = "#E53935", hotkey = 1 },
            new { name = "delight", color = "#43A047", hotkey = 2 });
        var session = await api.CreateSessionAsync(studyId, "Pricing page, round 2", "usability", prompts:
        [
            new { kind = "poll", text = "Which plan would you pick today?", options = new[] { "Free", "Pro", "Team" }, multiple = false },
            new { kind = "question", text = "What would make you upgrade?" },
        ]);
        var sessionId = session.SessionId;
        var promptIds = session.PromptIds;
        Assert.Equal(["confused", "delight"], session.Tags);
        var observer = await api.JoinAsync(sessionId, "observer");
        var participant = await api.JoinAsync(sessionId, "participant");

        // The observer enters with the token the invite page stored; the session has not started yet.
        var page = await OpenRoomAsync(sessionId, observer.Token);
        await Expect(page.Locator("[data-testid=observer-room]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=observer-title]")).ToHaveTextAsync("Pricing page, round 2");
        await Expect(page.Locator("[data-testid=room-prompt]")).ToContainTextAsync("Waiting for the facilitator to start the session");
        await Expect(page.Locator("[data-testid=online-member]", new() { HasTextString = "O1" })).ToContainTextAsync("you");
        await Expect(page.Locator("[data-testid=note-tag]")).ToHaveTextAsync([new Regex("confused\\s*1"), new Regex("delight\\s*2")]);
        await Expect(page.Locator("[data-testid=feed-empty]")).ToBeVisibleAsync();
        await Pages.ScreenshotAsync(page, "observer-waiting");

        // The facilitator starts and shows the poll: the observer sees it appear live, the clock runs.
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, sessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", promptIds[0]);
        await Expect(page.Locator("[data-testid=room-prompt-text]")).ToHaveTextAsync("Which plan would you pick today?");
        await Expect(page.Locator("[data-testid=room-option]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=online-member]", new() { HasTextString = "F1" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=session-clock]")).ToHaveTextAsync(new Regex(@"^0:(0[1-9]|[1-5]\d)$"), new() { Timeout = 5_000 });

        // A participant answers and reacts: both arrive in the room column.
        await using var p1 = await HubDriver.ConnectAsync(fixture, participant.Token);
        await p1.InvokeAsync("Answer", promptIds[0], new { choices = new[] { 1 } });
        await p1.InvokeAsync("React", "delight");
        await Expect(page.Locator("[data-testid=answer-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=answer-item]")).ToContainTextAsync("P1");
        await Expect(page.Locator("[data-testid=answer-item]")).ToContainTextAsync("B · Pro");
        await Expect(page.Locator("[data-testid=reaction-item]")).ToContainTextAsync("delight");

        // A note: typed, tagged "confused" with hotkey 1 outside the text field, saved with Enter.
        var noteText = page.Locator("textarea[data-testid=note-text]");
        await noteText.FillAsync("Hesitated over the plan table, scrolled back up twice");
        await page.Locator("#room-heading").ClickAsync();
        await page.Keyboard.PressAsync("1");
        var confused = page.Locator("[data-testid=note-tag][data-tag=confused]");
        await Expect(confused).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("[data-testid=note-tag][data-tag=delight]")).ToHaveAttributeAsync("aria-pressed", "false");
        await Pages.SelectAsync(page, "about-participant", "P1");
        await Expect(page.Locator("input[data-testid=about-participant]")).ToHaveValueAsync("P1");
        await Pages.ScreenshotAsync(page, "observer-composing");
        await noteText.FocusAsync();
        await noteText.PressAsync("1");
        await Expect(noteText).ToHaveValueAsync("Hesitated over the plan table, scrolled back up twice1");
        await Expect(page.Locator("[data-testid=note-tag][data-tag=delight]")).ToHaveAttributeAsync("aria-pressed", "false");
        await noteText.PressAsync("Backspace");
        await noteText.PressAsync("Enter");

        var first = page.Locator("[data-testid=feed-item]").First;
        await Expect(first).ToContainTextAsync("Hesitated over the plan table, scrolled back up twice");
        await Expect(first.Locator("[data-testid=feed-tag]")).ToHaveTextAsync(["confused"]);
        await Expect(first.Locator("[data-testid=feed-time]")).ToHaveTextAsync(new Regex(@"^\d\d:\d\d$"));
        await Expect(first.Locator("[data-testid=feed-actor]")).ToHaveTextAsync("O1");
        await Expect(first.Locator("[data-testid=feed-you]")).ToBeVisibleAsync();
        await Expect(first.Locator("[data-testid=feed-about]")).ToHaveTextAsync("about P1");
        await Expect(noteText).ToHaveValueAsync("");
        await Expect(confused).ToHaveAttributeAsync("aria-pressed", "false");
        var note = await api.EventuallyAsync(sessionId, e => Type(e) == "note" && e.GetProperty("text").GetString() == "Hesitated over the plan table, scrolled back up twice");
        Assert.Equal(["confused"], note.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(observer.MemberId, note.GetProperty("actorId").GetString());
        Assert.Equal("backroom", note.GetProperty("audience").GetString());
        Assert.Equal(participant.MemberId, note.GetProperty("participantId").GetString());

        // Mark moment (button), then again by its hotkey M with "delight" toggled by 2.
        await page.Locator("[data-testid=mark-moment]").ClickAsync();
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=feed-item]").First).ToContainTextAsync("⚑ Moment");
        await page.Locator("#room-heading").ClickAsync();
        await page.Keyboard.PressAsync("2");
        await page.Keyboard.PressAsync("m");
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=feed-item]").First.Locator("[data-testid=feed-tag]")).ToHaveTextAsync(["delight"]);
        var moments = (await api.EventsAsync(sessionId)).Where(e => Type(e) == "note" && e.GetProperty("text").GetString() == "⚑ Moment").ToList();
        Assert.Equal(2, moments.Count);
        Assert.Equal(["delight"], moments[1].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Ask the facilitator: the text goes as a backroom message, shown apart from notes.
        await noteText.FillAsync("Could you ask what they expected the Team plan to include?");
        await page.Locator("[data-testid=ask-facilitator]").ClickAsync();
        await Expect(page.Locator("[data-testid=feed-item]").First).ToHaveAttributeAsync("data-type", "backroom-message");
        await Expect(page.Locator("[data-testid=feed-item]").First).ToContainTextAsync("To facilitator");
        await Expect(noteText).ToHaveValueAsync("");
        var message = await api.EventuallyAsync(sessionId, e => Type(e) == "backroom-message");
        Assert.Equal("Could you ask what they expected the Team plan to include?", message.GetProperty("text").GetString());

        // The facilitator answers in the backroom; the next prompt replaces the poll.
        await facilitator.InvokeAsync("MessageBackroom", "Good one, asking after this task.");
        await Expect(page.Locator("[data-testid=feed-item]").First).ToContainTextAsync("Good one, asking after this task.");
        await Expect(page.Locator("[data-testid=feed-item]").First.Locator("[data-testid=feed-actor]")).ToHaveTextAsync("F1");
        await Expect(page.Locator("[data-testid=feed-item]").First.Locator("[data-testid=feed-you]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=feed-count]")).ToHaveTextAsync("3 notes · 2 messages");

        // Filter by tag: only the note tagged "confused".
        await page.Locator("[data-testid=feed-filter]", new() { HasTextString = "confused" }).ClickAsync();
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(1);
        await Pages.ScreenshotAsync(page, "observer-room-filtered");
        await page.Locator("[data-testid=feed-filter]", new() { HasTextString = "confused" }).ClickAsync();
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(5);
        await Pages.ScreenshotAsync(page, "observer-room");

        await facilitator.InvokeAsync("ShowPrompt", promptIds[1]);
        await Expect(page.Locator("[data-testid=room-prompt-text]")).ToHaveTextAsync("What would make you upgrade?");
        await Expect(page.Locator("[data-testid=no-answers]")).ToBeVisibleAsync();
        await p1.InvokeAsync("Answer", promptIds[1], new { text = "A cheaper annual price, honestly." });
        await Expect(page.Locator("[data-testid=answer-item]")).ToContainTextAsync("A cheaper annual price, honestly.");

        // Still usable at tablet width.
        await page.SetViewportSizeAsync(820, 1180);
        await Expect(page.Locator("[data-testid=note-send]")).ToBeVisibleAsync();
        await Pages.ScreenshotAsync(page, "observer-tablet");

        // The end: notes close, the feed stays.
        await facilitator.InvokeAsync("EndSession");
        await Expect(page.Locator("[data-testid=room-prompt]")).ToContainTextAsync("The session has ended");
        await Expect(page.Locator("[data-testid=note-send]")).ToBeDisabledAsync();
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(5);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ObserverRoom_WithoutStoredToken_AsksForTheInviteLink()
    {
        var session = await api.CreateSessionAsync(await api.CreateStudyAsync("No token study"), "S", "focus-group");
        var sessionId = session.SessionId;

        var page = await OpenRoomAsync(sessionId, token: null);
        await Expect(page.Locator("[data-testid=observer-no-access]")).ToContainTextAsync("Open your observer invite link to enter this room");
        await Expect(page.Locator("[data-testid=observer-room]")).ToHaveCountAsync(0);
        await Pages.ScreenshotAsync(page, "observer-no-access");

        // A participant's token is not an observer's.
        var participant = await api.JoinAsync(sessionId, "participant");
        var other = await OpenRoomAsync(sessionId, participant.Token);
        await Expect(other.Locator("[data-testid=observer-no-access]")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task Observer_SeesPromptAddedMidSession_AndIsShownOutWhenTheInviteIsRevoked()
    {
        var session = await api.CreateSessionAsync(await api.CreateStudyAsync("Revocation study"), "Landing page focus group", "focus-group",
            prompts: [new { kind = "question", text = "What do you use today?" }]);
        var sessionId = session.SessionId;
        var observer = await api.JoinAsync(sessionId, "observer");
        var page = await OpenRoomAsync(sessionId, observer.Token);
        await Expect(page.Locator("[data-testid=observer-room]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=note-tag]")).ToHaveCountAsync(0);

        // A stimulus added to the guide after the observer joined still shows, image and all.
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, sessionId);
        await facilitator.InvokeAsync("StartSession");
        await Expect(page.Locator("[data-testid=room-prompt]")).ToContainTextAsync("The session is live");
        var added = await api.PostAsync($"/api/sessions/{sessionId}/prompts", new { kind = "stimulus", text = "The new landing page", url = fixture.App.BaseUrl + "/favicon.svg" });
        await facilitator.InvokeAsync("ShowPrompt", added.GetProperty("id").GetString()!);
        await Expect(page.Locator("[data-testid=room-prompt-text]")).ToHaveTextAsync("The new landing page");
        await Expect(page.Locator("[data-testid=room-prompt] img")).ToBeVisibleAsync();
        await Pages.ScreenshotAsync(page, "observer-stimulus");

        // Untagged notes work in a session without tags.
        var noteText = page.Locator("textarea[data-testid=note-text]");
        await noteText.FillAsync("Everyone looked at the hero image first");
        await page.Locator("[data-testid=note-send]").ClickAsync();
        await Expect(page.Locator("[data-testid=feed-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=feed-item] [data-testid=feed-tag]")).ToHaveCountAsync(0);

        // The facilitator revokes the observer's invite: the room closes at once, and stays closed.
        var invites = await api.GetAsync($"/api/sessions/{sessionId}/invites");
        var invite = invites.EnumerateArray().Single(i => i.GetProperty("role").GetString() == "observer");
        await api.DeleteAsync($"/api/sessions/{sessionId}/invites/{invite.GetProperty("id").GetString()}");
        await Expect(page.Locator("[data-testid=observer-closed]")).ToContainTextAsync("revoked");
        await Expect(page.Locator("[data-testid=observer-room]")).ToHaveCountAsync(0);
        await Pages.ScreenshotAsync(page, "observer-revoked");
        await Pages.GoAsync(page, $"/observe/{sessionId}");
        await Expect(page.Locator("[data-testid=observer-no-access]")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    /// <summary>Stores the token as the invite page does (when given), then opens the room and waits for the circuit.</summary>

    private Task<IPage> OpenRoomAsync(string sessionId, string? token) => Pages.OpenObserverRoomAsync(fixture, sessionId, token);
}
