using System.Text.RegularExpressions;

namespace SessionRoom.Core.Studies;

/// <summary>A checked, trimmed study.</summary>
public sealed record ValidStudy(string Name, string? Goal, string? ConsentText = null);

/// <summary>A checked, trimmed prompt, ready to store.</summary>
public sealed record ValidPrompt(string Kind, string Text, IReadOnlyList<string>? Options, bool? Multiple, int? ScaleMax, string? SuccessCriteria, string? Url, bool? ShowCriteria = null);

/// <summary>A checked session; <see cref="Tags"/> is null when the study's codebook applies.</summary>
public sealed record ValidSession(string Title, string Mode, IReadOnlyList<string>? Tags, IReadOnlyList<ValidPrompt> Prompts, bool Blind = false);

/// <summary>
/// The input rules for studies, sessions, guides and invites (API.md field limits).
/// Both the HTTP endpoints and the Blazor pages call these, so the two never disagree.
/// Each method either returns trimmed values or throws <see cref="InputException"/> listing every problem.
/// </summary>
public static partial class StudyRules
{
    public static ValidStudy Study(StudyInput? input)
    {
        var errors = new ValidationErrors();
        if (input is null)
        {
            throw InputException.For("body", "Send a JSON object with a name.");
        }
        var name = RequiredText(errors, "name", input.Name, Limits.NameMax, "Name");
        var goal = OptionalText(errors, "goal", input.Goal, Limits.GoalMax, "Goal", multiline: true);
        var consent = OptionalText(errors, "consentText", input.ConsentText, Limits.ConsentTextMax, "Consent text", multiline: true);
        errors.ThrowIfAny();
        return new ValidStudy(name!, goal, consent);
    }

