using System.Text.Json;

namespace SessionRoom.Data.Live;

/// <summary>How event data is stored and sent: camelCase JSON, like the rest of the API.</summary>
internal static class EventJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static JsonElement Empty { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    public static JsonElement ToElement(object? data) =>
        data is null ? Empty : JsonSerializer.SerializeToElement(data, Options);

    public static JsonElement Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return Empty;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
