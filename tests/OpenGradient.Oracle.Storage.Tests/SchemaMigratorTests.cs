using Npgsql;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class SchemaMigratorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Migrations_are_recorded_once_and_a_second_run_applies_nothing()
    {
        await using var fresh = NpgsqlDataSource.Create(await db.Server.CreateDatabaseAsync("migrate"));
        var first = await DatabaseFixture.NewMigrator(fresh).MigrateAsync();
        var second = await DatabaseFixture.NewMigrator(fresh).MigrateAsync();

        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version), first);
        Assert.Empty(second);
        Assert.Equal((long)SchemaMigrator.Embedded.Count, await CountAsync(fresh, "SELECT count(*) FROM oracle.schema_migrations"));
    }

    [Fact]
    public async Task Concurrent_migrators_on_a_fresh_database_migrate_exactly_once()
    {
        await using var fresh = NpgsqlDataSource.Create(await db.Server.CreateDatabaseAsync("race"));
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DatabaseFixture.NewMigrator(fresh).MigrateAsync())));

        Assert.Single(runs, r => r.Count > 0);
        Assert.Equal(3, runs.Count(r => r.Count == 0));
        Assert.Equal((long)SchemaMigrator.Embedded.Count, await CountAsync(fresh, "SELECT count(*) FROM oracle.schema_migrations"));
    }

    [Fact]
    public async Task Tables_live_in_the_oracle_schema()
    {
        var tables = await CountAsync(db.DataSource,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'oracle' AND table_name IN ('requests','chain_cursors','nonces','outbound_transactions','outbound_transaction_requests','schema_migrations')");
        Assert.Equal(6L, tables);
    }

    [Fact]
    public void Embedded_migrations_are_numbered_in_order()
    {
        Assert.NotEmpty(SchemaMigrator.Embedded);
        Assert.Equal(1, SchemaMigrator.Embedded[0].Version);
        Assert.Equal("0001_initial", SchemaMigrator.Embedded[0].Name);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
