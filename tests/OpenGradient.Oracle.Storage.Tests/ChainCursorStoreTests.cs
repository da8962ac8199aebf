using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class ChainCursorStoreTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlChainCursorStore _store = new(db.DataSource, TimeProvider.System);

    [Fact]
    public async Task A_cursor_round_trips_and_can_move_forward_and_back()
    {
        var oracle = SampleRequests.RandomAddress();
        Assert.Null(await _store.GetAsync(1, oracle));

        var first = new ChainCursor(1, oracle, 100, SampleRequests.Hash());
        await _store.SetAsync(first);
        var read = await _store.GetAsync(1, oracle.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal));
        Assert.Equal(100UL, read!.BlockNumber);
        Assert.Equal(first.BlockHash, read.BlockHash);

        await _store.SetAsync(first with { BlockNumber = 105, BlockHash = SampleRequests.Hash() });
        var rewound = new ChainCursor(1, oracle, 99, SampleRequests.Hash());
        await _store.SetAsync(rewound);
        read = await _store.GetAsync(1, oracle);
        Assert.Equal(99UL, read!.BlockNumber);
        Assert.Equal(rewound.BlockHash, read.BlockHash);
    }

    [Fact]
    public async Task Cursors_are_kept_per_chain_and_oracle()
    {
        var oracle = SampleRequests.RandomAddress();
        await _store.SetAsync(new ChainCursor(1, oracle, 10, SampleRequests.Hash()));
        await _store.SetAsync(new ChainCursor(2, oracle, ulong.MaxValue, SampleRequests.Hash()));

        Assert.Equal(10UL, (await _store.GetAsync(1, oracle))!.BlockNumber);
        Assert.Equal(ulong.MaxValue, (await _store.GetAsync(2, oracle))!.BlockNumber);
        Assert.Null(await _store.GetAsync(1, SampleRequests.RandomAddress()));
    }

    [Fact]
    public async Task Each_stream_keeps_its_own_cursor_and_the_default_is_the_request_listeners()
    {
        var oracle = SampleRequests.RandomAddress();
        await _store.SetAsync(new ChainCursor(1, oracle, 10, SampleRequests.Hash()));
        await _store.SetAsync(new ChainCursor(1, oracle, 7, SampleRequests.Hash(), "challenges"));

        Assert.Equal(10UL, (await _store.GetAsync(1, oracle))!.BlockNumber);
        Assert.Equal(10UL, (await _store.GetAsync(1, oracle, ChainCursor.RequestsStream))!.BlockNumber);
        var challenges = await _store.GetAsync(1, oracle, "challenges");
        Assert.Equal(7UL, challenges!.BlockNumber);
        Assert.Equal("challenges", challenges.Stream);
        Assert.Null(await _store.GetAsync(1, oracle, "finality"));
    }
}
