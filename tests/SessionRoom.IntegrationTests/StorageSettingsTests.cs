using SessionRoom.Data;
using SessionRoom.Web.Hosting;

namespace SessionRoom.IntegrationTests;

/// <summary><c>SessionRoom:Storage:*</c>: SQLite by default; a wrong provider or a missing connection string stops the start with a message naming the setting.</summary>
public sealed class StorageSettingsTests
{
    [Fact]
    public void By_default_the_data_is_a_SQLite_file_in_the_data_directory()
    {
        using var directory = new TempDataDirectory();
        using var db = new StorageSettings().Open(directory.Path);
        Assert.Equal(StorageProvider.Sqlite, db.Provider);
        Assert.Equal(Path.Combine(directory.Path, Db.FileName), db.FilePath);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData(" Postgres ")]
    public void Postgres_with_a_connection_string_opens_PostgreSQL(string provider)
    {
        using var db = new StorageSettings { Provider = provider, ConnectionString = "Host=127.0.0.1;Username=sessionroom;Database=sessionroom" }.Open("./unused");
        Assert.Equal(StorageProvider.Postgres, db.Provider);
        Assert.Null(db.FilePath);
    }

    /// <summary>Statements are prepared after a few runs unless the connection string says otherwise (0 behind PgBouncer).</summary>
    [Theory]
    [InlineData("Host=127.0.0.1;Database=sessionroom", 64)]
    [InlineData("Host=127.0.0.1;Database=sessionroom;Max Auto Prepare=0", 0)]
    [InlineData("Host=127.0.0.1;Database=sessionroom;maxautoprepare=10", 10)]
    public void Postgres_prepares_statements_unless_the_connection_string_says_otherwise(string connectionString, int expected)
    {
        using var db = Db.Postgres(connectionString);
        Assert.Equal(expected, new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).MaxAutoPrepare);
    }

    [Theory]
    [InlineData("mysql", null, "SessionRoom:Storage:Provider is \"mysql\"; it must be \"sqlite\" (the default) or \"postgres\".")]
    [InlineData("postgres", null, "SessionRoom:Storage:Provider is \"postgres\" but SessionRoom:Storage:ConnectionString is not set.")]
    [InlineData("postgres", "  ", "SessionRoom:Storage:Provider is \"postgres\" but SessionRoom:Storage:ConnectionString is not set.")]
    [InlineData("postgres", "Hots=db;Nonsense", "SessionRoom:Storage:ConnectionString cannot be read as an Npgsql connection string")]
    public void A_wrong_setting_is_refused_with_a_message_naming_it(string provider, string? connectionString, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new StorageSettings { Provider = provider, ConnectionString = connectionString }.Open("./unused"));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_does_not_start_on_a_wrong_provider()
    {
        using var factory = new SessionRoomFactory(null, SessionRoomFactory.Key, new Dictionary<string, string> { ["SessionRoom:Storage:Provider"] = "oracle" });
        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("SessionRoom:Storage:Provider is \"oracle\"", error.Message, StringComparison.Ordinal);
    }
}
