using System.Numerics;
using Npgsql;
using OpenGradient.Oracle.Core.Ports;

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
    public async Task Migration_3_adds_gas_to_the_transactions_an_older_node_stored()
    {
        await using var old = NpgsqlDataSource.Create(await db.Server.CreateDatabaseAsync("gas"));
        Assert.Equal([1, 2], await DatabaseFixture.NewMigrator(old).MigrateAsync(throughVersion: 2));
        // A pending and a mined transaction as the 0002 schema stores them (no gas columns yet).
        var pendingHash = SampleRequests.Hash();
        var minedHash = SampleRequests.Hash();
        foreach (var (hash, status, block) in new[] { (pendingHash, 0, (int?)null), (minedHash, 1, 9) })
        {
            await using var insert = old.CreateCommand($"""
                INSERT INTO oracle.outbound_transactions (chain_id, hash, from_address, to_address, nonce, raw, max_fee_per_gas,
                    max_priority_fee_per_gas, gas_limit, status, mined_block_number, created_at, updated_at)
                VALUES (31337, $1, $2, $2, {status}, '\x02'::bytea, 1000, 10, 300000, {status}, $3, now(), now())
                """);
            insert.Parameters.AddWithValue(hash);
            insert.Parameters.AddWithValue(Convert.FromHexString(SampleRequests.RandomAddress()[2..]));
            insert.Parameters.AddWithValue((object?)block ?? DBNull.Value);
            await insert.ExecuteNonQueryAsync();
        }

        var applied = await DatabaseFixture.NewMigrator(old).MigrateAsync();

        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version).Where(v => v > 2), applied);
        Assert.Contains(3, applied);
        var store = new NpgsqlOutboundTransactionStore(old, TimeProvider.System);
        var mined = (await store.GetAsync(31337, minedHash))!;
        Assert.Equal(OutboundTransactionStatus.Mined, mined.Status);
        Assert.Equal(9UL, mined.MinedBlockNumber);
        Assert.Null(mined.GasUsed);
        Assert.Null(mined.EffectiveGasPrice);
        Assert.True(await store.RecordReceiptAsync(31337, pendingHash, new OutboundReceipt(10, true, 88_000, 1_000_000_007)));
        var now = (await store.GetAsync(31337, pendingHash))!;
        Assert.Equal(88_000UL, now.GasUsed);
        Assert.Equal(new BigInteger(1_000_000_007), now.EffectiveGasPrice);
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
