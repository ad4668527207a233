using Npgsql;
using SessionRoom.Data;

namespace SessionRoom.IntegrationTests;

/// <summary>Which database errors are "unavailable, try again" (a 503 or a HubException) rather than a bug, on PostgreSQL.</summary>
public sealed class DbUnavailableTests
{
    [Theory]
    [InlineData("53300", true)] // too many connections
    [InlineData("53100", true)] // disk full
    [InlineData("08006", true)] // connection failure
    [InlineData("57P01", true)] // the server is shutting down
    [InlineData("25006", true)] // read-only transaction (a standby)
    [InlineData("40001", true)] // serialization failure
    [InlineData("3D000", true)] // the database does not exist (dropped, or a wrong name)
    [InlineData("28P01", true)] // the password was refused
    [InlineData("23505", false)] // unique violation: a bug or a race to report, not to wait out
    [InlineData("42601", false)] // syntax error
    public void A_PostgreSQL_error_is_unavailable_by_its_SQLSTATE(string sqlState, bool unavailable) =>
        Assert.Equal(unavailable, Db.IsUnavailable(new PostgresException("test", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void A_PostgreSQL_server_that_cannot_be_reached_is_unavailable()
    {
        // Port 1 on loopback: nothing listens, so the connection is refused at once.
        using var db = Db.Postgres("Host=127.0.0.1;Port=1;Username=x;Database=x;Timeout=2");
        var error = Assert.ThrowsAny<NpgsqlException>(() => db.Open());
        Assert.True(Db.IsUnavailable(error));
    }
}
