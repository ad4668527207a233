using Microsoft.Playwright;
using SessionRoom.Testing;
using static Microsoft.Playwright.Assertions;
using static SessionRoom.E2ETests.Events;

namespace SessionRoom.E2ETests;

/// <summary>
/// The participant page (/join/{token}) on a phone-sized screen: consent, waiting, answering each
/// kind of prompt, reactions, the friendly error for a dead link, and the offline outbox. The
/// facilitator side is driven through the hub from a second browser page (the e2e project has no
/// .NET SignalR client), with the same SignalR browser client the participant page uses.
/// </summary>
public sealed class ParticipantPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private readonly TestApi api = fixture.Api;

    [Fact]
    public async Task Participant_ConsentsWaitsAnswersPollReactsAndSus_AnswersAreStored()
    {
        var setup = await SessionWithInviteAsync(
            "Checkout test, round 1",
            ["confused", "delight", "pricing"],
            new { kind = "poll", text = "Which plan would you pick today?", options = new[] { "Free", "Pro", "Team" }, multiple = false },
            new { kind = "sus", text = "System Usability Scale" },
            new { kind = "seq", text = "Overall, how easy was it to find the plan you wanted?" });
        var (context, page) = await PhoneAsync();

        // Welcome and consent.
        // Welcome and consent: a study without its own consent text gets the default one.
        await page.GotoAsync("/join/" + setup.Token);
        await Expect(page.Locator("[data-testid=consent]")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You've been invited to a research session" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=study-name]")).ToHaveTextAsync("Participant page study");
        await Expect(page.Locator("[data-testid=consent-session-title]")).ToHaveTextAsync("Checkout test, round 1");
        await Expect(page.Locator("[data-testid=consent-text]")).ToContainTextAsync("recorded for research");
        await Expect(page.Locator("[data-testid=consent-text]")).ToContainTextAsync("code like P3");
        await ScreenshotAsync(page, "participant-consent-default");
        await page.GetByLabel("Your first name (optional)").FillAsync("Dana");

        // Joining needs the explicit agreement; nothing is created before it.
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=agree-error]")).ToHaveTextAsync("Please tick the box to agree before you join.");
        await Expect(page.Locator("[data-testid=agree]")).ToBeFocusedAsync();
        await Expect(page.Locator("[data-testid=consent]")).ToBeVisibleAsync();
        Assert.DoesNotContain(await api.EventsAsync(setup.SessionId), e => Type(e) == "member-joined");
        await page.GetByLabel("I have read this and I agree to take part.").CheckAsync();
        await Expect(page.Locator("[data-testid=agree-error]")).ToBeHiddenAsync();
        await AssertFitsAsync(page);
        await page.Locator("[data-testid=join]").ClickAsync();

        // Waiting for the start.
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await Expect(page.Locator("[data-testid=member-code]")).ToHaveTextAsync("You are P1");
        await Expect(page.Locator("[data-testid=session-title]")).ToHaveTextAsync("Checkout test, round 1");
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("[data-testid=connection]")).ToHaveTextAsync("Connected");
        await Expect(page.Locator("[data-testid=reactions]")).ToBeHiddenAsync();
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-waiting");
        var memberId = await StoredMemberIdAsync(page);

        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
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
        await AssertFitsAsync(page);
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
        await AssertFitsAsync(page);
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
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-seq");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
        var seq = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[2]);
        Assert.Equal(6, seq.GetProperty("data").GetProperty("rating").GetInt32());

        // The end; a reload keeps the member (no second consent) and shows the same state.
        await facilitator.InvokeAsync("EndSession");
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Thank you! The session has ended.");
        await Expect(page.Locator("[data-testid=reactions]")).ToBeHiddenAsync();
        await Expect(page.Locator("[data-testid=connection]")).ToBeHiddenAsync();
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-thanks");
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Thank you! The session has ended.");
        await Expect(page.Locator("[data-testid=consent]")).ToBeHiddenAsync();
        Assert.Equal(memberId, await StoredMemberIdAsync(page));
        Assert.Empty(_cspViolations);
        await context.CloseAsync();
    }

    [Fact]
    public async Task InvalidLink_ShowsFriendlyError()
    {
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/not-a-real-invite-token");
        // The preview already refuses the link: no consent form for a link that cannot work.
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
        var setup = await SessionWithInviteAsync("Revoked", [], new { kind = "question", text = "Hello?" });
        var (context, page) = await PhoneAsync();
        await JoinAsync(page, setup.Token);
        await Expect(page.Locator("[data-testid=connection]")).ToHaveAttributeAsync("data-state", "connected");

        var invites = await api.GetAsync($"/api/sessions/{setup.SessionId}/invites");
        await api.DeleteAsync($"/api/sessions/{setup.SessionId}/invites/{invites[0].GetProperty("id").GetString()}");

        await Expect(page.Locator("[data-testid=link-error]")).ToContainTextAsync("This link doesn't work any more");
        await Expect(page.Locator("[data-testid=connection]")).ToBeHiddenAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).length"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task ObserverInvite_JoinsWithoutConsent_AndOpensTheObserverRoom()
    {
        var setup = await SessionWithInviteAsync("Observer link", [], new { kind = "question", text = "Hello?" });
        var invite = await api.InviteAsync(setup.SessionId, "observer");
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + invite);
        // Observers are not asked for the participants' consent; they only join.
        await Expect(page.Locator("[data-testid=consent-heading]")).ToHaveTextAsync("You've been invited to observe a research session");
        await Expect(page.Locator("[data-testid=agree]")).ToBeHiddenAsync();
        await Expect(page.Locator("[data-testid=consent-text]")).ToBeHiddenAsync();
        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page).ToHaveURLAsync(fixture.App.BaseUrl + "/observe/" + setup.SessionId);
        await Expect(page.Locator("[data-testid=observer-room]")).ToBeVisibleAsync();
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await api.EventsAsync(setup.SessionId)).Count(e => Type(e) == "member-joined") != 1)
        {
            Assert.True(DateTime.UtcNow < until, "the observer room did not join the session as O1");
            await Task.Delay(100);
        }
        await context.CloseAsync();
    }

    [Fact]
    public async Task Offline_AnswerWaitsInOutbox_ArrivesExactlyOnce_EvenWhenReplayed()
    {
        var setup = await SessionWithInviteAsync(
            "Offline outbox",
            ["confused"],
            new { kind = "question", text = "What would you change first?" },
            new { kind = "stimulus", text = "Here is the new pricing page.", url = fixture.App.BaseUrl + "/favicon.svg" });
        var (context, page) = await PhoneAsync();
        await JoinAsync(page, setup.Token);
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
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
        await AssertFitsAsync(page);
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
        await AssertFitsAsync(page);

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
        var setup = await SessionWithInviteAsync(
            "Server restart",
            ["confused"],
            new { kind = "task", text = "Find the returns policy.", successCriteria = "Returns page open" });
        var (context, page) = await PhoneAsync();
        await JoinAsync(page, setup.Token);
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await using (var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        }
        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Find the returns policy.");
        await Expect(page.Locator("[data-testid=task-done]")).ToHaveTextAsync("I'm done");
        await Expect(page.Locator("[data-testid=prompt]")).Not.ToContainTextAsync("Returns page open");

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

    [Fact]
    public async Task Task_WithShowCriteria_ShowsTheCriteria_AndATaskWithoutItDoesNot()
    {
        var setup = await SessionWithInviteAsync(
            "Criteria shown",
            ["confused"],
            new { kind = "task", text = "Add a blue mug to your basket.", successCriteria = "The basket shows one blue mug.", showCriteria = true },
            new { kind = "task", text = "Pay for the mug.", successCriteria = "Order confirmation page" });
        var (context, page) = await PhoneAsync();
        await JoinAsync(page, setup.Token);
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);

        await Expect(page.Locator("[data-testid=task-criteria]")).ToContainTextAsync("The basket shows one blue mug.");
        await Pages.ScreenshotAsync(page, "participant-task-criteria");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[1]);
        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Pay for the mug.");
        await Expect(page.Locator("[data-testid=task-criteria]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=prompt]")).Not.ToContainTextAsync("Order confirmation page");
        Assert.Empty(_cspViolations);
        await context.CloseAsync();
    }

    [Fact]
    public async Task Consent_ShowsTheStudysConsentTextSetThroughTheApi_WithItsLineBreaks()
    {
        const string Consent =
            "We are testing the new checkout, not you.\n\n"
            + "• The session is recorded (screen and voice) and lasts about 45 minutes.\n"
            + "• Only the research team sees the recording; reports use a code like P3 instead of your name.\n"
            + "• You can stop at any time without giving a reason.\n\n"
            + "Questions? Write to research@example.test.";
        var setup = await SessionWithInviteAsync(
            "Checkout test, round 2", [], [new { kind = "question", text = "What do you use today?" }],
            studyName: "Checkout redesign 2026", consentText: Consent);
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);

        var text = page.Locator("[data-testid=consent-text]");
        await Expect(text).ToBeVisibleAsync();
        Assert.Equal(Consent, await text.TextContentAsync());
        Assert.Equal("pre-line", await text.EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace"));
        // Line breaks are kept on screen: the paragraph break makes the box taller than one line per sentence.
        Assert.Contains("not you.\n\n", await text.InnerTextAsync(), StringComparison.Ordinal);
        await Expect(text).Not.ToContainTextAsync("recorded for research");
        await Expect(page.Locator("[data-testid=study-name]")).ToHaveTextAsync("Checkout redesign 2026");
        await Expect(page.Locator("[data-testid=consent-session-title]")).ToHaveTextAsync("Checkout test, round 2");
        await Expect(page.Locator("[data-testid=session-title]")).ToHaveTextAsync("Checkout test, round 2");
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-consent");
        await page.Locator("[data-testid=agree]").CheckAsync();
        await page.Locator("[data-testid=display-name]").FillAsync("Robin");
        await ScreenshotAsync(page, "participant-consent-agreed");

        await page.Locator("[data-testid=join]").ClickAsync();
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        var joined = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "member-joined");
        Assert.Equal("Robin", joined.GetProperty("data").GetProperty("displayName").GetString());
        await context.CloseAsync();
    }

    [Fact]
    public async Task Task_ImStuckAndImDone_AreStoredAsAnswersToTheTask_AndSuccessCriteriaStayHidden()
    {
        var setup = await SessionWithInviteAsync(
            "Help centre, round 1",
            ["confused"],
            new { kind = "question", text = "Warm-up: when did you last return something you bought online?" },
            new { kind = "task", text = "Find out how long you have to return a pair of shoes.\nStart from the home page.", successCriteria = "Returns page open, 30 days read out" });
        var (context, page) = await PhoneAsync();
        await JoinAsync(page, setup.Token);
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[1]);

        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Find out how long you have to return a pair of shoes.\nStart from the home page.");
        await Expect(page.Locator("[data-testid=prompt-kind]")).ToHaveTextAsync("Task");
        await Expect(page.Locator("[data-testid=task-done]")).ToHaveTextAsync("I'm done");
        await Expect(page.Locator("[data-testid=task-stuck]")).ToHaveTextAsync("I'm stuck");
        await Expect(page.Locator("[data-testid=send-answer]")).ToHaveTextAsync("Send comment");
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-task");

        // "I'm stuck" goes through the outbox as an answer to the task with exactly that text.
        await page.Locator("[data-testid=task-stuck]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToContainTextAsync("The facilitator knows you're stuck");
        await Expect(page.Locator("[data-testid=task-stuck]")).ToHaveAttributeAsync("aria-pressed", "true");
        var stuck = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[1]);
        Assert.Equal("I'm stuck", stuck.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(await StoredMemberIdAsync(page), stuck.GetProperty("participantId").GetString());
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-task-stuck");

        // A comment typed meanwhile survives the signal; then "I'm done".
        await page.Locator("[data-testid=answer-text]").FillAsync("The returns link is in the footer only.");
        await page.Locator("[data-testid=task-done]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToContainTextAsync("the facilitator knows you're done");
        await Expect(page.Locator("[data-testid=answer-text]")).ToHaveValueAsync("The returns link is in the footer only.");
        await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[1]
            && e.GetProperty("data").GetProperty("text").GetString() == "I'm done");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToContainTextAsync("Thanks — your comment was sent");
        await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[1]
            && e.GetProperty("data").GetProperty("text").GetString() == "The returns link is in the footer only.");
        var texts = (await api.EventsAsync(setup.SessionId)).Where(e => Type(e) == "answer")
            .Select(e => e.GetProperty("data").GetProperty("text").GetString()).ToList();
        Assert.Equal(["I'm stuck", "I'm done", "The returns link is in the footer only."], texts);

        // The success criteria are the facilitator's: not on screen and not kept on the device.
        Assert.DoesNotContain("30 days read out", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("30 days read out", await page.EvaluateAsync<string>("() => JSON.stringify(localStorage)"), StringComparison.Ordinal);
        await context.CloseAsync();
    }

    [Fact]
    public async Task ScriptInjection_InStudySessionConsentAndPollOptions_RendersAsText_AndRunsNothing()
    {
        const string Img = "<img src=x onerror=\"window.__pwned=1\">";
        const string Script = "<script>window.__pwned=1</script>";
        var setup = await SessionWithInviteAsync(
            "Title " + Img + " " + Script,
            [],
            [new { kind = "poll", text = "Pick " + Script, options = new[] { Img, Script, "Plain" }, multiple = false }],
            studyName: "Study " + Img,
            consentText: "Consent " + Img + "\n" + Script);
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);

        await Expect(page.Locator("[data-testid=consent-text]")).ToHaveTextAsync("Consent " + Img + "\n" + Script);
        await Expect(page.Locator("[data-testid=study-name]")).ToHaveTextAsync("Study " + Img);
        await Expect(page.Locator("[data-testid=consent-session-title]")).ToHaveTextAsync("Title " + Img + " " + Script);
        await Expect(page.Locator("[data-testid=session-title]")).ToHaveTextAsync("Title " + Img + " " + Script);
        await JoinFromConsentAsync(page);
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await Expect(page.Locator("[data-testid=session-title]")).ToHaveTextAsync("Title " + Img + " " + Script);

        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        await Expect(page.Locator("[data-testid=prompt-text]")).ToHaveTextAsync("Pick " + Script);
        await Expect(page.Locator("[data-testid=poll-option]")).ToHaveTextAsync([Img, Script, "Plain"]);
        await page.Locator("[data-testid=poll-option]").First.ClickAsync();
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-summary]")).ToContainTextAsync(Img);
        await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer");

        // Nothing was parsed as markup: no injected element exists and nothing ran.
        Assert.Equal(0, await page.Locator("img[src=x], main script, header script").CountAsync());
        await Task.Delay(300);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"));
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=answer-summary]")).ToContainTextAsync(Img);
        await page.Locator("[data-testid=change-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=poll-option]")).ToHaveTextAsync([Img, Script, "Plain"]);
        Assert.Equal(0, await page.Locator("img[src=x]").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task EveryPromptKind_At360px_FitsTheScreen_EvenWithLongWords()
    {
        var setup = await SessionWithInviteAsync(
            "Pricing page interviews, round 3 (mobile)",
            ["confused", "delight", "too-expensive", "love-it"],
            new { kind = "question", text = "What do you use today to plan your team's week?" },
            new { kind = "poll", text = "Which of these have you used in the last month?", options = new[] { "Shared calendar", "Spreadsheet", "Paper notebook", "A whiteboard in the office", "Something else" }, multiple = true },
            new { kind = "rating", text = "How likely are you to recommend the planner to a colleague?", scaleMax = 10 },
            new { kind = "stimulus", text = "Here is the new pricing page. Take a minute to look at it.", url = "https://stimuli.example.test/pricing-page.svg" },
            new { kind = "poll", text = "Longest words", options = new[] { new string('W', 180), "https://example.test/" + new string('a', 150), "Short" }, multiple = false },
            new { kind = "question", text = "Supercalifragilisticexpialidocious" + new string('x', 160) + " and some words." });
        var (context, page) = await PhoneAsync();
        // The stimulus lives on another site; the browser gets a mock-up of a pricing page from it.
        await context.RouteAsync("https://stimuli.example.test/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "image/svg+xml",
            Body = PricingPageSvg,
        }));
        await JoinAsync(page, setup.Token);
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        await Expect(page.Locator("[data-testid=prompt-kind]")).ToHaveTextAsync("Question");
        await Expect(page.Locator("[data-testid=reaction]")).ToHaveCountAsync(4);
        await page.Locator("[data-testid=answer-text]").FillAsync("Mostly a shared calendar, plus a spreadsheet for the rota.");
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-question");

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[1]);
        await Expect(page.Locator("[data-testid=poll-option]")).ToHaveCountAsync(5);
        await Expect(page.Locator("[data-testid=prompt]")).ToContainTextAsync("Choose all that apply");
        await page.Locator("[data-testid=poll-option]").Nth(0).ClickAsync();
        await page.Locator("[data-testid=poll-option]").Nth(1).ClickAsync();
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-poll-multiple");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        var multiple = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[1]);
        Assert.Equal([0, 1], multiple.GetProperty("data").GetProperty("choices").EnumerateArray().Select(c => c.GetInt32()));

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[2]);
        await Expect(page.Locator("[data-testid=rating-option]")).ToHaveCountAsync(10);
        await page.Locator("[data-testid=rating-option][data-value='8']").ClickAsync();
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-rating");
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        var rating = await api.EventuallyAsync(setup.SessionId, e => Type(e) == "answer" && Prompt(e) == setup.PromptIds[2]);
        Assert.Equal(8, rating.GetProperty("data").GetProperty("rating").GetInt32());

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[3]);
        await Expect(page.Locator("[data-testid=stimulus-image]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=stimulus-image]").EvaluateAsync("img => img.decode()");
        await Expect(page.Locator("[data-testid=stimulus-link]")).ToHaveAttributeAsync("href", "https://stimuli.example.test/pricing-page.svg");
        await page.Locator("[data-testid=answer-text]").FillAsync("The Team plan looks like the obvious pick, but I can't see what's in Pro.");
        await AssertFitsAsync(page);
        await ScreenshotAsync(page, "participant-stimulus");

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[4]);
        await Expect(page.Locator("[data-testid=poll-option]")).ToHaveCountAsync(3);
        await page.Locator("[data-testid=poll-option]").Nth(0).ClickAsync();
        await AssertFitsAsync(page);
        await page.Locator("[data-testid=send-answer]").ClickAsync();
        await Expect(page.Locator("[data-testid=answer-sent]")).ToBeVisibleAsync();
        await AssertFitsAsync(page);

        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[5]);
        await Expect(page.Locator("[data-testid=prompt-text]")).ToContainTextAsync("and some words.");
        await AssertFitsAsync(page);
        await context.CloseAsync();
    }

    [Fact]
    public async Task LongTitlesAndNames_At360px_DoNotOverflowTheConsentOrTheHeader()
    {
        var setup = await SessionWithInviteAsync(
            "A" + new string('b', 190),
            [new string('t', 40)],
            [new { kind = "question", text = "Hello?" }],
            studyName: "S" + new string('t', 190),
            consentText: "Consent " + new string('c', 300) + "\nSecond line.");
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);
        await Expect(page.Locator("[data-testid=consent-text]")).ToContainTextAsync("Second line.");
        await AssertFitsAsync(page);
        await JoinFromConsentAsync(page);
        await Expect(page.Locator("[data-testid=status-heading]")).ToHaveTextAsync("Waiting for the session to start");
        await using var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId);
        await facilitator.InvokeAsync("StartSession");
        await facilitator.InvokeAsync("ShowPrompt", setup.PromptIds[0]);
        await Expect(page.Locator("[data-testid=reaction]")).ToHaveCountAsync(1);
        await AssertFitsAsync(page);
        await context.CloseAsync();
    }

    [Fact]
    public async Task EndedSession_NewLink_SaysSoInsteadOfAskingForConsent()
    {
        var setup = await SessionWithInviteAsync("Already over", [], new { kind = "question", text = "Hello?" });
        await using (var facilitator = await HubDriver.FacilitatorAsync(fixture, setup.SessionId))
        {
            await facilitator.InvokeAsync("StartSession");
            await facilitator.InvokeAsync("EndSession");
        }
        var (context, page) = await PhoneAsync();
        await page.GotoAsync("/join/" + setup.Token);
        await Expect(page.Locator("[data-testid=ended]")).ToContainTextAsync("This session has already ended");
        await Expect(page.Locator("[data-testid=consent]")).ToBeHiddenAsync();
        await context.CloseAsync();
    }

    private async Task<(IBrowserContext Context, IPage Page)> PhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 360, Height = 740 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        // The page runs under a strict Content-Security-Policy; anything it blocks shows up here.
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _cspViolations.Add(message.Text);
            }
        };
        return (context, page);
    }

    private readonly List<string> _cspViolations = [];

    /// <summary>A full-page screenshot from the top, so the sticky header sits where it belongs, with no hover left over.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.Mouse.MoveAsync(1, 1);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        // Transitions finish first (a Send button just enabled is not caught half-way through its colour change).
        await page.ScreenshotAsync(new()
        {
            Path = Path.Combine(Repo.Artifacts, name + ".png"),
            FullPage = true,
            Animations = ScreenshotAnimations.Disabled,
        });
    }

    /// <summary>Opens the invite link, agrees on the consent screen and joins.</summary>
    private static async Task JoinAsync(IPage page, string token)
    {
        await page.GotoAsync("/join/" + token);
        await JoinFromConsentAsync(page);
    }

    private static async Task JoinFromConsentAsync(IPage page)
    {
        await Expect(page.Locator("[data-testid=consent]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=agree]").CheckAsync();
        await page.Locator("[data-testid=join]").ClickAsync();
    }

    /// <summary>Nothing sticks out sideways on the phone: no horizontal scrolling, no element past either edge.</summary>
    private static async Task AssertFitsAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<string[]>(
            """
            () => {
              const width = window.innerWidth;
              const out = [];
              if (document.documentElement.scrollWidth > width) out.push(`page is ${document.documentElement.scrollWidth}px wide`);
              for (const e of document.querySelectorAll("body *")) {
                if (e.closest(".sr-only, [hidden], script, noscript") || e.getClientRects().length === 0) continue;
                const r = e.getBoundingClientRect();
                if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
                  out.push(`${e.tagName.toLowerCase()}${e.dataset.testid ? "[" + e.dataset.testid + "]" : ""}.${e.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
                }
              }
              return out;
            }
            """);
        Assert.True(overflow.Length == 0, "Overflows at " + await page.EvaluateAsync<int>("() => window.innerWidth") + "px: " + string.Join("; ", overflow));
    }

    /// <summary>A plain mock-up of a pricing page, the kind of image a stimulus prompt shows.</summary>
    private const string PricingPageSvg =
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="800" height="560" viewBox="0 0 800 560" font-family="sans-serif">
          <rect width="800" height="560" fill="#f7f8fc"/>
          <rect width="800" height="64" fill="#ffffff"/>
          <rect x="32" y="20" width="120" height="24" rx="6" fill="#3949ab"/>
          <rect x="560" y="26" width="60" height="12" rx="6" fill="#c5cae9"/>
          <rect x="640" y="26" width="60" height="12" rx="6" fill="#c5cae9"/>
          <text x="400" y="130" font-size="36" font-weight="700" fill="#1f2333" text-anchor="middle">Simple pricing</text>
          <text x="400" y="166" font-size="18" fill="#5f6475" text-anchor="middle">Plan your team's week in minutes</text>
          <g>
            <rect x="40" y="210" width="220" height="300" rx="16" fill="#ffffff" stroke="#dcdfeb" stroke-width="2"/>
            <text x="150" y="256" font-size="22" font-weight="700" fill="#1f2333" text-anchor="middle">Free</text>
            <text x="150" y="316" font-size="44" font-weight="700" fill="#1f2333" text-anchor="middle">£0</text>
            <rect x="80" y="350" width="140" height="10" rx="5" fill="#eceef5"/>
            <rect x="80" y="374" width="120" height="10" rx="5" fill="#eceef5"/>
            <rect x="70" y="440" width="160" height="44" rx="10" fill="#ffffff" stroke="#3949ab" stroke-width="2"/>
            <text x="150" y="468" font-size="16" font-weight="700" fill="#3949ab" text-anchor="middle">Start free</text>
          </g>
          <g>
            <rect x="290" y="196" width="220" height="328" rx="16" fill="#ffffff" stroke="#3949ab" stroke-width="3"/>
            <rect x="350" y="182" width="100" height="28" rx="14" fill="#3949ab"/>
            <text x="400" y="201" font-size="14" font-weight="700" fill="#ffffff" text-anchor="middle">POPULAR</text>
            <text x="400" y="256" font-size="22" font-weight="700" fill="#1f2333" text-anchor="middle">Team</text>
            <text x="400" y="316" font-size="44" font-weight="700" fill="#1f2333" text-anchor="middle">£8</text>
            <rect x="330" y="350" width="140" height="10" rx="5" fill="#e8eaf6"/>
            <rect x="330" y="374" width="120" height="10" rx="5" fill="#e8eaf6"/>
            <rect x="330" y="398" width="130" height="10" rx="5" fill="#e8eaf6"/>
            <rect x="320" y="454" width="160" height="44" rx="10" fill="#3949ab"/>
            <text x="400" y="482" font-size="16" font-weight="700" fill="#ffffff" text-anchor="middle">Try Team</text>
          </g>
          <g>
            <rect x="540" y="210" width="220" height="300" rx="16" fill="#ffffff" stroke="#dcdfeb" stroke-width="2"/>
            <text x="650" y="256" font-size="22" font-weight="700" fill="#1f2333" text-anchor="middle">Pro</text>
            <text x="650" y="316" font-size="30" font-weight="700" fill="#5f6475" text-anchor="middle">Contact us</text>
            <rect x="580" y="350" width="140" height="10" rx="5" fill="#eceef5"/>
            <rect x="570" y="440" width="160" height="44" rx="10" fill="#ffffff" stroke="#3949ab" stroke-width="2"/>
            <text x="650" y="468" font-size="16" font-weight="700" fill="#3949ab" text-anchor="middle">Talk to sales</text>
          </g>
        </svg>
        """;

    private static ILocator SusOption(IPage page, int item, int score) =>
        page.Locator($"[data-testid=sus-option][data-item='{item}'][data-value='{score}']");

    private static Task<string> StoredMemberIdAsync(IPage page) =>
        page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':member')))).memberId");

    private sealed record Setup(string SessionId, string Token, IReadOnlyList<string> PromptIds);

    private Task<Setup> SessionWithInviteAsync(string title, string[] tags, params object[] prompts) =>
        SessionWithInviteAsync(title, tags, prompts, studyName: "Participant page study", consentText: null);

    /// <summary>A new study (with its consent text set through <c>PUT /api/studies/{id}</c>), a session and a participant invite.</summary>
    private async Task<Setup> SessionWithInviteAsync(string title, string[] tags, object[] prompts, string studyName, string? consentText)
    {
        const string Goal = "Learn what gets in people's way.";
        var studyId = await api.CreateStudyAsync(studyName, Goal);
        if (consentText is not null)
        {
            await api.SetConsentTextAsync(studyId, studyName, Goal, consentText);
        }
        var session = await api.CreateSessionAsync(studyId, title, "usability", tags, prompts);
        return new Setup(session.SessionId, await api.InviteAsync(session.SessionId, "participant"), session.PromptIds);
    }
}
