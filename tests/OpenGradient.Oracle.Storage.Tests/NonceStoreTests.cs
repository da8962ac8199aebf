namespace OpenGradient.Oracle.Storage.Tests;

public sealed class NonceStoreTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlNonceStore _store = new(db.DataSource, TimeProvider.System);

    [Fact]
    public async Task Concurrent_reservations_are_unique_and_gap_free()
    {
        var sender = SampleRequests.RandomAddress();
        await _store.ReconcileAsync(7, sender, 5);

        var nonces = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => _store.ReserveNextAsync(7, sender))));

        Assert.Equal(Enumerable.Range(5, 64).Select(n => (ulong)n), nonces.Order());
        Assert.Equal(69UL, await _store.PeekAsync(7, sender));
    }

    [Fact]
    public async Task An_unknown_sender_starts_at_zero_even_when_first_reserved_concurrently()
    {
        var sender = SampleRequests.RandomAddress();
        Assert.Null(await _store.PeekAsync(7, sender));

        var nonces = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => _store.ReserveNextAsync(7, sender))));

        Assert.Equal(Enumerable.Range(0, 16).Select(n => (ulong)n), nonces.Order());
    }

    [Fact]
    public async Task Reconcile_moves_forward_only_unless_lowering_is_allowed()
    {
        var sender = SampleRequests.RandomAddress();
        Assert.Equal(10UL, await _store.ReconcileAsync(1, sender, 10));
        Assert.Equal(10UL, await _store.ReconcileAsync(1, sender, 3));
        Assert.Equal(12UL, await _store.ReconcileAsync(1, sender, 12));
        Assert.Equal(4UL, await _store.ReconcileAsync(1, sender, 4, allowLower: true));
        Assert.Equal(4UL, await _store.ReserveNextAsync(1, sender));
    }

    [Fact]
    public async Task Counters_are_kept_per_chain()
    {
        var sender = SampleRequests.RandomAddress();
        await _store.ReconcileAsync(1, sender, 100);

        Assert.Equal(0UL, await _store.ReserveNextAsync(2, sender));
        Assert.Equal(100UL, await _store.ReserveNextAsync(1, sender));
    }
}
