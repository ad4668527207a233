using SessionRoom.Web.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The repository's top-level wwwroot/ is the web root (ARCHITECTURE.md), wherever the app runs from.
    WebRootPath = WebRootLocator.Find(args),
});

builder.AddSessionRoom();

var app = builder.Build();

app.MapSessionRoom();

app.Run();

/// <summary>Visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