    public static IReadOnlyList<CodebookTag> Codebook(IReadOnlyList<CodebookTagInput?>? input)
    {
        var errors = new ValidationErrors();
        var result = new List<CodebookTag>();
        if (input is null)
        {
            return result;
        }
        if (input.Count > Limits.TagsMax)
        {
            errors.Add("tags", $"A codebook holds at most {Limits.TagsMax} tags; this one has {input.Count}.");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hotkeys = new HashSet<int>();
        for (var i = 0; i < input.Count; i++)
        {
            var field = $"tags[{i}]";
            var tag = input[i];
            if (tag is null)
            {
                errors.Add(field, "A tag cannot be null.");
                continue;
            }
            var name = TagName(errors, $"{field}.name", tag.Name);
            if (name is not null && !names.Add(name))
            {
                errors.Add($"{field}.name", $"The tag \"{name}\" appears twice.");
            }
            var color = (tag.Color ?? "").Trim();
            if (!ColorPattern().IsMatch(color))
            {
                errors.Add($"{field}.color", "Colour must be a hex colour such as #3F51B5.");
            }
            if (tag.Hotkey is { } key)
            {
                if (key is < Limits.HotkeyMin or > Limits.HotkeyMax)
                {
                    errors.Add($"{field}.hotkey", $"Hotkey must be a digit from {Limits.HotkeyMin} to {Limits.HotkeyMax}.");
                }
                else if (!hotkeys.Add(key))
                {
                    errors.Add($"{field}.hotkey", $"Hotkey {key} is already used by another tag.");
                }
            }
            if (name is not null)
            {
                result.Add(new CodebookTag(name, color.ToUpperInvariant(), tag.Hotkey));
            }
        }
        errors.ThrowIfAny();
        return result;
    }

    public static ValidSession Session(SessionInput? input)
    {
        if (input is null)
        {
            throw InputException.For("body", "Send a JSON object with a title and a mode.");
        }
        var errors = new ValidationErrors();
        var (title, mode, tags) = Details(errors, input.Title, input.Mode, input.Tags);
        var prompts = new List<ValidPrompt>();
        if (input.Prompts is { } list)
        {
            if (list.Count > Limits.PromptsMax)
            {
                errors.Add("prompts", $"A guide holds at most {Limits.PromptsMax} prompts; this one has {list.Count}.");
            }
            for (var i = 0; i < list.Count && i < Limits.PromptsMax; i++)
            {
                var p = CheckPrompt(errors, $"prompts[{i}]", list[i]);
                if (p is not null)
                {
                    prompts.Add(p);
                }
            }
        }
        errors.ThrowIfAny();
        return new ValidSession(title!, mode!, tags, prompts, input.Blind ?? false);
    }

    /// <summary>Checks editable session fields; <c>Tags</c> is null when the input left them out (keep the current ones).</summary>
    public static (string Title, string Mode, IReadOnlyList<string>? Tags, bool? Blind) SessionDetails(SessionDetailsInput? input)
    {
        if (input is null)
        {
            throw InputException.For("body", "Send a JSON object with a title, a mode and tags.");
        }
        var errors = new ValidationErrors();
        var (title, mode, tags) = Details(errors, input.Title, input.Mode, input.Tags);
        errors.ThrowIfAny();
        return (title!, mode!, tags, input.Blind);
    }

    public static ValidPrompt Prompt(PromptInput? input)
    {
        var errors = new ValidationErrors();
        var prompt = CheckPrompt(errors, "prompt", input);
        errors.ThrowIfAny();
        return prompt!;
    }

    public static (string Role, string? Name) Invite(InviteInput? input)
    {
        if (input is null)
        {
            throw InputException.For("body", "Send a JSON object with a role: \"observer\" or \"participant\".");
        }
        var errors = new ValidationErrors();
        if (input.Role is null || !Roles.Invitable.Contains(input.Role))
        {
            errors.Add("role", "Role must be \"observer\" or \"participant\".");
        }
        var name = OptionalText(errors, "name", input.Name, Limits.DisplayNameMax, "Name");
        errors.ThrowIfAny();
        return (input.Role!, name);
    }

    public static (string Token, string? DisplayName) Join(JoinInput? input)
    {
        if (input is null || string.IsNullOrWhiteSpace(input.Token))
        {
            throw InputException.For("token", "Send the invite token from your link.");
        }
        var errors = new ValidationErrors();
        var name = OptionalText(errors, "displayName", input.DisplayName, Limits.DisplayNameMax, "Display name");
        errors.ThrowIfAny();
        return (input.Token.Trim(), name);
    }

    private static (string? Title, string? Mode, IReadOnlyList<string>? Tags) Details(
        ValidationErrors errors, string? titleIn, string? modeIn, IReadOnlyList<string?>? tagsIn)
    {
        var title = RequiredText(errors, "title", titleIn, Limits.NameMax, "Title");
        string? mode = null;
        if (modeIn is null || !SessionModes.All.Contains(modeIn))
        {
            errors.Add("mode", "Mode must be \"focus-group\" or \"usability\".");
        }
        else
        {
            mode = modeIn;
        }
        List<string>? tags = null;
        if (tagsIn is not null)
        {
            tags = [];
            if (tagsIn.Count > Limits.TagsMax)
            {
                errors.Add("tags", $"A session has at most {Limits.TagsMax} tags; this one has {tagsIn.Count}.");
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < tagsIn.Count; i++)
            {
                var tag = TagName(errors, $"tags[{i}]", tagsIn[i]);
                if (tag is null)
                {
                    continue;
                }
                if (!seen.Add(tag))
                {
                    errors.Add($"tags[{i}]", $"The tag \"{tag}\" appears twice.");
                    continue;
                }
                tags.Add(tag);
            }
        }
        return (title, mode, tags);
    }

    private static ValidPrompt? CheckPrompt(ValidationErrors errors, string field, PromptInput? p)
    {
        if (p is null)
        {
            errors.Add(field, "A prompt cannot be null.");
            return null;
        }
        if (!PromptKinds.IsKnown(p.Kind))
        {
            errors.Add($"{field}.kind", $"Unknown prompt kind \"{p.Kind}\". Use one of: {string.Join(", ", PromptKinds.All)}.");
            return null;
        }
        var kind = p.Kind!;
        var text = RequiredText(errors, $"{field}.text", p.Text, Limits.PromptTextMax, "Prompt text", multiline: true);

        NotFor(errors, field, kind, "options", p.Options is not null, PromptKinds.Poll);
        NotFor(errors, field, kind, "multiple", p.Multiple is not null, PromptKinds.Poll);
        NotFor(errors, field, kind, "scaleMax", p.ScaleMax is not null, PromptKinds.Rating);
        NotFor(errors, field, kind, "successCriteria", p.SuccessCriteria is not null, PromptKinds.Task);
        NotFor(errors, field, kind, "showCriteria", p.ShowCriteria is not null, PromptKinds.Task);
        NotFor(errors, field, kind, "url", p.Url is not null, PromptKinds.Stimulus);

        List<string>? options = null;
        bool? multiple = null;
        int? scaleMax = null;
        string? criteria = null;
        bool? showCriteria = null;
        string? url = null;
        switch (kind)
        {
            case PromptKinds.Poll:
                options = PollOptions(errors, $"{field}.options", p.Options);
                multiple = p.Multiple ?? false;
                break;
            case PromptKinds.Rating:
                if (p.ScaleMax is not { } max || max is < Limits.ScaleMin or > Limits.ScaleMax)
                {
                    errors.Add($"{field}.scaleMax", $"A rating needs scaleMax from {Limits.ScaleMin} to {Limits.ScaleMax}.");
                }
                scaleMax = p.ScaleMax;
                break;
            case PromptKinds.Task:
                criteria = OptionalText(errors, $"{field}.successCriteria", p.SuccessCriteria, Limits.SuccessCriteriaMax, "Success criteria", multiline: true);
                // Hidden from participants unless the facilitator says otherwise.
                showCriteria = p.ShowCriteria ?? false;
                if (showCriteria == true && criteria is null)
                {
                    errors.Add($"{field}.showCriteria", "There are no success criteria to show: write them, or leave showCriteria off.");
                }
                break;
            case PromptKinds.Stimulus:
                url = StimulusUrl(errors, $"{field}.url", p.Url);
                break;
        }
        return text is null ? null : new ValidPrompt(kind, text, options, multiple, scaleMax, criteria, url, showCriteria);
    }

    private static void NotFor(ValidationErrors errors, string field, string kind, string name, bool present, string owner)
    {
        if (present && kind != owner)
        {
            errors.Add($"{field}.{name}", $"\"{name}\" belongs to {owner} prompts, not to a {kind}.");
        }
    }

    private static List<string>? PollOptions(ValidationErrors errors, string field, IReadOnlyList<string?>? input)
    {
        if (input is null || input.Count < Limits.OptionsMin || input.Count > Limits.OptionsMax)
        {
            errors.Add(field, $"A poll needs {Limits.OptionsMin} to {Limits.OptionsMax} options.");
            return null;
        }
        var options = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < input.Count; i++)
        {
            var option = RequiredText(errors, $"{field}[{i}]", input[i], Limits.OptionTextMax, "Option");
            if (option is null)
            {
                continue;
            }
            if (!seen.Add(option))
            {
                errors.Add($"{field}[{i}]", $"The option \"{option}\" appears twice.");
            }
            options.Add(option);
        }
        return options;
    }

