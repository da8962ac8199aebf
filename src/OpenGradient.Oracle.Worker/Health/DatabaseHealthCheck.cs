using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OpenGradient.Oracle.Worker.Health;

/// <summary>Ready only when PostgreSQL (requests, cursor, nonces and Hangfire's queue) answers a query.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL unreachable (ConnectionStrings:Oracle): " + e.Message, e);
        }
    }
}
