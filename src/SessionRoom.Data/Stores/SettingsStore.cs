using Dapper;

namespace SessionRoom.Data.Stores;

/// <summary>Server-wide settings shared by every server of a deployment (they read the same database).</summary>
public sealed class SettingsStore(Db db)
{
    public const string FacilitatorKeyHash = "facilitator_key_hash";

    public string? Get(string key) => db.Read((c, tx) =>
        c.QuerySingleOrDefault<string>("SELECT value FROM settings WHERE key = @key", new { key }, tx));

    /// <summary>Stores the value unless the key already has one. True when this call stored it.</summary>
    public bool AddIfAbsent(string key, string value) => db.InTransaction((c, tx) =>
        c.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", new { key, value }, tx) == 1);

    public void Set(string key, string value) => db.InTransaction((c, tx) =>
        c.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", new { key, value }, tx));
}
