using System.Numerics;
using OpenGradient.Oracle.Chain.Finality;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Finality;

/// <summary>The challenge responder against a real Hardhat node and real PostgreSQL stores: it re-executes a disputed
/// result once, also when its blocks are read again after a restart, and stays out of disputes it may not join.</summary>
public sealed class ChallengeResponderTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Original = 2;
    private const int Reexecutor = 3;
    private const int OtherOperator = 4;
    private const int Requester = 5;
    private const int Challenger = 6;

    private static readonly byte[] ProvisionalOutput = [0, 0, 0, 1, 0, 0, 0, 2];
    private static readonly byte[] HonestOutput = [0, 0, 0, 1, 0, 0, 0, 3];

    [Fact]
    public async Task A_disputed_result_is_reexecuted_once_even_when_the_challenge_is_read_again_after_a_restart()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        var requestId = await DisputedRequestAsync(bed);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(Reexecutor));
        var identity = await context.GetIdentityAsync();

        await CatchUpAsync(Responder(context, stores), identity);
        var recorded = await ReexecutionsAsync(bed, requestId);
        var only = Assert.Single(recorded);
        Assert.Equal(bed.Key(Reexecutor).Address, only.Operator);
        Assert.Equal(Hex.Encode(Keccak256.Hash(HonestOutput)), Hex.Encode(only.OutputHash));
        Assert.Single(await SentAsync(stores, identity));

        // A restart that reads the challenge again (cursor moved back): the recorded commitment stops a second send.
        await stores.Cursors.SetAsync(new ChainCursor(HardhatNode.ChainId, identity.OracleText, bed.Deployment.DeploymentBlock,
            (await bed.Rpc.GetBlockByNumberAsync(BlockTag.Number(bed.Deployment.DeploymentBlock)))!.Hash, ChallengeResponder.Stream));
        await CatchUpAsync(Responder(context, stores), identity);
        Assert.Single(await ReexecutionsAsync(bed, requestId));
        Assert.Single(await SentAsync(stores, identity));

        // The listener's cursor is a different stream and was never touched.
        Assert.Null(await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText));
    }

    [Fact]
    public async Task The_operator_that_signed_the_disputed_result_does_not_reexecute_it()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        var requestId = await DisputedRequestAsync(bed);
        await using var stores = await Stores.CreateAsync(postgres);
        using var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(Original));
        var identity = await context.GetIdentityAsync();

        await CatchUpAsync(Responder(context, stores), identity);
        Assert.Empty(await ReexecutionsAsync(bed, requestId));
        Assert.Empty(await SentAsync(stores, identity));
        Assert.NotNull(await stores.Cursors.GetAsync(HardhatNode.ChainId, identity.OracleText, ChallengeResponder.Stream));
    }

    /// <summary>Three operators; a finality request fulfilled by <see cref="Original"/> and challenged.</summary>
    private static async Task<BigInteger> DisputedRequestAsync(ChainTestbed bed)
    {
        foreach (var account in new[] { Original, Reexecutor, OtherOperator }) await bed.RegisterOperatorAsync(account);
        var input = ChainTestbed.RandomInput();
        var latest = await bed.Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var receipt = await ChainTestbed.Sender(bed.Node, bed.Rpc, Requester).SendAndWaitAsync(new TransactionCall(bed.Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInferenceWithFinality(bed.ModelId, input, 0, latest!.Timestamp + 86_400), ChainTestbed.Fee), ChainTestbed.Timeout);
        var requested = RequestEvents.FromLog(HardhatNode.ChainId, receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics)));
        var id = requested.Key.RequestId;

        var runtime = Keccak256.Hash("test runtime"u8.ToArray());
        var domain = Eip712Domain.InferenceOracle(HardhatNode.ChainId, bed.Deployment.InferenceOracle);
        var signature = CommitmentSigning.SignCommitment(bed.Key(Original), domain, id, bed.ModelId, requested.Request.InputHash,
            Keccak256.Hash(ProvisionalOutput), runtime);
        await ChainTestbed.Sender(bed.Node, bed.Rpc, Original).SendAndWaitAsync(new TransactionCall(bed.Deployment.InferenceOracle,
            InferenceOracleContract.EncodeFulfil(new InferenceOracleContract.Fulfilment(id, RequestEvents.ToContract(requested.Request),
                ProvisionalOutput, runtime, signature.ToBytes()))), ChainTestbed.Timeout);

        var bond = InferenceOracleContract.DecodeChallengeBondOutput(await bed.Rpc.EthCallAsync(
            new TransactionRequest { To = bed.Deployment.InferenceOracle, Data = InferenceOracleContract.EncodeChallengeBond() }));
        await ChainTestbed.Sender(bed.Node, bed.Rpc, Challenger).SendAndWaitAsync(new TransactionCall(bed.Deployment.InferenceOracle,
            InferenceOracleContract.EncodeChallenge(id, Keccak256.Hash(HonestOutput)), bond), ChainTestbed.Timeout);
        return id;
    }

    private static ChallengeResponder Responder(ChainContext context, Stores stores) =>
        new(context, stores.Cursors, new FixedOutputRunner(HonestOutput), new OracleFinalityReader(context, stores.Requests),
            new FinalityTransactions(context, stores.Nonces, stores.Transactions, TimeProvider.System, Loggers.For<FinalityTransactions>()),
            new ResultSubmitter(context, stores.Nonces, stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>()),
            TimeProvider.System, Loggers.For<ChallengeResponder>());

    private static async Task CatchUpAsync(ChallengeResponder responder, ChainIdentity identity)
    {
        for (var i = 0; i < 50; i++)
            if (await responder.PollOnceAsync(identity, CancellationToken.None)) return;
        throw new InvalidOperationException("the responder did not catch up in 50 polls");
    }

    private static async Task<IReadOnlyList<InferenceOracleContract.ReexecutionRecordedEvent>> ReexecutionsAsync(ChainTestbed bed, BigInteger requestId) =>
        (await bed.Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [bed.Deployment.InferenceOracle],
            Topics = [[InferenceOracleContract.ReexecutionRecordedEventAbi.Topic0], [AbiEncoder.Encode(AbiType.UInt256, requestId)]],
            FromBlock = BlockTag.Number(bed.Deployment.DeploymentBlock),
            ToBlock = BlockTag.Latest,
        })).Select(l => InferenceOracleContract.DecodeReexecutionRecordedEvent(l.Topics, l.Data)).ToArray();

    private static Task<IReadOnlyList<OutboundTransaction>> SentAsync(Stores stores, ChainIdentity identity) =>
        stores.Transactions.ListByStatusAsync(HardhatNode.ChainId, identity.Operator.ToString(), OutboundTransactionStatus.Pending);

    /// <summary>The testbed's model is registered without a file (the contracts check only lengths): the "inference"
    /// here is the honest answer the test decides.</summary>
    private sealed class FixedOutputRunner(byte[] output) : IInferenceRunner
    {
        public Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(InferenceOutcome.Success(output));
    }
}
