using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using SessionRoom.Testing;

namespace SessionRoom.E2ETests;

/// <summary>A session made through the API: its study, its id, its prompts' ids in guide order and its tags.</summary>
public sealed record SessionSetup(string StudyId, string SessionId, IReadOnlyList<string> PromptIds, IReadOnlyList<string> Tags);

/// <summary>A member an invite was exchanged for, as the invite page does: its access token, id and code (P1, O1, …).</summary>
public sealed record JoinedMember(string Token, string MemberId, string Code);

/// <summary>
/// The app's HTTP API with the facilitator key, for tests where setting up a study and a session, or
/// reading back what was stored, is not the UI under test.
/// </summary>
public sealed class TestApi : IDisposable
{
    /// <summary>Web casing; fields left null are left out of the body (the API reads a missing field as null anyway).</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;

    public TestApi(AppServer app)
    {
        _http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
    }

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<JsonElement> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<JsonElement> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);

    public Task<JsonElement> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>Sends a request (as the facilitator unless told otherwise), asserts it succeeded and returns its JSON (<c>default</c> when empty).</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null, bool asFacilitator = true)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        if (asFacilitator)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppServer.FacilitatorKey);
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A new study; returns its id.</summary>
    public async Task<string> CreateStudyAsync(string name, string? goal = null) =>
        (await PostAsync("/api/studies", new { name, goal })).GetProperty("id").GetString()!;

    /// <summary>Replaces the study's codebook: tags like <c>new { name, color, hotkey }</c>.</summary>
    public Task SetCodebookAsync(string studyId, params object[] tags) =>
        PutAsync($"/api/studies/{studyId}/codebook", tags);

    /// <summary>Sets the study's consent text through <c>PUT /api/studies/{id}</c> (which takes the whole study).</summary>
    public Task SetConsentTextAsync(string studyId, string name, string? goal, string consentText) =>
        PutAsync($"/api/studies/{studyId}", new { name, goal, consentText });

    /// <summary>A session of the study; <paramref name="tags"/> null takes the study's codebook.</summary>
    public async Task<SessionSetup> CreateSessionAsync(string studyId, string title, string mode, string[]? tags = null, object[]? prompts = null)
    {
        var session = await PostAsync($"/api/studies/{studyId}/sessions", new { title, mode, tags, prompts });
        return new SessionSetup(
            studyId,
            session.GetProperty("id").GetString()!,
            session.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList(),
            session.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList());
    }

    /// <summary>A new invite of the role (named when <paramref name="name"/> is given); returns the invite token.</summary>
    public async Task<string> InviteAsync(string sessionId, string role, string? name = null) =>
        (await PostAsync($"/api/sessions/{sessionId}/invites", new { role, name })).GetProperty("token").GetString()!;

    /// <summary>A new invite of the role, exchanged for a member as the invite page does (without the facilitator key).</summary>
    public async Task<JoinedMember> JoinAsync(string sessionId, string role)
    {
        var token = await InviteAsync(sessionId, role);
        var member = await SendAsync(HttpMethod.Post, "/api/join", new { token }, asFacilitator: false);
        return new JoinedMember(
            member.GetProperty("accessToken").GetString()!,
            member.GetProperty("memberId").GetString()!,
            member.GetProperty("code").GetString()!);
    }

    /// <summary>The session's facilitator member (the one the console uses); returns its access token.</summary>
    public async Task<string> FacilitatorTokenAsync(string sessionId) =>
        (await PostAsync($"/api/sessions/{sessionId}/facilitator")).GetProperty("accessToken").GetString()!;

    /// <summary>Every stored event of the session, of every audience, oldest first.</summary>
    public async Task<List<JsonElement>> EventsAsync(string sessionId) =>
        (await GetAsync($"/api/sessions/{sessionId}/events?after=0")).EnumerateArray().ToList();

    /// <summary>The newest event that matches, waiting up to 10 s for it to be stored.</summary>
    public async Task<JsonElement> EventuallyAsync(string sessionId, Func<JsonElement, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var found = (await EventsAsync(sessionId)).LastOrDefault(match);
            if (found.ValueKind != JsonValueKind.Undefined)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "The expected event was not stored within 10 s.");
            await Task.Delay(200);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Fields of a stored event, for matching in <see cref="TestApi.EventuallyAsync"/>.</summary>
public static class Events
{
    public static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    public static string? Prompt(JsonElement e) =>
        e.TryGetProperty("promptId", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
