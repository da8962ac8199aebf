using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Listening;

/// <summary>
/// How the log followers read the chain (<see cref="LogRangeReader"/>), against a real Hardhat node and real PostgreSQL
/// cursors: what a poll costs in RPC calls, and that the cheaper reorg check (the block after the cursor must have the
/// cursor's block as its parent) still catches a replaced cursor block. The tests share the node and run one after
/// another (two of them rewind the chain).
/// </summary>
public sealed class LogRangeReaderTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Requester = 2;
    private const string Stream = "test";

    private static RequestListener Listener(ChainContext context, Stores stores, RecordingScheduler scheduler, TimeProvider? time = null) =>
        new(context, stores.Requests, stores.Cursors, scheduler, time ?? TimeProvider.System, Loggers.For<RequestListener>());

    private static async Task CatchUpAsync(RequestListener listener, ChainIdentity identity)
    {
        for (var i = 0; i < 50; i++)
            if (await listener.PollOnceAsync(identity, CancellationToken.None)) return;
        throw new InvalidOperationException("the listener did not catch up in 50 polls");
    }

    /// <summary>Reads ranges until caught up; returns the request ids of every log read.</summary>
    private static async Task<List<System.Numerics.BigInteger>> DrainAsync(ConfirmedLogFollower follower, ChainIdentity identity)
    {
        var ids = new List<System.Numerics.BigInteger>();
        for (var i = 0; i < 50; i++)
        {
            var range = await follower.ReadNextAsync(identity, CancellationToken.None);
            if (range is null) return ids;
            ids.AddRange(range.Logs.Select(l => RequestEvents.FromLog(identity.ChainId, l).Key.RequestId));
            if (range.CaughtUp) return ids;
        }
        throw new InvalidOperationException("the follower did not catch up in 50 reads");
    }

    [Fact]
    public async Task An_idle_poll_reads_only_the_head_and_a_poll_over_one_new_block_reads_one_header_not_the_cursors_block_again()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var calls = new RpcCallCounter();
        using var http = new HttpClient(calls);
        using var context = new ChainContext(new EthRpcClient(node.Url, http), new InMemoryOperatorKeyProvider(bed.Key(3)), bed.Options());
        await context.InitializeAsync();
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var clock = new ManualClock();
        var listener = Listener(context, stores, scheduler, clock);
        await CatchUpAsync(listener, identity);

        calls.Reset();
        Assert.True(await listener.PollOnceAsync(identity, CancellationToken.None));
        Assert.Equal(1, calls.Count("eth_blockNumber"));
        Assert.Equal(0, calls.Count("eth_getBlockByNumber"));
        Assert.Equal(0, calls.Count("eth_getLogs"));
        // A cursor at the head is read again once the recheck interval has passed, and not at the next poll after that.
        clock.Advance(LogRangeReader.HeadRecheckInterval);
        Assert.True(await listener.PollOnceAsync(identity, CancellationToken.None));
        Assert.True(await listener.PollOnceAsync(identity, CancellationToken.None));
        Assert.Equal(1, calls.Count("eth_getBlockByNumber"));

        var (id, block) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester));
        calls.Reset();
        Assert.True(await listener.PollOnceAsync(identity, CancellationToken.None));
        Assert.Equal([id], scheduler.Queued.Select(k => k.RequestId));
        // The new block's header serves both as the reorg check (its parent is the cursor's block) and as the new cursor.
        Assert.Equal(1, calls.Count("eth_blockNumber"));
        Assert.Equal(1, calls.Count("eth_getBlockByNumber"));
        Assert.Equal(1, calls.Count("eth_getLogs"));
        var cursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        Assert.Equal(block, cursor!.BlockNumber);
        Assert.Equal(Hex.Encode((await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(block)))!.Hash), Hex.Encode(cursor.BlockHash));
    }

    [Fact]
    public async Task Blocks_hardhat_mined_in_bulk_with_a_zero_parent_hash_are_read_without_a_rewind()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var listener = Listener(context, stores, scheduler);
        await CatchUpAsync(listener, identity);
        var before = (await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText))!.BlockNumber;

        await node.RpcAsync("hardhat_mine", "0x10");
        // The devnet's quirk this test is about (the blocks in the middle of the bulk have it).
        var middle = await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(before + 8));
        Assert.Equal(new byte[32], middle!.ParentHash);
        var (id, block) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester));
        // One block at a time, so that every step checks a bulk-mined block's parent link.
        using var stepwise = await ChainTestbed.ContextAsync(bed.Options(o => o.MaxBlockRange = 1), bed.Key(3));
        var stepListener = Listener(stepwise, stores, scheduler);
        for (var expected = before + 1; expected <= block; expected++)
        {
            Assert.Equal(expected == block, await stepListener.PollOnceAsync(identity, CancellationToken.None));
            Assert.Equal(expected, (await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText))!.BlockNumber);
        }
        Assert.Equal([id], scheduler.Queued.Select(k => k.RequestId));
    }

    [Fact]
    public async Task A_follower_whose_block_was_replaced_at_the_head_notices_within_the_recheck_interval_and_reads_the_replacement()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var clock = new ManualClock();
        var follower = new ConfirmedLogFollower(context, stores.Cursors, Stream, [RequestEvents.Topic0], clock);
        // Blocks enough that the rewind below is not cut short at the deployment block.
        await node.RpcAsync("hardhat_mine", "0x10");
        await DrainAsync(follower, identity);
        // The follower's position is in memory; its stored cursor marks the block before the fork.
        var forkBase = await bed.Rpc.BlockNumberAsync();
        await follower.CommitAsync(identity, forkBase, CancellationToken.None);

        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var (orphanId, orphanBlock) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester), [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
        Assert.Equal([orphanId], await DrainAsync(follower, identity));

        // The block at the follower's position is replaced, with nothing on top: not seen before the recheck interval.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        var (replacementId, replacementBlock) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester), [0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
        Assert.Equal(orphanBlock, replacementBlock);
        Assert.Null(await follower.ReadNextAsync(identity, CancellationToken.None));
        Assert.Equal(forkBase, (await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText, Stream))!.BlockNumber);

        // Once it has passed, the block is read again: the follower moves back ReorgRewindBlocks (stored) and reads the
        // replacement's log.
        clock.Advance(LogRangeReader.HeadRecheckInterval);
        Assert.Null(await follower.ReadNextAsync(identity, CancellationToken.None));
        var rewound = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText, Stream);
        Assert.Equal(orphanBlock - (ulong)bed.Options().ReorgRewindBlocks, rewound!.BlockNumber);
        Assert.Equal([replacementId], await DrainAsync(follower, identity));
    }

    [Fact]
    public async Task A_reorg_to_a_branch_as_long_that_leaves_nothing_new_to_read_is_noticed_through_the_block_after_the_cursor()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(o => o.Confirmations = 2), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var follower = new ConfirmedLogFollower(context, stores.Cursors, Stream, [RequestEvents.Topic0]);
        await node.RpcAsync("hardhat_mine", "0x10");
        await DrainAsync(follower, identity);
        var forkBase = await bed.Rpc.BlockNumberAsync();
        await follower.CommitAsync(identity, forkBase - 2, CancellationToken.None);

        // Three blocks on a branch that vanishes, the first with a request: the follower reads it as confirmed.
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var (orphanId, _) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester));
        await node.RpcAsync("evm_mine");
        await node.RpcAsync("evm_mine");
        Assert.Equal([orphanId], await DrainAsync(follower, identity));
        // The new branch has three empty blocks: the same head number, past the follower's position, and nothing new
        // confirmed, so the only way to notice is to check the position.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        await node.RpcAsync("evm_mine");
        await node.RpcAsync("evm_mine");
        await node.RpcAsync("evm_mine");
        Assert.Equal(forkBase + 3, await bed.Rpc.BlockNumberAsync());
        Assert.Null(await follower.ReadNextAsync(identity, CancellationToken.None));
        var rewound = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText, Stream);
        Assert.Equal(forkBase + 1 - (ulong)bed.Options().ReorgRewindBlocks, rewound!.BlockNumber);
    }

    [Fact]
    public async Task A_listener_on_a_chain_shorter_than_its_cursor_rewinds_at_once()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var listener = Listener(context, stores, new RecordingScheduler());
        await CatchUpAsync(listener, identity);
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        await node.RpcAsync("hardhat_mine", "0x3");
        await CatchUpAsync(listener, identity);
        var ahead = (await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText))!.BlockNumber;

        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        var head = await bed.Rpc.BlockNumberAsync();
        Assert.True(head < ahead);
        Assert.False(await listener.PollOnceAsync(identity, CancellationToken.None));
        var cursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        Assert.True(cursor!.BlockNumber <= head, $"cursor {cursor.BlockNumber} is past the head {head} after the rewind");
        Assert.Equal(Hex.Encode((await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(cursor.BlockNumber)))!.Hash), Hex.Encode(cursor.BlockHash));
    }
}
