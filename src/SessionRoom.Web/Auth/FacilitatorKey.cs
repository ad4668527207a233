using Microsoft.Extensions.Options;
using SessionRoom.Core.Security;
using SessionRoom.Data.Stores;
using SessionRoom.Web.Hosting;

namespace SessionRoom.Web.Auth;

/// <summary>
/// Holds the hash of the facilitator key. A configured key wins; otherwise the key is generated on
/// first start, stored (hashed) in the database so every server of a deployment shares it, and its
/// sign-in link printed once on the console.
/// </summary>
public sealed partial class FacilitatorKey(IOptions<SessionRoomOptions> options, SettingsStore settings, ILogger<FacilitatorKey> logger)
{
    private string? _hash;

    /// <summary>A key made by this start, to print once; null when configured or made earlier.</summary>
    public string? NewlyGenerated { get; private set; }

    public bool IsConfigured => !string.IsNullOrEmpty(options.Value.FacilitatorKey);

    public bool Matches(string? presented) =>
        Secrets.Matches(presented, _hash ?? throw new InvalidOperationException("The facilitator key is not initialised."));

    /// <summary>Called once at start, after migrations.</summary>
    public void Initialise()
    {
        var configured = options.Value.FacilitatorKey;
        if (!string.IsNullOrEmpty(configured))
        {
            if (configured.Length < 16)
            {
                throw new InvalidOperationException("SessionRoom:FacilitatorKey is too short: use at least 16 characters (a generated key has 43).");
            }
            _hash = Secrets.Hash(configured);
            return;
        }
        if (options.Value.ResetFacilitatorKey)
        {
            var key = Secrets.NewToken();
            settings.Set(SettingsStore.FacilitatorKeyHash, Secrets.Hash(key));
            LogKeyReset(logger);
            NewlyGenerated = key;
        }
        else
        {
            var candidate = Secrets.NewToken();
            // Two servers starting together: only one insert wins, and both then use the stored hash.
            if (settings.AddIfAbsent(SettingsStore.FacilitatorKeyHash, Secrets.Hash(candidate)))
            {
                NewlyGenerated = candidate;
            }
        }
        _hash = settings.Get(SettingsStore.FacilitatorKeyHash);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The facilitator key was reset; earlier keys no longer sign in.")]
    private static partial void LogKeyReset(ILogger logger);
}
