using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SessionRoom.IntegrationTests;

/// <summary>Small helpers for calling the API and checking its answers.</summary>
internal static class Http
{
    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with the status and a message a person can act on; returns it.</summary>
    public static async Task<JsonElement> ExpectProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.True(
            response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"Expected application/problem+json but got {response.Content.Headers.ContentType}: {body}");
        using var doc = JsonDocument.Parse(body);
        var problem = doc.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var message = problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
            ? detail.GetString()
            : problem.GetProperty("title").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message), $"The problem has no message: {body}");
        return problem;
    }

    /// <summary>The per-field messages of a 400 problem for one JSON path.</summary>
    public static string[] FieldErrors(JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No errors in {problem}");
        Assert.True(errors.TryGetProperty(field, out var list), $"No error for \"{field}\" in {errors}");
        var messages = list.EnumerateArray().Select(m => m.GetString()!).ToArray();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m)));
        return messages;
    }

    public static string[] PropertyNames(JsonElement element) =>
        element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    public static void AssertProperties(JsonElement element, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), PropertyNames(element));

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) =>
        client.PostAsync(url, JsonBody(json));

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, string json) =>
        client.PutAsync(url, JsonBody(json));

    public static async Task<Guid> CreateStudy(this HttpClient client, string name = "Study")
    {
        var response = await client.PostAsJsonAsync("/api/studies", new { name });
        var json = await Expect(response, HttpStatusCode.Created);
        return json.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> CreateSession(this HttpClient client, Guid studyId, string json =
        """{"title":"Session","mode":"focus-group","tags":["confused"],"prompts":[{"kind":"question","text":"Q1"},{"kind":"question","text":"Q2"}]}""")
    {
        var response = await client.PostJson($"/api/studies/{studyId}/sessions", json);
        return await Expect(response, HttpStatusCode.Created);
    }

    public static async Task<JsonElement> CreateInvite(this HttpClient client, Guid sessionId, string role = "participant", string? name = null)
    {
        var response = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/invites", new { role, name });
        return await Expect(response, HttpStatusCode.Created);
    }

    public static HttpClient WithBearer(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
