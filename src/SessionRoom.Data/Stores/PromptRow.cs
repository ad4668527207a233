using System.Text.Json;
using SessionRoom.Core.Studies;

namespace SessionRoom.Data.Stores;

/// <summary>A prompt as stored; shared by the session store and the live engine's view.</summary>
internal sealed class PromptRow
{
    public const string Select =
        """
        SELECT id AS Id, position AS Position, kind AS Kind, text AS Text, options_json AS OptionsJson,
               multiple AS Multiple, scale_max AS ScaleMax, success_criteria AS SuccessCriteria, url AS Url,
               show_criteria AS ShowCriteria
        FROM prompts
        """;

    public Guid Id { get; set; }
    public long Position { get; set; }
    public string Kind { get; set; } = "";
    public string Text { get; set; } = "";
    public string? OptionsJson { get; set; }
    public long? Multiple { get; set; }
    public long? ScaleMax { get; set; }
    public string? SuccessCriteria { get; set; }
    public string? Url { get; set; }
    public long ShowCriteria { get; set; }

    public Prompt ToPrompt() => new(
        Id,
        (int)Position,
        Kind,
        Text,
        OptionsJson is null ? null : JsonSerializer.Deserialize<List<string>>(OptionsJson),
        Multiple is null ? null : Multiple != 0,
        Kind == PromptKinds.Seq ? Limits.SeqScale : ScaleMax is { } m ? (int)m : null,
        SuccessCriteria,
        Url,
        Kind == PromptKinds.Task ? ShowCriteria != 0 : null);
}
