using Hangfire.PostgreSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Creates or upgrades Hangfire's tables (schema <see cref="OracleJobsOptions.SchemaName"/>) when the host starts,
/// before the job server and recovery run: the same install Hangfire's <c>PrepareSchemaIfNecessary</c> does, moved out
/// of the storage's constructor so building the host touches no database (see AddOracleJobs).
/// </summary>
internal sealed class HangfireSchemaInstaller(IOptions<OracleJobsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(options.Value.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            PostgreSqlObjectsInstaller.Install(connection, OracleJobsOptions.SchemaName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
