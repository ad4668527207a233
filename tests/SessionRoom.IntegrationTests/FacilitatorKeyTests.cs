using System.Net;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SessionRoom.Core.Security;
using SessionRoom.Data;
using SessionRoom.Web.Auth;

namespace SessionRoom.IntegrationTests;

/// <summary>API.md: without a configured key, one is generated on first start and kept only as a hash.</summary>
public sealed class FacilitatorKeyTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string? StoredHash()
    {
        using var c = new Db(_dir.Path).Open();
        return c.QuerySingleOrDefault<string>("SELECT value FROM settings WHERE key = 'facilitator_key_hash'");
    }

    private static async Task<HttpStatusCode> ListStudiesWith(SessionRoomFactory app, string key) =>
        (await app.CreateClient().WithBearer(key).GetAsync("/api/studies")).StatusCode;

    [Fact]
    public async Task Start_NoKeyConfigured_StoresOnlyHashOfGeneratedKey()
    {
        string key;
        using (var app = new SessionRoomFactory(_dir, facilitatorKey: null))
        {
            app.CreateClient();
            key = app.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated
                ?? throw new InvalidOperationException("No key was generated.");
            Assert.Equal(43, key.Length);
            Assert.Equal(HttpStatusCode.OK, await ListStudiesWith(app, key));
            Assert.Equal(HttpStatusCode.Unauthorized, await ListStudiesWith(app, SessionRoomFactory.Key));
        }

        var hash = StoredHash();
        Assert.NotNull(hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Secrets.Hash(key), hash);

        using (var c = new Db(_dir.Path).Open())
        {
            Assert.DoesNotContain(key, c.Query<string>("SELECT value FROM settings"));
        }
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.DoesNotContain(key, Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            Assert.DoesNotContain(key, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_SecondTimeSameDataDirectory_KeepsHashAndKey()
    {
        string key;
        using (var first = new SessionRoomFactory(_dir, facilitatorKey: null))
        {
            first.CreateClient();
            key = first.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated!;
        }
        var hash = StoredHash();

        using (var second = new SessionRoomFactory(_dir, facilitatorKey: null))
        {
            second.CreateClient();
            Assert.Null(second.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated);
            Assert.Equal(HttpStatusCode.OK, await ListStudiesWith(second, key));
        }

        Assert.NotNull(hash);
        Assert.Equal(hash, StoredHash());
    }

    [Fact]
    public async Task Start_ResetRequested_ReplacesKey()
    {
        string oldKey;
        using (var first = new SessionRoomFactory(_dir, facilitatorKey: null))
        {
            first.CreateClient();
            oldKey = first.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated!;
        }
        var oldHash = StoredHash();

        using var reset = new SessionRoomFactory(_dir, facilitatorKey: null, new Dictionary<string, string> { ["SessionRoom:ResetFacilitatorKey"] = "true" });
        reset.CreateClient();
        var newKey = reset.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated;

        Assert.NotNull(newKey);
        Assert.NotEqual(oldKey, newKey);
        Assert.NotEqual(oldHash, StoredHash());
        Assert.Equal(Secrets.Hash(newKey), StoredHash());
        Assert.Equal(HttpStatusCode.Unauthorized, await ListStudiesWith(reset, oldKey));
        Assert.Equal(HttpStatusCode.OK, await ListStudiesWith(reset, newKey));
    }

    [Fact]
    public async Task Start_KeyConfigured_StoresNothingAndAcceptsIt()
    {
        using (var app = new SessionRoomFactory(_dir, SessionRoomFactory.Key))
        {
            app.CreateClient();
            Assert.Null(app.Services.GetRequiredService<FacilitatorKey>().NewlyGenerated);
            Assert.Equal(HttpStatusCode.OK, await ListStudiesWith(app, SessionRoomFactory.Key));
        }
        Assert.Null(StoredHash());
    }

    [Fact]
    public void Start_ConfiguredKeyTooShort_FailsToStart()
    {
        using var app = new SessionRoomFactory(_dir, "short-key");

        var e = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("too short", e.ToString(), StringComparison.Ordinal);
    }
}
