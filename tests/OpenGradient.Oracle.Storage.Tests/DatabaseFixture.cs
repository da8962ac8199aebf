using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Storage.Tests;

/// <summary>One throwaway cluster and one migrated database per test class.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public PostgresServer Server { get; } = new();

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        ConnectionString = await Server.CreateDatabaseAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        await NewMigrator(DataSource).MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null) await DataSource.DisposeAsync();
        await Server.DisposeAsync();
    }

    internal static SchemaMigrator NewMigrator(NpgsqlDataSource dataSource) =>
        new(dataSource, NullLogger<SchemaMigrator>.Instance, TimeProvider.System);
}
