using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SessionRoom.Core.Live;

namespace SessionRoom.Core.Exports;

/// <summary>
/// The columns and cells of the CSV export: one row per event, every audience. The writer (CsvHelper, in the
/// web host) quotes cells and guards against formula injection; this decides what goes in them.
/// </summary>
public static class ExportCsv
{
    private static readonly JsonWriterOptions DataJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The header row; the name columns only when names are included.</summary>
    public static string[] Header(bool includeNames) =>
    [
        "seq", "type", "audience", "atMs", "createdUtc", "actorCode", .. includeNames ? ["actorName"] : Array.Empty<string>(),
        "promptPosition", "promptKind", "participantCode", .. includeNames ? ["participantName"] : Array.Empty<string>(),
        "tags", "text", "data",
    ];

    /// <summary>
    /// One event's row, matching <see cref="Header"/>: member codes (and names only when included), the prompt's
    /// position and kind, tags joined with "; ", and the event's data as compact JSON (without names unless included).
    /// </summary>
    public static string[] Row(ExportSource source, SessionEvent e, bool includeNames) =>
        Row(source, new ExportCsvEvent(
            e.Seq, e.Type, e.Audience, e.AtMs, e.CreatedUtc, e.ActorCode, e.ActorId, e.PromptId, e.ParticipantId, e.Text,
            e.Data.ValueKind == JsonValueKind.Undefined ? null : e.Data.GetRawText(), e.Tags), includeNames);

    /// <summary>As <see cref="Row(ExportSource, SessionEvent, bool)"/>, from an event as storage hands it over.</summary>
    public static string[] Row(ExportSource source, ExportCsvEvent e, bool includeNames)
    {
        var actor = source.Member(e.ActorId);
        var participant = source.Member(e.ParticipantId);
        var prompt = source.Prompt(e.PromptId);
        return
        [
            e.Seq.ToString(CultureInfo.InvariantCulture),
            e.Type,
            e.Audience,
            e.AtMs.ToString(CultureInfo.InvariantCulture),
            e.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            e.ActorCode ?? actor?.Code ?? "",
            .. includeNames ? [actor?.DisplayName ?? ""] : Array.Empty<string>(),
            prompt?.Position.ToString(CultureInfo.InvariantCulture) ?? "",
            prompt?.Kind ?? "",
            participant?.Code ?? "",
            .. includeNames ? [participant?.DisplayName ?? ""] : Array.Empty<string>(),
            string.Join("; ", e.Tags),
            e.Text ?? "",
            DataCell(e.DataJson, includeNames),
        ];
    }

    /// <summary>
    /// The data cell: <paramref name="dataJson"/> (compact JSON, as events are stored) as one line with non-ASCII
    /// text readable and, unless <paramref name="includeNames"/>, without name fields. Most events' data has no
    /// escapes and no name field, and is then already that line: it is passed through without being parsed, which
    /// is most of what a large export saves (see docs/benchmarks.md).
    /// </summary>
    public static string DataCell(string? dataJson, bool includeNames)
    {
        if (string.IsNullOrEmpty(dataJson))
        {
            return "{}";
        }
        if (!dataJson.Contains('\\', StringComparison.Ordinal)
            && (includeNames || !ExportNames.NameFields.Any(f => dataJson.Contains($"\"{f}\"", StringComparison.Ordinal))))
        {
            return dataJson;
        }
        using var document = JsonDocument.Parse(dataJson);
        var data = document.RootElement;
        return Compact(includeNames ? data : ExportNames.WithoutNames(data));
    }

    /// <summary>The data as one line of JSON, with non-ASCII text kept readable.</summary>
    public static string Compact(JsonElement data)
    {
        if (data.ValueKind == JsonValueKind.Undefined)
        {
            return "{}";
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, DataJson))
        {
            data.WriteTo(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>
/// An event as the CSV export reads it from storage: what its row shows, with the data as its stored JSON text
/// (not parsed unless names must be taken out of it).
/// </summary>
public sealed record ExportCsvEvent(
    long Seq, string Type, string Audience, long AtMs, DateTimeOffset CreatedUtc, string? ActorCode,
    Guid? ActorId, Guid? PromptId, Guid? ParticipantId, string? Text, string? DataJson, IReadOnlyList<string> Tags);
