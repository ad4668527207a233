using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace SessionRoom.IntegrationTests;

/// <summary>
/// The app on an in-memory TestServer with its own temp data directory. The facilitator key is fixed
/// unless <see cref="FacilitatorKey"/> is null, in which case the app generates and stores one.
/// Several factories may share one <see cref="TempDataDirectory"/> to simulate restarts.
/// </summary>
public class SessionRoomFactory : WebApplicationFactory<Program>
{
    public const string Key = "test-facilitator-key-0123456789";

    /// <summary>
    /// Every endpoint the app maps outside the Blazor pages, the static files and the hub, as "METHOD route"
    /// (the keys of AuthorizationMatrixTests.Table and HttpFuzzTests.Endpoints, which must cover them all).
    /// </summary>
    public List<string> MappedEndpoints() =>
        Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api", StringComparison.Ordinal) || raw.StartsWith("/auth", StringComparison.Ordinal) || raw == "/healthz"))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct()
            .ToList();

    private readonly TempDataDirectory? _ownDirectory;

    public SessionRoomFactory()
        : this(null, Key)
    {
    }

    internal SessionRoomFactory(TempDataDirectory? directory, string? facilitatorKey, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (directory is null)
        {
            _ownDirectory = new TempDataDirectory();
            directory = _ownDirectory;
        }
        DataDirectory = directory.Path;
        FacilitatorKey = facilitatorKey;
        Settings = settings ?? new Dictionary<string, string>();
    }

    public string DataDirectory { get; }

    public string? FacilitatorKey { get; }

    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A client that sends the facilitator key.</summary>
    public HttpClient CreateFacilitatorClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorKey ?? throw new InvalidOperationException("No fixed key."));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("SessionRoom:DataDirectory", DataDirectory);
        // Empty means "not configured": the app generates a key.
        builder.UseSetting("SessionRoom:FacilitatorKey", FacilitatorKey ?? "");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            _ownDirectory?.Dispose();
        }
    }
}
