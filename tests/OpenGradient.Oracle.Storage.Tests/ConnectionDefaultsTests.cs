using Npgsql;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class ConnectionDefaultsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void Turns_auto_preparation_on_and_the_reset_off_when_the_connection_string_does_not_set_them()
    {
        var tuned = new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply("Host=127.0.0.1;Port=5432;Database=oracle;Username=postgres"));

        Assert.Equal(ConnectionDefaults.MaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("oracle", tuned.Database);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=oracle;Max Auto Prepare=0", 0)]
    [InlineData("Host=127.0.0.1;Database=oracle;max auto prepare=5", 5)]
    [InlineData("Host=127.0.0.1;Database=oracle;MaxAutoPrepare=7", 7)]
    public void Leaves_an_operators_own_preparation_setting_alone(string connectionString, int expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply(connectionString)).MaxAutoPrepare);

    [Theory]
    [InlineData("Host=127.0.0.1;Database=oracle;No Reset On Close=false")]
    [InlineData("Host=127.0.0.1;Database=oracle;noresetonclose=False")]
    public void Leaves_an_operators_own_reset_setting_alone(string connectionString) =>
        Assert.False(new NpgsqlConnectionStringBuilder(ConnectionDefaults.Apply(connectionString)).NoResetOnClose);

    [Fact]
    public async Task A_connection_back_from_the_pool_keeps_its_session_without_a_reset()
    {
        // Observable proof that no reset runs: a session setting survives the round trip through the pool.
        // (The stores never change session state; this only shows the reset is really off.)
        await using var dataSource = NpgsqlDataSource.Create(ConnectionDefaults.Apply(db.ConnectionString + ";Maximum Pool Size=1"));
        await using (var first = await dataSource.OpenConnectionAsync())
        {
            await using var set = new NpgsqlCommand("SET application_name = 'not-reset'", first);
            await set.ExecuteNonQueryAsync();
        }
        await using var second = await dataSource.OpenConnectionAsync();
        await using var show = new NpgsqlCommand("SHOW application_name", second);
        Assert.Equal("not-reset", await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_statement_used_twice_on_a_connection_is_prepared_on_the_server()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionDefaults.Apply(db.ConnectionString));
        await using var connection = await dataSource.OpenConnectionAsync();
        const string Lookup = "SELECT count(*) FROM oracle.requests WHERE chain_id = $1";
        for (var i = 0; i < 3; i++)
        {
            await using var command = new NpgsqlCommand(Lookup, connection) { Parameters = { new NpgsqlParameter { Value = 1L } } };
            await command.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = Lookup } },
        };
        Assert.Equal(1L, await prepared.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Nothing_is_prepared_when_the_operator_turns_it_off()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionDefaults.Apply(db.ConnectionString + ";Max Auto Prepare=0"));
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM oracle.requests", connection);
            await command.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements", connection);
        Assert.Equal(0L, await prepared.ExecuteScalarAsync());
    }
}
