using System.Diagnostics;
using SessionRoom.Testing;

namespace SessionRoom.E2ETests;

/// <summary>The hub from <c>@microsoft/signalr</c> in Node over WebSockets (e2e/node-smoke/smoke.mjs), against the built app.</summary>
public sealed class NodeSmokeTests(AppServer app) : IClassFixture<AppServer>
{
    [Fact]
    public async Task NodeSignalRClient_JoinsWritesAndReceives_AsTheContractSays()
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        start.ArgumentList.Add(Path.Combine("e2e", "node-smoke", "smoke.mjs"));
        start.Environment["SESSIONROOM_URL"] = app.BaseUrl;
        start.Environment["SESSIONROOM_KEY"] = AppServer.FacilitatorKey;
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(node.ExitCode == 0, $"node smoke failed ({node.ExitCode}):\n{await output}\n{await errors}");
        Assert.Contains("node smoke: ok", await output, StringComparison.Ordinal);
    }
}
