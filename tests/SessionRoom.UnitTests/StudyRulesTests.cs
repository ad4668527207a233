using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

public class StudyRulesTests
{
    private static ValidationErrors Fails(Action act)
    {
        var e = Assert.Throws<InputException>(act);
        Assert.False(e.Errors.IsEmpty);
        Assert.All(e.Errors.ToDictionary().Values.SelectMany(v => v), m => Assert.False(string.IsNullOrWhiteSpace(m)));
        return e.Errors;
    }

    private static void AssertKey(ValidationErrors errors, string key)
    {
        var all = errors.ToDictionary();
        Assert.True(all.ContainsKey(key), $"Expected an error for \"{key}\"; got: {string.Join(", ", all.Keys)}");
        Assert.NotEmpty(errors.For(key));
        Assert.All(errors.For(key), m => Assert.False(string.IsNullOrWhiteSpace(m)));
    }

    private static SessionInput SessionWith(params PromptInput?[] prompts) =>
        new("Checkout test", SessionModes.Usability, null, prompts);

    private static ValidSession ValidWith(params PromptInput?[] prompts) => StudyRules.Session(SessionWith(prompts));

    // ---- Study ----

    [Fact]
    public void Study_NullInput_ReportsBody()
    {
        AssertKey(Fails(() => StudyRules.Study(null)), "body");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Study_MissingOrBlankName_ReportsName(string? name)
    {
        AssertKey(Fails(() => StudyRules.Study(new StudyInput(name))), "name");
    }

    [Theory]
    [InlineData(201)]
    [InlineData(10_000)]
    public void Study_NameTooLong_ReportsName(int length)
    {
        var errors = Fails(() => StudyRules.Study(new StudyInput(new string('n', length))));
        AssertKey(errors, "name");
        Assert.Contains(errors.For("name"), m => m.Contains("200"));
    }

    [Fact]
    public void Study_NameOf200_IsAccepted()
    {
        var name = new string('n', 200);
        Assert.Equal(name, StudyRules.Study(new StudyInput(name)).Name);
    }

    [Fact]
    public void Study_PaddedNameAndGoal_AreTrimmed()
    {
        var study = StudyRules.Study(new StudyInput("  Checkout  ", "  Find the drop-off \n"));
        Assert.Equal("Checkout", study.Name);
        Assert.Equal("Find the drop-off", study.Goal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("    ")]
    public void Study_BlankGoal_BecomesNull(string? goal)
    {
        Assert.Null(StudyRules.Study(new StudyInput("Name", goal)).Goal);
    }

    [Fact]
    public void Study_GoalTooLong_ReportsGoal()
    {
        AssertKey(Fails(() => StudyRules.Study(new StudyInput("Name", new string('g', Limits.GoalMax + 1)))), "goal");
    }

    // ---- Session ----

    [Fact]
    public void Session_NullInput_ReportsBody()
    {
        AssertKey(Fails(() => StudyRules.Session(null)), "body");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Usability")]
    [InlineData("interview")]
    [InlineData(" usability")]
    public void Session_UnknownMode_ReportsMode(string? mode)
    {
        AssertKey(Fails(() => StudyRules.Session(new SessionInput("Title", mode))), "mode");
    }

    [Fact]
    public void Session_MissingTitle_ReportsTitle()
    {
        AssertKey(Fails(() => StudyRules.Session(new SessionInput(null, SessionModes.FocusGroup))), "title");
    }

    [Theory]
    [InlineData(201)]
    [InlineData(10_000)]
    public void Session_TitleTooLong_ReportsTitle(int length)
    {
        AssertKey(Fails(() => StudyRules.Session(new SessionInput(new string('t', length), SessionModes.FocusGroup))), "title");
    }

    [Fact]
    public void Session_SeveralProblems_ReportsEveryOne()
    {
        var errors = Fails(() => StudyRules.Session(new SessionInput("", "nope", null, [new PromptInput("question", "")])));
        AssertKey(errors, "title");
        AssertKey(errors, "mode");
        AssertKey(errors, "prompts[0].text");
    }

    [Fact]
    public void Session_AllSevenKinds_AreAcceptedAndTrimmed()
    {
        var session = StudyRules.Session(new SessionInput(
            "  Checkout test  ",
            SessionModes.Usability,
            [" confused ", "delight"],
            [
                new PromptInput("question", " What do you use today? "),
                new PromptInput("poll", "Which plan?", [" Free ", "Pro"], true),
                new PromptInput("rating", "How likely", ScaleMax: 10),
                new PromptInput("task", "Buy a mug", SuccessCriteria: " Order shown "),
                new PromptInput("stimulus", "Landing", Url: " https://example.test/a.png "),
                new PromptInput("seq", "How easy?"),
                new PromptInput("sus", "SUS"),
            ]));
        Assert.Equal("Checkout test", session.Title);
        Assert.Equal(SessionModes.Usability, session.Mode);
        Assert.Equal(["confused", "delight"], session.Tags!);
        Assert.Equal(["question", "poll", "rating", "task", "stimulus", "seq", "sus"], session.Prompts.Select(p => p.Kind));
        Assert.Equal("What do you use today?", session.Prompts[0].Text);
        Assert.Equal(["Free", "Pro"], session.Prompts[1].Options!);
        Assert.True(session.Prompts[1].Multiple);
        Assert.Equal(10, session.Prompts[2].ScaleMax);
        Assert.Equal("Order shown", session.Prompts[3].SuccessCriteria);
        Assert.Equal("https://example.test/a.png", session.Prompts[4].Url);
        Assert.Null(session.Prompts[0].Options);
        Assert.Null(session.Prompts[0].Multiple);
    }

    [Fact]
    public void Session_PollWithoutMultiple_DefaultsToSingleChoice()
    {
        var p = ValidWith(new PromptInput("poll", "Which?", ["A", "B"])).Prompts.Single();
        Assert.False(p.Multiple);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Question")]
    [InlineData("essay")]
    public void Session_UnknownPromptKind_ReportsKind(string? kind)
    {
        var errors = Fails(() => ValidWith(new PromptInput("question", "fine"), new PromptInput(kind, "Text")));
        AssertKey(errors, "prompts[1].kind");
        Assert.DoesNotContain("prompts[0].kind", errors.ToDictionary().Keys);
    }

    [Fact]
    public void Session_PollWithoutOptions_ReportsOptions()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("question", "ok"), new PromptInput("poll", "Which?"))), "prompts[1].options");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(21)]
    public void Session_PollWithWrongOptionCount_ReportsOptions(int count)
    {
        var options = Enumerable.Range(1, count).Select(i => (string?)$"Option {i}").ToList();
        AssertKey(Fails(() => ValidWith(new PromptInput("poll", "Which?", options))), "prompts[0].options");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public void Session_PollWithOptionCountAtLimit_IsAccepted(int count)
    {
        var options = Enumerable.Range(1, count).Select(i => (string?)$"Option {i}").ToList();
        Assert.Equal(count, ValidWith(new PromptInput("poll", "Which?", options)).Prompts[0].Options!.Count);
    }

    [Fact]
    public void Session_PollWithDuplicateOptions_ReportsTheRepeat()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("poll", "Which?", ["Free", "Pro", " free "]))), "prompts[0].options[2]");
    }

    [Fact]
    public void Session_PollWithBlankOrLongOption_ReportsThatOption()
    {
        var errors = Fails(() => ValidWith(new PromptInput("poll", "Which?", ["Free", " ", new string('o', 201)])));
        AssertKey(errors, "prompts[0].options[1]");
        AssertKey(errors, "prompts[0].options[2]");
    }

    [Fact]
    public void Session_MultipleOnQuestion_IsRejected()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("question", "Why?", Multiple: true))), "prompts[0].multiple");
    }

    [Fact]
    public void Session_FieldsOfOtherKinds_AreRejected()
    {
        var errors = Fails(() => ValidWith(
            new PromptInput("question", "Why?", Options: ["a", "b"]),
            new PromptInput("poll", "Which?", ["a", "b"], ScaleMax: 5),
            new PromptInput("rating", "How?", ScaleMax: 5, Url: "https://example.test"),
            new PromptInput("stimulus", "Look", Url: "https://example.test", SuccessCriteria: "seen")));
        AssertKey(errors, "prompts[0].options");
        AssertKey(errors, "prompts[1].scaleMax");
        AssertKey(errors, "prompts[2].url");
        AssertKey(errors, "prompts[3].successCriteria");
    }

    [Fact]
    public void Task_ShowCriteria_IsOffByDefault_AndNeedsCriteriaToShow()
    {
        Assert.False(StudyRules.Prompt(new PromptInput("task", "Buy a mug", SuccessCriteria: "Order shown")).ShowCriteria);
        Assert.True(StudyRules.Prompt(new PromptInput("task", "Buy a mug", SuccessCriteria: "Order shown", ShowCriteria: true)).ShowCriteria);
        Assert.Null(StudyRules.Prompt(new PromptInput("question", "Why?")).ShowCriteria);
        AssertKey(Fails(() => ValidWith(new PromptInput("task", "Buy a mug", ShowCriteria: true))), "prompts[0].showCriteria");
        AssertKey(Fails(() => ValidWith(new PromptInput("question", "Why?", ShowCriteria: false))), "prompts[0].showCriteria");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)]
    public void Session_RatingScaleOutOfRange_ReportsScaleMax(int scaleMax)
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("rating", "How?", ScaleMax: scaleMax))), "prompts[0].scaleMax");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void Session_RatingScaleAtLimit_IsAccepted(int scaleMax)
    {
        Assert.Equal(scaleMax, ValidWith(new PromptInput("rating", "How?", ScaleMax: scaleMax)).Prompts[0].ScaleMax);
    }

    [Fact]
    public void Session_RatingWithoutScaleMax_ReportsScaleMax()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("rating", "How?"))), "prompts[0].scaleMax");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Session_StimulusWithoutUrl_ReportsUrl(string? url)
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("stimulus", "Look", Url: url))), "prompts[0].url");
    }

    [Theory]
    [InlineData("ftp://example.test/a.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/a.png")]
    [InlineData("not a url")]
    public void Session_StimulusWithNonHttpUrl_ReportsUrl(string url)
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("stimulus", "Look", Url: url))), "prompts[0].url");
    }

    [Fact]
    public void Session_StimulusWithTooLongUrl_ReportsUrl()
    {
        var url = "https://example.test/" + new string('a', Limits.UrlMax);
        AssertKey(Fails(() => ValidWith(new PromptInput("stimulus", "Look", Url: url))), "prompts[0].url");
    }

    [Fact]
    public void Session_PromptTextTooLong_ReportsText()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("question", new string('q', Limits.PromptTextMax + 1)))), "prompts[0].text");
    }

    [Fact]
    public void Session_PromptTextAtLimit_IsAccepted()
    {
        Assert.Equal(Limits.PromptTextMax, ValidWith(new PromptInput("question", new string('q', Limits.PromptTextMax))).Prompts[0].Text.Length);
    }

    [Fact]
    public void Session_51Tags_ReportsTags()
    {
        var tags = Enumerable.Range(1, 51).Select(i => (string?)$"tag{i}").ToList();
        AssertKey(Fails(() => StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, tags))), "tags");
    }

    [Fact]
    public void Session_50Tags_IsAccepted()
    {
        var tags = Enumerable.Range(1, 50).Select(i => (string?)$"tag{i}").ToList();
        Assert.Equal(50, StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, tags)).Tags!.Count);
    }

    [Fact]
    public void Session_DuplicateTagsIgnoringCase_ReportsTheRepeat()
    {
        var errors = Fails(() => StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, ["Confused", "delight", "confused"])));
        AssertKey(errors, "tags[2]");
        Assert.DoesNotContain("tags[0]", errors.ToDictionary().Keys);
    }

    [Fact]
    public void Session_TagOf41Chars_ReportsThatTag()
    {
        AssertKey(Fails(() => StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, ["ok", new string('t', 41)]))), "tags[1]");
    }

    [Fact]
    public void Session_TagOf40Chars_IsAccepted()
    {
        var tag = new string('t', 40);
        Assert.Equal([tag], StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, [tag])).Tags!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    [InlineData("a,b")]
    [InlineData("line\nbreak")]
    public void Session_BadTag_ReportsThatTag(string? tag)
    {
        AssertKey(Fails(() => StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, [tag]))), "tags[0]");
    }

    [Fact]
    public void Session_201Prompts_ReportsPrompts()
    {
        var prompts = Enumerable.Range(1, 201).Select(i => (PromptInput?)new PromptInput("question", $"Q{i}")).ToArray();
        AssertKey(Fails(() => ValidWith(prompts)), "prompts");
    }

    [Fact]
    public void Session_200Prompts_IsAccepted()
    {
        var prompts = Enumerable.Range(1, 200).Select(i => (PromptInput?)new PromptInput("question", $"Q{i}")).ToArray();
        Assert.Equal(200, ValidWith(prompts).Prompts.Count);
    }

    [Fact]
    public void Session_NullPromptInList_ReportsThatPrompt()
    {
        AssertKey(Fails(() => ValidWith(new PromptInput("question", "ok"), null)), "prompts[1]");
    }

    [Fact]
    public void Session_TagsNull_StaysNullMeaningCodebook()
    {
        var session = StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, null, null));
        Assert.Null(session.Tags);
        Assert.Empty(session.Prompts);
    }

    [Fact]
    public void Session_EmptyTagList_StaysEmptyNotNull()
    {
        var session = StudyRules.Session(new SessionInput("T", SessionModes.FocusGroup, []));
        Assert.NotNull(session.Tags);
        Assert.Empty(session.Tags);
    }

    // ---- SessionDetails / Prompt ----

    [Fact]
    public void SessionDetails_NullTags_StayNullMeaningKeepTheCurrentOnes()
    {
        var (title, mode, tags, _) = StudyRules.SessionDetails(new SessionDetailsInput(" New ", SessionModes.FocusGroup, null));
        Assert.Equal("New", title);
        Assert.Equal(SessionModes.FocusGroup, mode);
        Assert.Null(tags);
    }

    [Theory]
    [InlineData("Bad\u0000name")]
    [InlineData("Two\nlines")]
    [InlineData("Escape \u001b[31m red")]
    public void Study_NameWithControlCharacters_IsRefused(string name)
    {
        AssertKey(Fails(() => StudyRules.Study(new StudyInput(System.Text.RegularExpressions.Regex.Unescape(name)))), "name");
    }

    [Fact]
    public void Prompt_TextWithLineBreaksAndTabs_IsAccepted()
    {
        var prompt = StudyRules.Prompt(new PromptInput(PromptKinds.Question, "First line\n\tSecond line"));
        Assert.Equal("First line\n\tSecond line", prompt.Text);
    }

    [Fact]
    public void SessionDetails_BadMode_ReportsMode()
    {
        AssertKey(Fails(() => StudyRules.SessionDetails(new SessionDetailsInput("T", "x", null))), "mode");
    }

    [Fact]
    public void Prompt_Null_ReportsPrompt()
    {
        AssertKey(Fails(() => StudyRules.Prompt(null)), "prompt");
    }

    [Fact]
    public void Prompt_PollWithOneOption_ReportsPromptOptions()
    {
        AssertKey(Fails(() => StudyRules.Prompt(new PromptInput("poll", "Which?", ["only"]))), "prompt.options");
    }

    // ---- Codebook ----

    [Fact]
    public void Codebook_Null_IsEmpty()
    {
        Assert.Empty(StudyRules.Codebook(null));
    }

    [Fact]
    public void Codebook_ValidTags_KeepsOrderTrimsAndUppercasesColour()
    {
        var tags = StudyRules.Codebook([new(" confused ", "#e53935", 1), new("delight", " #43A047 ", null)]);
        Assert.Equal(
            [new CodebookTag("confused", "#E53935", 1), new CodebookTag("delight", "#43A047", null)],
            tags);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("red")]
    [InlineData("#FFF")]
    [InlineData("#GGGGGG")]
    [InlineData("3F51B5")]
    [InlineData("#3F51B5AA")]
    public void Codebook_BadColour_ReportsColor(string? color)
    {
        AssertKey(Fails(() => StudyRules.Codebook([new("ok", "#000000", null), new("tag", color, null)])), "tags[1].color");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(-1)]
    public void Codebook_HotkeyOutOfRange_ReportsHotkey(int hotkey)
    {
        AssertKey(Fails(() => StudyRules.Codebook([new("tag", "#000000", hotkey)])), "tags[0].hotkey");
    }

    [Fact]
    public void Codebook_DuplicateHotkey_ReportsTheSecond()
    {
        var errors = Fails(() => StudyRules.Codebook([new("a", "#000000", 3), new("b", "#000000", 3)]));
        AssertKey(errors, "tags[1].hotkey");
        Assert.DoesNotContain("tags[0].hotkey", errors.ToDictionary().Keys);
    }

    [Fact]
    public void Codebook_DuplicateNameIgnoringCase_ReportsTheSecond()
    {
        AssertKey(Fails(() => StudyRules.Codebook([new("Pricing", "#000000", null), new("pricing", "#111111", null)])), "tags[1].name");
    }

    [Fact]
    public void Codebook_NullTag_ReportsThatTag()
    {
        AssertKey(Fails(() => StudyRules.Codebook([new("a", "#000000", null), null])), "tags[1]");
    }

    [Fact]
    public void Codebook_51Tags_ReportsTags()
    {
        var tags = Enumerable.Range(1, 51).Select(i => (CodebookTagInput?)new CodebookTagInput($"t{i}", "#000000", null)).ToList();
        AssertKey(Fails(() => StudyRules.Codebook(tags)), "tags");
    }

    // ---- Invite / Join ----

    [Theory]
    [InlineData("facilitator")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Observer")]
    [InlineData("admin")]
    public void Invite_RoleNotInvitable_ReportsRole(string? role)
    {
        AssertKey(Fails(() => StudyRules.Invite(new InviteInput(role))), "role");
    }

    [Theory]
    [InlineData("observer")]
    [InlineData("participant")]
    public void Invite_InvitableRole_IsAccepted(string role)
    {
        var (r, name) = StudyRules.Invite(new InviteInput(role, "  Ana  "));
        Assert.Equal(role, r);
        Assert.Equal("Ana", name);
    }

    [Fact]
    public void Invite_NameTooLong_ReportsName()
    {
        AssertKey(Fails(() => StudyRules.Invite(new InviteInput("observer", new string('n', Limits.DisplayNameMax + 1)))), "name");
    }

    [Fact]
    public void Invite_Null_ReportsBody()
    {
        AssertKey(Fails(() => StudyRules.Invite(null)), "body");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Join_MissingToken_ReportsToken(string? token)
    {
        AssertKey(Fails(() => StudyRules.Join(new JoinInput(token, "Ana"))), "token");
    }

    [Fact]
    public void Join_NullInput_ReportsToken()
    {
        AssertKey(Fails(() => StudyRules.Join(null)), "token");
    }

    [Fact]
    public void Join_TokenAndName_AreTrimmed()
    {
        var (token, name) = StudyRules.Join(new JoinInput("  abc  ", "  Ana "));
        Assert.Equal("abc", token);
        Assert.Equal("Ana", name);
    }

    [Fact]
    public void Join_DisplayNameTooLong_ReportsDisplayName()
    {
        AssertKey(Fails(() => StudyRules.Join(new JoinInput("abc", new string('n', Limits.DisplayNameMax + 1)))), "displayName");
    }
}
