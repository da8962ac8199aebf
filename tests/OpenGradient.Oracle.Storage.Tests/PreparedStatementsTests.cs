using Npgsql;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class PreparedStatementsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void Turns_auto_preparation_on_when_the_connection_string_does_not_set_it()
    {
        var enabled = new NpgsqlConnectionStringBuilder(PreparedStatements.Enable("Host=127.0.0.1;Port=5432;Database=oracle;Username=postgres"));

        Assert.Equal(PreparedStatements.MaxAutoPrepare, enabled.MaxAutoPrepare);
        Assert.Equal(2, enabled.AutoPrepareMinUsages);
        Assert.Equal("oracle", enabled.Database);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=oracle;Max Auto Prepare=0")]
    [InlineData("Host=127.0.0.1;Database=oracle;max auto prepare=5")]
    [InlineData("Host=127.0.0.1;Database=oracle;MaxAutoPrepare=7")]
    public void Leaves_an_operators_own_setting_alone(string connectionString) =>
        Assert.Equal(connectionString, PreparedStatements.Enable(connectionString));

    [Fact]
    public async Task A_statement_used_twice_on_a_connection_is_prepared_on_the_server()
    {
        await using var dataSource = NpgsqlDataSource.Create(PreparedStatements.Enable(db.ConnectionString));
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
        await using var dataSource = NpgsqlDataSource.Create(PreparedStatements.Enable(db.ConnectionString + ";Max Auto Prepare=0"));
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
