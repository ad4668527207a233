using System.Net;
using System.Text;
using static SessionRoom.IntegrationTests.Http;

namespace SessionRoom.IntegrationTests;

/// <summary>API.md: bad input never yields a 500.</summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests(SessionRoomFactory factory)
{
    private readonly HttpClient _client = factory.CreateFacilitatorClient();

    public static TheoryData<string> HostileSessionBodies => new()
    {
        "",
        "   ",
        "null",
        "[]",
        "42",
        "\"a string\"",
        "{",
        "{\"title\":",
        "{\"title\":\"T\",\"mode\":\"usability\"}}",
        "{\"title\":5,\"mode\":true}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"tags\":\"confused\"}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"tags\":[[\"nested\"]]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"tags\":[null,\"\",\"a,b\"]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[1,2,3]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[null]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{}]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{\"kind\":\"rating\",\"text\":\"x\",\"scaleMax\":99999999999999}]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{\"kind\":\"rating\",\"text\":\"x\",\"scaleMax\":2.5}]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{\"kind\":\"poll\",\"text\":\"x\",\"options\":[null,null]}]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{\"kind\":\"poll\",\"text\":\"x\",\"options\":[\"a\",\"b\"],\"multiple\":\"yes\"}]}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[{\"kind\":\"stimulus\",\"text\":\"x\",\"url\":\"javascript:alert(1)\"}]}",
        "{\"title\":\"\\ud800\",\"mode\":\"usability\"}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"__proto__\":{}}",
        "{\"Title\":\"T\",\"MODE\":\"usability\",\"extra\":1}",
        new string('[', 10_000) + new string(']', 10_000),
        "{\"title\":\"" + new string('x', 1_000_000) + "\",\"mode\":\"usability\"}",
        "{\"title\":\"T\",\"mode\":\"usability\",\"prompts\":[" + string.Join(",", Enumerable.Repeat("{\"kind\":\"question\",\"text\":\"q\"}", 201)) + "]}",
    };

    [Theory]
    [MemberData(nameof(HostileSessionBodies))]
    public async Task CreateSession_HostileBody_Returns4xxProblem(string body)
    {
        var studyId = await _client.CreateStudy();

        var response = await _client.PostJson($"/api/studies/{studyId}/sessions", body);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"Status {status} for body {body[..Math.Min(body.Length, 120)]}: {await response.Content.ReadAsStringAsync()}");
        await ExpectProblem(response, response.StatusCode);
    }

    [Fact]
    public async Task CreateSession_InvalidUtf8_Returns400()
    {
        var studyId = await _client.CreateStudy();
        var bytes = new ByteArrayContent([.. "{\"title\":\""u8, 0xC3, 0x28, 0xFF, .. "\",\"mode\":\"usability\"}"u8]);
        bytes.Headers.ContentType = new("application/json");

        var response = await _client.PostAsync($"/api/studies/{studyId}/sessions", bytes);

        await ExpectProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateSession_HostileBodyToUnknownStudy_Returns4xx()
    {
        var response = await _client.PostAsync($"/api/studies/{Guid.NewGuid()}/sessions", new StringContent("{", Encoding.UTF8, "application/json"));
        Assert.InRange((int)response.StatusCode, 400, 499);
    }
}
