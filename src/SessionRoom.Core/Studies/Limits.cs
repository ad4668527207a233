namespace SessionRoom.Core.Studies;

/// <summary>Field limits of API.md. Beyond them the API answers 400.</summary>
public static class Limits
{
    public const int NameMax = 200;
    public const int GoalMax = 2_000;
    public const int ConsentTextMax = 8_000;
    public const int PromptTextMax = 2_000;
    public const int OptionsMin = 2;
    public const int OptionsMax = 20;
    public const int OptionTextMax = 200;
    public const int ScaleMin = 2;
    public const int ScaleMax = 10;
    public const int TagsMax = 50;
    public const int TagNameMax = 40;
    public const int PromptsMax = 200;
    public const int SuccessCriteriaMax = 2_000;
    public const int UrlMax = 2_000;
    public const int DisplayNameMax = 100;
    public const int HotkeyMin = 1;
    public const int HotkeyMax = 9;
    public const int SeqScale = 7;
    public const int SusItems = 10;
}
