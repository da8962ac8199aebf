using Microsoft.Extensions.Options;
using Npgsql;

namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>Nodes sharing a database start together (a deployment of two workers): each installs Hangfire's tables.</summary>
[Collection(JobsHostCollection.Name)]
public sealed class HangfireSchemaInstallerTests(JobsHostFixture host)
{
    [Fact]
    public async Task Nodes_starting_together_on_a_new_database_all_install_hangfire_and_agree_on_its_schema()
    {
        // A few fresh databases: the race between two installs is a matter of timing, so one try proves little.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var connectionString = await host.Server.CreateDatabaseAsync("hangfire_install");
            var installers = Enumerable.Range(0, 4)
                .Select(_ => new HangfireSchemaInstaller(Options.Create(new OracleJobsOptions { ConnectionString = connectionString })))
                .ToList();

            await Task.WhenAll(installers.Select(i => Task.Run(() => i.StartAsync(CancellationToken.None))));

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var version = new NpgsqlCommand("SELECT count(*), max(version) FROM hangfire.schema", connection);
            await using var reader = await version.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(1L, reader.GetInt64(0)); // one schema row, not one per installer
            Assert.True(reader.GetInt32(1) >= 20, $"hangfire schema version {reader.GetInt32(1)}");
        }
    }
}
