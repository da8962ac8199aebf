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
    /// <summary>Advisory lock key: "hangfire" as ASCII in a bigint, beside Storage's "ogoracle".</summary>
    internal const long AdvisoryLockKey = 0x68616e6766697265;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Hangfire's installer is not safe to run twice at once: nodes sharing a new database that start together
        // failed with "duplicate key ... pg_namespace_nspname_index" or "could not find tuple for constraint". The
        // installs take turns under a session lock; the later ones find the schema current and change nothing. Not
        // pooled: a session lock must not outlive this connection in a pool if the unlock below never runs.
        var unpooled = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Pooling = false }.ConnectionString;
        var connection = new NpgsqlConnection(unpooled);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken).ConfigureAwait(false);
            try
            {
                PostgreSqlObjectsInstaller.Install(connection, OracleJobsOptions.SchemaName);
            }
            finally
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("key", AdvisoryLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
