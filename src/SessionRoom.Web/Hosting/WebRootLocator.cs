namespace SessionRoom.Web.Hosting;

/// <summary>
/// Finds the top-level <c>wwwroot/</c>: <c>SessionRoom:WebRoot</c> when given, else a <c>wwwroot</c>
/// beside the app (publish output, the Docker image), else the one at the repository root
/// (found by walking up to <c>SessionRoom.sln</c>; what <c>dotnet run</c> and the tests use).
/// </summary>
public static class WebRootLocator
{
    public static string? Find(string[] args)
    {
        var configured = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build()["SessionRoom:WebRoot"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(beside))
        {
            return beside;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SessionRoom.sln")))
                {
                    return Path.Combine(dir.FullName, "wwwroot");
                }
            }
        }
        return null;
    }
}
