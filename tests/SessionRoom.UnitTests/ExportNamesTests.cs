using System.Text.Json;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Live;
using SessionRoom.Core.Studies;

namespace SessionRoom.UnitTests;

public sealed class ExportNamesTests
{
    [Fact]
    public void WithoutNames_MemberJoined_DropsDisplayNameAndKeepsRoleAndCode()
    {
        var data = new ExportTestData().Joined(ExportTestData.Participant, Roles.Participant, "P1", "Alice Liddell");

        var stripped = ExportNames.WithoutNames(data.Events[0]);

        Assert.False(stripped.Data.TryGetProperty("displayName", out _));
        Assert.Equal("participant", stripped.Data.GetProperty("role").GetString());
        Assert.Equal("P1", stripped.Data.GetProperty("code").GetString());
        Assert.DoesNotContain("Alice", stripped.Data.GetRawText(), StringComparison.Ordinal);
        // The original event is left as it was.
        Assert.Equal("Alice Liddell", data.Events[0].Data.GetProperty("displayName").GetString());
    }

    [Fact]
    public void WithoutNames_NestedNameField_IsDroppedToo()
    {
        var data = JsonSerializer.SerializeToElement(new { member = new { displayName = "Alice", code = "P1" }, list = new[] { new { displayName = "Bob" } } });

        var stripped = ExportNames.WithoutNames(data);

        Assert.Equal("""{"member":{"code":"P1"},"list":[{}]}""", stripped.GetRawText());
    }

    [Fact]
    public void WithoutNames_DataWithoutNames_IsTheSameEvent()
    {
        var data = new ExportTestData().Note(1_000, "Hesitates at the price");

        Assert.Same(data.Events[0], ExportNames.WithoutNames(data.Events[0]));
    }

    [Fact]
    public void Create_WithoutNames_NoNameInMembersEventsOrJson()
    {
        var data = new ExportTestData()
            .Joined(ExportTestData.Participant, Roles.Participant, "P1", "Alice Liddell")
            .Joined(ExportTestData.Observer, Roles.Observer, "O1", "Oscar Observer")
            .Note(5_000, "Looks lost");

        var export = data.Export(includeNames: false);
        var json = JsonSerializer.Serialize(export, JsonSerializerOptions.Web);

        Assert.All(export.Members, m => Assert.Null(m.DisplayName));
        Assert.DoesNotContain("Alice", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Oscar", json, StringComparison.Ordinal);
        Assert.DoesNotContain("displayName", json, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"P1\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WithNames_KeepsThem()
    {
        var data = new ExportTestData().Joined(ExportTestData.Participant, Roles.Participant, "P1", "Alice Liddell");

        var export = data.Export(includeNames: true);

        Assert.Equal("Alice Liddell", export.Members.Single(m => m.Code == "P1").DisplayName);
        Assert.Equal("Alice Liddell", export.Events[0].Data.GetProperty("displayName").GetString());
        Assert.Equal("P1 (Alice Liddell)", export.Label(ExportTestData.Participant));
    }

    [Fact]
    public void CsvRow_WithoutNames_HasCodesAndNoNameColumns()
    {
        var data = new ExportTestData()
            .Joined(ExportTestData.Participant, Roles.Participant, "P1", "Alice Liddell")
            .Add(EventTypes.Note, ExportTestData.Observer, "O1", 2_000, "Stuck", participant: ExportTestData.Participant, tags: ["confused", "pricing"]);
        var source = data.Source();

        var header = ExportCsv.Header(includeNames: false);
        var joined = ExportCsv.Row(source, data.Events[0], includeNames: false);
        var note = ExportCsv.Row(source, data.Events[1], includeNames: false);

        Assert.DoesNotContain("actorName", header);
        Assert.DoesNotContain("participantName", header);
        Assert.Equal(header.Length, note.Length);
        Assert.DoesNotContain(joined, cell => cell.Contains("Alice", StringComparison.Ordinal));
        Assert.Equal("P1", note[Array.IndexOf(header, "participantCode")]);
        Assert.Equal("confused; pricing", note[Array.IndexOf(header, "tags")]);
        Assert.Equal("2026-11-23T10:00:02.000Z", note[Array.IndexOf(header, "createdUtc")]);
    }

    [Fact]
    public void CsvRow_WithNames_AddsNameColumns()
    {
        var data = new ExportTestData()
            .Add(EventTypes.Note, ExportTestData.Observer, "O1", 2_000, "Stuck", participant: ExportTestData.Participant);

        var header = ExportCsv.Header(includeNames: true);
        var row = ExportCsv.Row(data.Source(), data.Events[0], includeNames: true);

        Assert.Equal(header.Length, row.Length);
        Assert.Equal("Oscar Observer", row[Array.IndexOf(header, "actorName")]);
        Assert.Equal("Alice Liddell", row[Array.IndexOf(header, "participantName")]);
    }

    /// <summary>
    /// The data cell passes stored JSON through when it has no escapes and no name field; whatever the data, the
    /// cell is exactly what parsing it, taking the names out and writing it back compactly gives.
    /// </summary>
    [Theory]
    [InlineData("{\"option\":\"Yes\",\"value\":7}")]
    [InlineData("{\"emoji\":\"thumbs-up\",\"n\":1.50,\"list\":[1,2,{\"a\":null}]}")]
    [InlineData("{\"text\":\"caf\\u00E9 \\u003Cb\\u003E \\\"quoted\\\"\"}")]
    [InlineData("{\"displayName\":\"Alice Liddell\",\"role\":\"participant\"}")]
    [InlineData("{\"who\":{\"displayName\":\"Alice\"},\"note\":\"displayName\"}")]
    [InlineData("{\"d\\u0069splayName\":\"Escaped key\"}")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData(null)]
    public void DataCell_IsTheParsedDataWrittenBackWithoutNames(string? stored)
    {
        foreach (var includeNames in new[] { false, true })
        {
            var parsed = string.IsNullOrEmpty(stored) ? default : JsonDocument.Parse(stored).RootElement.Clone();
            var expected = ExportCsv.Compact(includeNames ? parsed : ExportNames.WithoutNames(parsed));

            Assert.Equal(expected, ExportCsv.DataCell(stored, includeNames));
        }
        Assert.DoesNotContain("Alice", ExportCsv.DataCell(stored, includeNames: false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Checkout test, round 1", "checkout-test-round-1")]
    [InlineData("Café Über-Straße: ½ Test!", "cafe-uber-strasse-test")]
    [InlineData("   ", "session")]
    [InlineData("日本語", "session")]
    [InlineData("../../etc/passwd\"; x", "etc-passwd-x")]
    public void Slug_IsLowerCaseAsciiWithSingleDashes(string title, string slug) =>
        Assert.Equal(slug, ExportNames.Slug(title));

    [Fact]
    public void Slug_LongTitle_IsCutTo60CharactersWithoutTrailingDash() =>
        Assert.Equal(new string('a', 59), ExportNames.Slug(new string('a', 59) + " " + new string('b', 20)));

    [Fact]
    public void FileName_HasSlugTheSessionsUtcDateAndExtension() =>
        // 23:30 at UTC-2 is already the next day in UTC.
        Assert.Equal("checkout-test-round-1-20261124.vtt",
            ExportRequest.FileName("Checkout test, round 1", DateTimeOffset.Parse("2026-11-23T23:30:00-02:00"), ExportFormats.WebVtt));
}
