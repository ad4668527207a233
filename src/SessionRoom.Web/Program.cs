using SessionRoom.Web.Hosting;

// `dotnet SessionRoom.Web.dll healthcheck URL`: the Docker HEALTHCHECK (the runtime image has no curl).
if (args is ["healthcheck", var healthUrl])
{
    return await HealthProbe.RunAsync(healthUrl);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // appsettings.json beside the app, whichever folder it is started from.
    ContentRootPath = AppContext.BaseDirectory,
    // The repository's top-level wwwroot/ is the web root (ARCHITECTURE.md), wherever the app runs from.
    WebRootPath = WebRootLocator.Find(args),
});

builder.AddSessionRoom();

var app = builder.Build();

app.MapSessionRoom();

await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
