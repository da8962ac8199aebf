using Npgsql;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class OutageTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_database_outage_surfaces_as_a_transient_NpgsqlException_and_the_store_recovers()
    {
        var store = new NpgsqlRequestStore(db.DataSource, TimeProvider.System);
        var request = SampleRequests.Request();
        await store.AddIfAbsentAsync(request);

        await db.Server.StopAsync();
        try
        {
            var e = await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.GetAsync(request.Key));
            Assert.True(e.IsTransient, e.ToString());
        }
        finally
        {
            await db.Server.StartAsync();
        }

        NpgsqlConnection.ClearAllPools();
        Assert.NotNull(await store.GetAsync(request.Key));
    }
}