    private static string? StimulusUrl(ValidationErrors errors, string field, string? input)
    {
        var url = input?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            errors.Add(field, "A stimulus needs the link to its image or page.");
            return null;
        }
        if (url.Length > Limits.UrlMax
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(field, $"The stimulus link must be an http(s) address of at most {Limits.UrlMax} characters.");
            return null;
        }
        return url;
    }

    private static string? TagName(ValidationErrors errors, string field, string? input)
    {
        var tag = input?.Trim();
        if (string.IsNullOrEmpty(tag) || tag.Length > Limits.TagNameMax)
        {
            errors.Add(field, $"A tag is 1 to {Limits.TagNameMax} characters.");
            return null;
        }
        if (tag.Any(char.IsControl) || tag.Contains(','))
        {
            errors.Add(field, "A tag cannot contain commas or control characters.");
            return null;
        }
        return tag;
    }

    private static string? RequiredText(ValidationErrors errors, string field, string? input, int max, string label, bool multiline = false)
    {
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            errors.Add(field, $"{label} is required.");
            return null;
        }
        return CheckText(errors, field, text, max, label, multiline);
    }

    private static string? OptionalText(ValidationErrors errors, string field, string? input, int max, string label, bool multiline = false)
    {
        var text = input?.Trim();
        return string.IsNullOrEmpty(text) ? null : CheckText(errors, field, text, max, label, multiline);
    }

    private static string? CheckText(ValidationErrors errors, string field, string text, int max, string label, bool multiline)
    {
        if (text.Length > max)
        {
            errors.Add(field, $"{label} is {text.Length:N0} characters; the limit is {max:N0}.");
            return null;
        }
        // Control characters would corrupt exports (CSV, Markdown, WebVTT) and terminals; line breaks
        // and tabs are fine where the text may span lines.
        if (text.Any(ch => char.IsControl(ch) && !(multiline && ch is '\n' or '\r' or '\t')))
        {
            errors.Add(field, multiline
                ? $"{label} contains control characters; only line breaks and tabs are allowed."
                : $"{label} must be one line of text without control characters.");
            return null;
        }
        return text;
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex ColorPattern();
}
