using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SessionRoom.Data;

namespace SessionRoom.Web.Endpoints;

/// <summary><c>GET /healthz</c>: 200 when the app can read its database, 503 otherwise.</summary>
public sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = db.Open();
            connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations");
            return Task.FromResult(HealthCheckResult.Healthy("The database answers."));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The database cannot be read.", e));
        }
    }
}
