using System.Text;
using System.Text.Json;

namespace SessionRoom.Core.Exports;

/// <summary>
/// How people are named in exports. Everyone appears by their code (P1, O1, F1) unless names are asked for;
/// the only name that events carry is <c>displayName</c> in the data of member-joined and member-left, which
/// <see cref="WithoutNames(Live.SessionEvent)"/> removes. Also the ASCII slug of download file names.
/// </summary>
public static class ExportNames
{
    /// <summary>The event data fields that hold a person's name.</summary>
    public static readonly IReadOnlyList<string> NameFields = ["displayName"];

    // Letters that the slug spells in ASCII. String normalization is not available with invariant
    // globalization, so accented Latin letters are folded by this table; other characters become dashes.
    private static readonly Dictionary<char, string> Folded = BuildFoldTable();

    /// <summary>The event as it is exported without names: the same event when its data holds none.</summary>
    public static Live.SessionEvent WithoutNames(Live.SessionEvent e) =>
        HasNameField(e.Data) ? e with { Data = WithoutNames(e.Data) } : e;

    /// <summary>The data object without its name fields (at any depth); anything else is returned as it is.</summary>
    public static JsonElement WithoutNames(JsonElement data)
    {
        if (!HasNameField(data))
        {
            return data;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteWithoutNames(writer, data);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// How an export names a member: their code, followed by their display name in brackets only when names are
    /// included (and the name says more than the code).
    /// </summary>
    public static string Label(string code, string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) || displayName == code ? code : $"{code} ({displayName})";

    /// <summary>
    /// A lower-case ASCII slug of a title for file names: letters and digits, accented Latin letters folded,
    /// everything else a single dash; at most 60 characters; "session" when nothing is left.
    /// </summary>
    public static string Slug(string title)
    {
        var slug = new StringBuilder();
        foreach (var c in title.ToLowerInvariant())
        {
            var ascii = c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c.ToString() : Folded.GetValueOrDefault(c, "-");
            foreach (var a in ascii)
            {
                if (a != '-' || (slug.Length > 0 && slug[^1] != '-'))
                {
                    slug.Append(a);
                }
            }
        }
        var text = slug.ToString();
        if (text.Length > 60)
        {
            text = text[..60];
        }
        text = text.Trim('-');
        return text.Length == 0 ? "session" : text;
    }

    private static bool HasNameField(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => NameFields.Contains(p.Name) || HasNameField(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HasNameField),
        _ => false,
    };

    private static void WriteWithoutNames(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().Where(p => !NameFields.Contains(p.Name)))
                {
                    writer.WritePropertyName(property.Name);
                    WriteWithoutNames(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteWithoutNames(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static Dictionary<char, string> BuildFoldTable()
    {
        var table = new Dictionary<char, string>();
        void Add(string letters, string ascii)
        {
            foreach (var c in letters)
            {
                table[c] = ascii;
            }
        }
        Add("àáâãäåāăą", "a");
        Add("çćĉċč", "c");
        Add("ďđð", "d");
        Add("èéêëēĕėęě", "e");
        Add("ĝğġģ", "g");
        Add("ĥħ", "h");
        Add("ìíîïĩīĭįı", "i");
        Add("ĵ", "j");
        Add("ķ", "k");
        Add("ĺļľŀł", "l");
        Add("ñńņňŉ", "n");
        Add("òóôõöøōŏő", "o");
        Add("ŕŗř", "r");
        Add("śŝşš", "s");
        Add("ţťŧ", "t");
        Add("ùúûüũūŭůűų", "u");
        Add("ŵ", "w");
        Add("ýÿŷ", "y");
        Add("źżž", "z");
        Add("æ", "ae");
        Add("œ", "oe");
        Add("ß", "ss");
        Add("þ", "th");
        return table;
    }
}
