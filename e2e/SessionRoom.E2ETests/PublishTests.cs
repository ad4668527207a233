using SessionRoom.Testing;
using System.Diagnostics;
using System.Net;

namespace SessionRoom.E2ETests;

/// <summary>
/// Publishes the app exactly as the Dockerfile does and runs the output from its own folder, as the
/// image does: a publish that loses the web root, MudBlazor's files or the health probe fails here.
/// </summary>
public sealed class PublishTests : IAsyncLifetime
{
    private readonly string _publishDir = Path.Combine(Path.GetTempPath(), "sessionroom-publish-" + Guid.NewGuid().ToString("N"));
    private AppServer? _app;

    public async Task InitializeAsync()
    {
        var publish = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var arg in new[] { "publish", "src/SessionRoom.Web/SessionRoom.Web.csproj", "-c", "Release", "-o", _publishDir, "--nologo" })
        {
            publish.ArgumentList.Add(arg);
        }
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await output}\n{await errors}");
        _app = new AppServer { Dll = Path.Combine(_publishDir, "SessionRoom.Web.dll") };
        await _app.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(_publishDir, recursive: true);
    }

    [Theory]
    [InlineData("/healthz", "Healthy")]
    [InlineData("/signin", "Facilitator key")]
    [InlineData("/css/app.css", ".sr-page-header")]
    [InlineData("/js/signin.js", "replaceState")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css", ".mud-")]
    [InlineData("/_framework/blazor.web.js", "Blazor")]
    public async Task PublishedApp_Serves_PagesAndAssets(string path, string expected)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(_app!.BaseUrl + path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthcheckCommand_AgainstRunningApp_ExitsZeroAndAgainstNothing_ExitsOne()
    {
        Assert.Equal(0, await RunHealthcheck(_app!.BaseUrl + "/healthz"));
        Assert.Equal(1, await RunHealthcheck("http://127.0.0.1:9/healthz"));
    }

    private async Task<int> RunHealthcheck(string url)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _publishDir };
        start.ArgumentList.Add("SessionRoom.Web.dll");
        start.ArgumentList.Add("healthcheck");
        start.ArgumentList.Add(url);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
