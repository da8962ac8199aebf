using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Listening;

/// <summary>The listener against a real Hardhat node and real PostgreSQL stores. Tests in this class share the node
/// and run one after another (the reorg test rewinds the chain).</summary>
public sealed class RequestListenerTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Requester = 2;

    private static async Task CatchUpAsync(RequestListener listener, ChainIdentity identity)
    {
        for (var i = 0; i < 50; i++)
            if (await listener.PollOnceAsync(identity, CancellationToken.None)) return;
        throw new InvalidOperationException("the listener did not catch up in 50 polls");
    }

    private static RequestListener Listener(ChainContext context, Stores stores, RecordingScheduler scheduler) =>
        new(context, stores.Requests, stores.Cursors, scheduler, TimeProvider.System, Loggers.For<RequestListener>());

    [Fact]
    public async Task Each_request_is_stored_and_queued_once_even_when_its_blocks_are_read_again()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        var ids = new List<System.Numerics.BigInteger>();
        for (var i = 0; i < 3; i++) ids.Add((await bed.RequestAsync(requester)).RequestId);

        using var context = await ChainTestbed.ContextAsync(bed.Options(o => o.MaxBlockRange = 2), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        await CatchUpAsync(Listener(context, stores, scheduler), identity);

        Assert.Equal(ids, scheduler.Queued.Select(k => k.RequestId));
        foreach (var id in ids)
        {
            var stored = await stores.Requests.GetAsync(new RequestKey(HardhatNode.ChainId, identity.OracleText, id));
            Assert.NotNull(stored);
            Assert.Equal(RequestStatus.Discovered, stored.State.Status);
            Assert.Equal(bed.ModelId, stored.Request.Request.ModelId);
        }

        // Reading the same blocks again (cursor moved back, as after a crash before the cursor write) adds nothing.
        await stores.Cursors.SetAsync(new Core.Ports.ChainCursor(HardhatNode.ChainId, identity.OracleText, bed.Deployment.DeploymentBlock,
            (await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(bed.Deployment.DeploymentBlock)))!.Hash));
        await CatchUpAsync(Listener(context, stores, scheduler), identity);
        Assert.Equal(3, scheduler.Queued.Count);
    }

    [Fact]
    public async Task Requests_stored_while_the_job_store_refused_them_are_queued_at_the_next_poll()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        var ids = new List<System.Numerics.BigInteger>();
        for (var i = 0; i < 2; i++) ids.Add((await bed.RequestAsync(requester)).RequestId);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler { FailNext = 1 };
        var listener = Listener(context, stores, scheduler);

        // The requests are stored, then queueing them fails: the poll fails and the cursor stays where it was.
        await Assert.ThrowsAsync<InvalidOperationException>(() => listener.PollOnceAsync(identity, CancellationToken.None));
        Assert.Empty(scheduler.Queued);
        Assert.NotNull(await stores.Requests.GetAsync(new RequestKey(HardhatNode.ChainId, identity.OracleText, ids[0])));

        // The next poll re-reads the range, where both are known by now, and still queues them, once.
        await CatchUpAsync(listener, identity);
        Assert.Equal(ids, scheduler.Queued.Select(k => k.RequestId));
    }

    [Fact]
    public async Task A_new_listener_resumes_from_the_stored_cursor_and_backfills_what_it_missed()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        var first = (await bed.RequestAsync(requester)).RequestId;

        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var before = new RecordingScheduler();
        await CatchUpAsync(Listener(context, stores, before), identity);
        Assert.Equal([first], before.Queued.Select(k => k.RequestId));

        // "Down" while two more requests arrive; a new instance (a restart) picks up exactly those.
        var second = (await bed.RequestAsync(requester)).RequestId;
        var third = (await bed.RequestAsync(requester)).RequestId;
        var after = new RecordingScheduler();
        await CatchUpAsync(Listener(context, stores, after), identity);

        Assert.Equal([second, third], after.Queued.Select(k => k.RequestId));
        var cursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        var block = await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(cursor!.BlockNumber));
        Assert.Equal(Hex.Encode(block!.Hash), Hex.Encode(cursor.BlockHash));
        Assert.Equal(await bed.Rpc.BlockNumberAsync(), cursor.BlockNumber);
    }

    [Fact]
    public async Task A_request_is_acted_on_only_after_the_configured_confirmations()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        using var context = await ChainTestbed.ContextAsync(bed.Options(o => o.Confirmations = 3), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var listener = Listener(context, stores, scheduler);

        var (id, block) = await bed.RequestAsync(requester);
        await CatchUpAsync(listener, identity);
        Assert.Empty(scheduler.Queued);
        var cursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        Assert.True(cursor is null || cursor.BlockNumber < block, "the cursor must stay below the unconfirmed block");

        await node.RpcAsync("hardhat_mine", "0x2");
        await CatchUpAsync(listener, identity);
        Assert.Empty(scheduler.Queued);

        await node.RpcAsync("hardhat_mine", "0x1");
        await CatchUpAsync(listener, identity);
        Assert.Equal([id], scheduler.Queued.Select(k => k.RequestId));
    }

    [Fact]
    public async Task After_a_reorg_the_listener_rewinds_replaces_the_orphaned_request_and_stores_the_new_ones()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var listener = Listener(context, stores, scheduler);
        await CatchUpAsync(listener, identity);

        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var (orphanId, orphanBlock) = await bed.RequestAsync(requester, [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
        await CatchUpAsync(listener, identity);
        Assert.Equal([orphanId], scheduler.Queued.Select(k => k.RequestId));
        var orphanCursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        Assert.Equal(orphanBlock, orphanCursor!.BlockNumber);

        // The fork: the block under the cursor is replaced; the same request id now carries another input, and the
        // new chain is longer.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        var (replacementId, _) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester), [0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
        var (nextId, _) = await bed.RequestAsync(ChainTestbed.Sender(node, bed.Rpc, Requester));
        await node.RpcAsync("hardhat_mine", "0x2");
        Assert.Equal(orphanId, replacementId);
        var replacedBlock = await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(orphanBlock));
        Assert.NotEqual(Hex.Encode(orphanCursor.BlockHash), Hex.Encode(replacedBlock!.Hash));

        await CatchUpAsync(listener, identity);

        var cursor = await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText);
        Assert.Equal(await bed.Rpc.BlockNumberAsync(), cursor!.BlockNumber);
        Assert.Equal(Hex.Encode((await bed.Rpc.GetBlockByNumberAsync(BlockTag.Latest))!.Hash), Hex.Encode(cursor.BlockHash));
        // The orphaned request is archived and the replacement holds its key, queued once (DeepReorgTests has more).
        var key = new RequestKey(HardhatNode.ChainId, identity.OracleText, orphanId);
        var orphan = Assert.Single(await stores.Requests.ListSupersededAsync(key));
        Assert.Equal(RequestStatus.Orphaned, orphan.State.Status);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], orphan.Request.Input);
        var replacement = await stores.Requests.GetAsync(key);
        Assert.Equal(RequestStatus.Discovered, replacement!.State.Status);
        Assert.Equal([0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2], replacement.Request.Input);
        // Queued: the orphan when first seen, then (in either order) its replacement and the new request.
        Assert.Equal(orphanId, scheduler.Queued[0].RequestId);
        Assert.Equal(new[] { replacementId, nextId }.Order(), scheduler.Queued.Skip(1).Select(k => k.RequestId).Order());
        Assert.NotNull(await stores.Requests.GetAsync(new RequestKey(HardhatNode.ChainId, identity.OracleText, nextId)));
    }
}
