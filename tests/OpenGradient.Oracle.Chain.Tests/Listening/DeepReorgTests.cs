using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Listening;

/// <summary>Reorgs deeper than <see cref="ChainOptions.Confirmations"/>: a stored request's log vanishes, or its id (a
/// counter in the contract) goes to a different request. Real Hardhat node (evm_snapshot / evm_revert), real
/// PostgreSQL stores; tests share the node and run one after another.</summary>
public sealed class DeepReorgTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Requester = 2;
    private const int Confirmations = 1;
    private static readonly byte[] FirstInput = [0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3];
    private static readonly byte[] SecondInput = [0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4];

    private sealed record World(ChainTestbed Bed, Stores Stores, ChainContext Context, ChainIdentity Identity,
        RecordingScheduler Scheduler, RequestListener Listener) : IAsyncDisposable
    {
        public RequestKey Key(System.Numerics.BigInteger id) => new(HardhatNode.ChainId, Identity.OracleText, id);

        public async Task CatchUpAsync()
        {
            for (var i = 0; i < 50; i++)
                if (await Listener.PollOnceAsync(Identity, CancellationToken.None)) return;
            throw new InvalidOperationException("the listener did not catch up in 50 polls");
        }

        public async ValueTask DisposeAsync()
        {
            Context.Dispose();
            await Stores.DisposeAsync();
            Bed.Dispose();
        }
    }

    private async Task<World> StartAsync()
    {
        var bed = await ChainTestbed.DeployAsync(node);
        var stores = await Stores.CreateAsync(postgres);
        var context = await ChainTestbed.ContextAsync(bed.Options(o => o.Confirmations = Confirmations), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var listener = new RequestListener(context, stores.Requests, stores.Cursors, scheduler, TimeProvider.System, Loggers.For<RequestListener>());
        var world = new World(bed, stores, context, identity, scheduler, listener);
        await world.CatchUpAsync();
        return world;
    }

    /// <summary>Sends a request and mines it past the confirmation depth; the listener stores it.</summary>
    private async Task<System.Numerics.BigInteger> ConfirmedRequestAsync(World world, byte[] input)
    {
        var (id, _) = await world.Bed.RequestAsync(ChainTestbed.Sender(node, world.Bed.Rpc, Requester), input);
        await node.RpcAsync("hardhat_mine", "0x" + Confirmations.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        await world.CatchUpAsync();
        return id;
    }

    [Fact]
    public async Task A_request_whose_log_vanished_is_orphaned_and_the_next_request_under_its_id_is_served_once()
    {
        await using var world = await StartAsync();
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var id = await ConfirmedRequestAsync(world, FirstInput);
        var key = world.Key(id);
        // An inference job already ran: the request is further along than Discovered when the reorg comes.
        var stored = (await world.Stores.Requests.GetAsync(key))!;
        stored = await world.Stores.Requests.TransitionAsync(stored, new RequestTransition.BeginInference());
        await world.Stores.Requests.TransitionAsync(stored, new RequestTransition.CompleteInference(InferenceOutcome.Success([1, 2, 3])));
        Assert.Equal([id], world.Scheduler.Queued.Select(k => k.RequestId));

        // A reorg of Confirmations + 1 blocks (deeper than the confirmation depth); the new chain is longer and holds
        // no request at all.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        await node.RpcAsync("hardhat_mine", "0x4");
        await world.CatchUpAsync();

        var orphaned = (await world.Stores.Requests.GetAsync(key))!;
        Assert.Equal(RequestStatus.Orphaned, orphaned.State.Status);
        Assert.Contains("no longer on the chain", orphaned.State.Detail, StringComparison.Ordinal);
        Assert.Equal([id], world.Scheduler.Queued.Select(k => k.RequestId));
        Assert.Empty(await world.Stores.Requests.ListSupersededAsync(key));

        // The contract's counter hands the same id to the next request: it replaces the orphan and is queued once.
        var reused = await ConfirmedRequestAsync(world, SecondInput);
        Assert.Equal(id, reused);
        var replacement = (await world.Stores.Requests.GetAsync(key))!;
        Assert.Equal(RequestStatus.Discovered, replacement.State.Status);
        Assert.Equal(SecondInput, replacement.Request.Input);
        Assert.Equal([id, id], world.Scheduler.Queued.Select(k => k.RequestId));
        var archived = Assert.Single(await world.Stores.Requests.ListSupersededAsync(key));
        Assert.Equal(FirstInput, archived.Request.Input);
        Assert.Equal(RequestStatus.Orphaned, archived.State.Status);
    }

    [Fact]
    public async Task A_replaced_request_is_archived_in_the_state_it_reached_and_its_replacement_is_queued_exactly_once()
    {
        await using var world = await StartAsync();
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var id = await ConfirmedRequestAsync(world, FirstInput);
        var key = world.Key(id);
        // The submitter already found it not pending (a terminal state) before the listener noticed the reorg.
        var stored = (await world.Stores.Requests.GetAsync(key))!;
        await world.Stores.Requests.TransitionAsync(stored, new RequestTransition.ObserveSettledElsewhere("not pending"));
        var cursorBefore = (await world.Stores.Cursors.GetAsync(HardhatNode.ChainId, world.Identity.OracleText))!;

        // Deeper than the confirmations: the fork replaces the request's block and the one on top; the new chain gives
        // the id to another request.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        var (reused, _) = await world.Bed.RequestAsync(ChainTestbed.Sender(node, world.Bed.Rpc, Requester), SecondInput);
        Assert.Equal(id, reused);
        await node.RpcAsync("hardhat_mine", "0x3");
        Assert.NotEqual(Convert.ToHexString(cursorBefore.BlockHash),
            Convert.ToHexString((await world.Bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(cursorBefore.BlockNumber)))!.Hash));
        await world.CatchUpAsync();

        var replacement = (await world.Stores.Requests.GetAsync(key))!;
        Assert.Equal(RequestStatus.Discovered, replacement.State.Status);
        Assert.Equal(SecondInput, replacement.Request.Input);
        var archived = Assert.Single(await world.Stores.Requests.ListSupersededAsync(key));
        Assert.Equal(RequestStatus.SettledElsewhere, archived.State.Status);
        Assert.Equal(FirstInput, archived.Request.Input);
        Assert.Equal([id, id], world.Scheduler.Queued.Select(k => k.RequestId));

        // Reading the range again (as after a crash before the cursor write) changes nothing and queues nothing.
        var deployment = world.Bed.Deployment.DeploymentBlock;
        await world.Stores.Cursors.SetAsync(new ChainCursor(HardhatNode.ChainId, world.Identity.OracleText, deployment,
            (await world.Bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(deployment)))!.Hash));
        await world.CatchUpAsync();
        Assert.Equal([id, id], world.Scheduler.Queued.Select(k => k.RequestId));
        Assert.Single(await world.Stores.Requests.ListSupersededAsync(key));
        Assert.Equal(replacement.Version, (await world.Stores.Requests.GetAsync(key))!.Version);
    }

    [Fact]
    public async Task An_orphaned_request_whose_transaction_is_mined_again_under_its_id_is_served_again_once()
    {
        await using var world = await StartAsync();
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var latest = await world.Bed.Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var requester = ChainTestbed.Sender(node, world.Bed.Rpc, Requester);
        var signed = await requester.SendAsync(new OpenGradient.Oracle.Chain.Transactions.TransactionCall(world.Bed.Deployment.InferenceOracle,
            OpenGradient.Oracle.Chain.Generated.InferenceOracleContract.EncodeRequestInference(world.Bed.ModelId, FirstInput, 0, 1, latest!.Timestamp + 3600), ChainTestbed.Fee));
        await requester.WaitForReceiptAsync(signed.Hash, ChainTestbed.Timeout);
        await node.RpcAsync("hardhat_mine", "0x" + Confirmations.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        await world.CatchUpAsync();
        var id = Assert.Single(world.Scheduler.Queued).RequestId;
        var key = world.Key(id);

        // The fork drops the transaction: the request is orphaned.
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        await node.RpcAsync("hardhat_mine", "0x4");
        await world.CatchUpAsync();
        Assert.Equal(RequestStatus.Orphaned, (await world.Stores.Requests.GetAsync(key))!.State.Status);

        // The same signed transaction is mined again on the new branch (as a mempool would re-include it): same id,
        // same log. The request is served again, once.
        await world.Bed.Rpc.SendRawTransactionAsync(signed.Raw.ToArray());
        await node.RpcAsync("hardhat_mine", "0x" + Confirmations.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        await world.CatchUpAsync();
        await world.CatchUpAsync();

        var revived = (await world.Stores.Requests.GetAsync(key))!;
        Assert.Equal(RequestStatus.Discovered, revived.State.Status);
        Assert.Equal(signed.Hash, revived.Request.Log.TransactionHash);
        Assert.Equal([id, id], world.Scheduler.Queued.Select(k => k.RequestId));
        var archived = Assert.Single(await world.Stores.Requests.ListSupersededAsync(key));
        Assert.Equal(RequestStatus.Orphaned, archived.State.Status);
    }
}
