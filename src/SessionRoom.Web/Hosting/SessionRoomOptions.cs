namespace SessionRoom.Web.Hosting;

/// <summary>The <c>SessionRoom</c> configuration section (names fixed by the public contract).</summary>
public sealed class SessionRoomOptions
{
    public const string Section = "SessionRoom";

    /// <summary>Where the SQLite file lives; relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The facilitator key. When unset, one is generated on first start and printed once.</summary>
    public string? FacilitatorKey { get; set; }

    /// <summary>Base of invite links, e.g. https://research.example.org. Defaults to the request's scheme and host.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Set once (e.g. <c>--SessionRoom:ResetFacilitatorKey=true</c>) to replace a lost generated key.</summary>
    public bool ResetFacilitatorKey { get; set; }

    /// <summary>Failed sign-ins allowed per client address within <see cref="SignInWindowMinutes"/>.</summary>
    public int SignInMaxFailures { get; set; } = 5;

    public int SignInWindowMinutes { get; set; } = 5;

    /// <summary>
    /// StackExchange.Redis configuration (e.g. <c>redis:6379,password=...</c>). When set, live fan-out, presence and
    /// board updates span every server using it (see <c>Realtime/RedisFanOut.cs</c>); unset, the server works alone
    /// and never touches Redis.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Starts every Redis channel and key SessionRoom uses, so deployments sharing one Redis stay apart.</summary>
    public string RedisChannelPrefix { get; set; } = "SessionRoom";

    /// <summary>Where the data is kept (<c>SessionRoom:Storage:*</c>).</summary>
    public StorageSettings Storage { get; set; } = new();

    /// <summary>How usability metrics are counted (<c>SessionRoom:Metrics:*</c>).</summary>
    public MetricsSettings Metrics { get; set; } = new();
}

/// <summary>The storage provider: SQLite in <see cref="SessionRoomOptions.DataDirectory"/> (the default), or PostgreSQL.</summary>
public sealed class StorageSettings
{
    /// <summary><c>sqlite</c> (the default) or <c>postgres</c>, any case.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string, e.g. <c>Host=db;Username=sessionroom;Password=...;Database=sessionroom</c>. Required for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Opens the configured database. Throws <see cref="InvalidOperationException"/> with a message naming the
    /// setting when the provider is unknown or PostgreSQL has no usable connection string: the server must not
    /// start on a database it was not asked for.
    /// </summary>
    public SessionRoom.Data.Db Open(string dataDirectory)
    {
        switch ((Provider ?? "").Trim().ToLowerInvariant())
        {
            case "" or "sqlite":
                return new SessionRoom.Data.Db(dataDirectory);
            case "postgres":
                if (string.IsNullOrWhiteSpace(ConnectionString))
                {
                    throw new InvalidOperationException(
                        "SessionRoom:Storage:Provider is \"postgres\" but SessionRoom:Storage:ConnectionString is not set. " +
                        "Set it to an Npgsql connection string, e.g. Host=db;Username=sessionroom;Password=...;Database=sessionroom.");
                }
                try
                {
                    return SessionRoom.Data.Db.Postgres(ConnectionString);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidOperationException($"SessionRoom:Storage:ConnectionString cannot be read as an Npgsql connection string: {e.Message}", e);
                }
            default:
                throw new InvalidOperationException(
                    $"SessionRoom:Storage:Provider is \"{Provider}\"; it must be \"sqlite\" (the default) or \"postgres\".");
        }
    }
}

/// <summary>Usability metrics settings, the same for the live panels, the study page and the exports.</summary>
public sealed class MetricsSettings
{
    /// <summary>Whether a "partial" outcome counts as a completed task (off: only "success" does, as API.md says by default).</summary>
    public bool PartialCountsAsSuccess { get; set; }
}
