using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>
/// Everything the server has stored, read straight from its SQLite file (every table, every row) and summed up per
/// table as a row count and a hash: two fingerprints are equal when nothing at all was written between them. Reading
/// is safe while the server runs (WAL: readers do not block the writer) and takes a millisecond or two for the
/// amounts of data a test makes.
/// </summary>
public sealed record DataFingerprint(IReadOnlyDictionary<string, (long Rows, string Hash)> Tables)
{
    public static DataFingerprint Read(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, SessionRoom.Data.Db.FileName);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var names = new List<string>();
        using (var list = connection.CreateCommand())
        {
            // The FTS5 table's own shadow tables (event_text_*) follow from event_text, which is read.
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'event_text_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }
        using var transaction = connection.BeginTransaction(deferred: true);
        var tables = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            using var select = connection.CreateCommand();
            select.Transaction = transaction;
            select.CommandText = $"SELECT * FROM \"{name}\"";
            using var reader = select.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var raw = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    row.Append(raw switch
                    {
                        null => "\u2400",
                        byte[] bytes => Convert.ToHexString(bytes),
                        _ => Convert.ToString(raw, CultureInfo.InvariantCulture),
                    }).Append('\u001f');
                }
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001e", rows))))[..16];
            tables[name] = (rows.Count, hash);
        }
        return new DataFingerprint(tables);
    }

    /// <summary>Reads until two reads <paramref name="quiet"/> apart agree (writes still under way, such as presence events of connections just closed, have landed), at most 10 s.</summary>
    public static async Task<DataFingerprint> SettledAsync(string dataDirectory, TimeSpan? quiet = null)
    {
        var last = Read(dataDirectory);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(quiet ?? TimeSpan.FromMilliseconds(250));
            var now = Read(dataDirectory);
            if (now.SameAs(last))
            {
                return now;
            }
            last = now;
        }
        return last;
    }

    public long Rows(string table) => Tables.TryGetValue(table, out var t) ? t.Rows : 0;

    /// <summary>The tables that differ, with their row counts before and after.</summary>
    public string Difference(DataFingerprint after)
    {
        var changed = Tables.Keys.Union(after.Tables.Keys)
            .Where(t => !Tables.TryGetValue(t, out var a) || !after.Tables.TryGetValue(t, out var b) || a != b)
            .Select(t => $"{t} ({Rows(t)} -> {after.Rows(t)} rows)");
        return string.Join(", ", changed);
    }

    public bool SameAs(DataFingerprint other) => Difference(other).Length == 0;
}
