using System.Text.Json;

namespace SessionRoom.Core.Live;

/// <summary>Reads the values of an <c>answer</c> event's data ({text?, choices?, rating?, items?}).</summary>
public static class AnswerData
{
    public static int[] Choices(SessionEvent answer) => Ints(answer, "choices");

    public static int[] Items(SessionEvent answer) => Ints(answer, "items");

    public static int? Rating(SessionEvent answer) =>
        answer.Data.ValueKind == JsonValueKind.Object && answer.Data.TryGetProperty("rating", out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt32()
            : null;

    private static int[] Ints(SessionEvent e, string name) =>
        e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToArray()
            : [];
}
