namespace SessionRoom.Web.Hosting;

/// <summary>Asks a running SessionRoom for <c>/healthz</c>; exit code 0 when healthy.</summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"Health check of {url} failed: {e.Message}");
            return 1;
        }
    }
}
