using System.Data;
using System.Globalization;
using Dapper;

namespace SessionRoom.Data;

/// <summary>
/// SQLite has no GUID or timestamp type: GUIDs are stored as lower-case text and times as
/// ISO-8601 UTC text, so they sort, compare and read the same in any SQL tool.
/// </summary>
/// <remarks>
/// Dapper's type handlers are global to the process, and the same stores run on PostgreSQL
/// (<see cref="Db.Provider"/>) with columns of type <c>uuid</c> and <c>timestamptz</c>: so only a SQLite
/// parameter gets text; any other provider gets the value itself
/// (a time in UTC), and values a provider reads back as GUIDs or times are taken as they are.
/// </remarks>
internal static class DapperTypes
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }
        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.RemoveTypeMap(typeof(Guid?));
        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    /// <summary>How a GUID is stored.</summary>
    public static string Text(Guid value) => value.ToString("D");

    /// <summary>How a time is stored.</summary>
    public static string Text(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A stored time read back.</summary>
    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>A GUID as either provider gives it back: SQLite's text, PostgreSQL's uuid.</summary>
    public static Guid ReadGuid(object value) => value switch
    {
        string s => Guid.Parse(s),
        byte[] b => new Guid(b),
        Guid g => g,
        _ => throw new DataException($"Cannot read a GUID from {value.GetType().Name}."),
    };

    /// <summary>A time as either provider gives it back: SQLite's text, PostgreSQL's timestamptz (a UTC DateTime).</summary>
    public static DateTimeOffset ReadTime(object value) => value switch
    {
        string s => ParseTime(s),
        DateTimeOffset d => d,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => throw new DataException($"Cannot read a time from {value.GetType().Name}."),
    };

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            if (parameter is not Microsoft.Data.Sqlite.SqliteParameter)
            {
                parameter.Value = value;
                return;
            }
            parameter.DbType = DbType.String;
            parameter.Value = Text(value);
        }

        public override Guid Parse(object value) => ReadGuid(value);
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is not Microsoft.Data.Sqlite.SqliteParameter)
            {
                parameter.Value = value.ToUniversalTime();
                return;
            }
            parameter.DbType = DbType.String;
            parameter.Value = Text(value);
        }

        public override DateTimeOffset Parse(object value) => ReadTime(value);
    }
}
