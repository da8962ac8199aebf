using System.Numerics;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// Issue 5's challenge window against node processes: an opted-in result is finalized by the nodes themselves once its
/// window closes, and a wrong provisional result that is challenged is re-executed by other operators' nodes, overturned,
/// and its operator slashed.
/// </summary>
[Collection(nameof(ResilienceCollection))]
public sealed class FinalityTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task An_opted_in_result_is_finalized_by_the_node_once_the_window_closes()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 1);
        var directory = NewDirectory("finality");
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();
        await using var worker = await StartNodeAsync(devnet, directory, 0, perturb: false);

        var input = ResilienceRun.CreditInput(3);
        var requestId = await RequestWithFinalityAsync(rpc, devnet, input);
        var provisional = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultProvisionalEventAbi.Topic0, requestId, from);
        var provisionalEvent = InferenceOracleContract.DecodeResultProvisionalEvent(provisional.Topics, provisional.Data);
        Assert.Equal(devnet.Operators[0].Address, provisionalEvent.Operator);
        Assert.Equal((int)Stage.Provisional, (int)(await FinalityAsync(rpc, devnet, requestId)).Stage);
        output.WriteLine($"request {requestId}: provisional until {provisionalEvent.ChallengeDeadline}");

        // Nothing is final while the window is open.
        await node.RpcAsync("hardhat_mine", "0x2");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await LogsAsync(rpc, devnet, InferenceOracleContract.ResultFinalizedEventAbi.Topic0, requestId, from));

        await CloseWindowAsync();
        var finalized = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultFinalizedEventAbi.Topic0, requestId, from);
        var finalEvent = InferenceOracleContract.DecodeResultFinalizedEvent(finalized.Topics, finalized.Data);
        Assert.Equal(await ExpectedOutputAsync(devnet, input), finalEvent.Output);
        Assert.Equal(Hex.Encode(provisionalEvent.OutputHash), Hex.Encode(finalEvent.OutputHash));
        Assert.Equal((int)Stage.Final, (int)(await FinalityAsync(rpc, devnet, requestId)).Stage);
        var receipt = await rpc.GetTransactionReceiptAsync(finalized.TransactionHash!);
        Assert.Equal(devnet.Operators[0].Address, receipt!.From);
        output.WriteLine($"finalized by the node in tx {Hex.Encode(finalized.TransactionHash!)}");
    }

    [Fact]
    public async Task A_challenged_wrong_result_is_reexecuted_by_other_nodes_overturned_and_its_operator_slashed()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 3);
        var directory = NewDirectory("challenge");
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();
        var liar = devnet.Operators[0].Address;

        var input = ResilienceRun.CreditInput(5);
        var honestOutput = await ExpectedOutputAsync(devnet, input);
        BigInteger requestId;
        byte[] provisionalHash;
        await using (var liarNode = await StartNodeAsync(devnet, directory, 0, perturb: true))
        {
            requestId = await RequestWithFinalityAsync(rpc, devnet, input);
            var provisional = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultProvisionalEventAbi.Topic0, requestId, from);
            var e = InferenceOracleContract.DecodeResultProvisionalEvent(provisional.Topics, provisional.Data);
            Assert.Equal(liar, e.Operator);
            provisionalHash = e.OutputHash;
            Assert.NotEqual(Hex.Encode(Keccak256.Hash(honestOutput)), Hex.Encode(provisionalHash));
        }

        // A watcher that ran the model itself disputes the result with the output hash it got.
        var bond = await ChallengeAsync(rpc, devnet, devnet.Users[1], requestId, Keccak256.Hash(honestOutput));
        var liarStake = await StakeAsync(rpc, devnet, liar);
        output.WriteLine($"request {requestId}: provisional {Hex.Encode(provisionalHash)} challenged with bond {bond} wei");

        await using var honestA = await StartNodeAsync(devnet, directory, 1, perturb: false);
        await using var honestB = await StartNodeAsync(devnet, directory, 2, perturb: false);

        var resolvedLog = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ChallengeResolvedEventAbi.Topic0, requestId, from);
        var resolved = InferenceOracleContract.DecodeChallengeResolvedEvent(resolvedLog.Topics, resolvedLog.Data);
        Assert.False(resolved.OriginalCorrect);
        Assert.Equal(Hex.Encode(Keccak256.Hash(honestOutput)), Hex.Encode(resolved.OutputHash));

        var reexecutors = (await LogsAsync(rpc, devnet, InferenceOracleContract.ReexecutionRecordedEventAbi.Topic0, requestId, from))
            .Select(l => InferenceOracleContract.DecodeReexecutionRecordedEvent(l.Topics, l.Data).Operator).ToHashSet();
        Assert.Equal(new HashSet<Address> { devnet.Operators[1].Address, devnet.Operators[2].Address }, reexecutors);

        var penaltyLog = Assert.Single(await LogsAsync(rpc, devnet, InferenceOracleContract.OperatorPenalizedEventAbi.Topic0, requestId, from));
        var penalty = InferenceOracleContract.DecodeOperatorPenalizedEvent(penaltyLog.Topics, penaltyLog.Data);
        Assert.Equal(liar, penalty.Operator);
        Assert.True(penalty.Amount > 0);
        Assert.Equal(liarStake - penalty.Amount, await StakeAsync(rpc, devnet, liar));

        var finalLog = Assert.Single(await LogsAsync(rpc, devnet, InferenceOracleContract.ResultFinalizedEventAbi.Topic0, requestId, from));
        var finalized = InferenceOracleContract.DecodeResultFinalizedEvent(finalLog.Topics, finalLog.Data);
        Assert.Equal(honestOutput, finalized.Output);
        Assert.Equal((int)Stage.Final, (int)(await FinalityAsync(rpc, devnet, requestId)).Stage);
        output.WriteLine($"overturned by {string.Join(", ", reexecutors)}; {liar} slashed {penalty.Amount} wei");
    }

    [Fact]
    public async Task A_challenge_against_a_correct_result_loses_its_bond_to_the_operator_and_the_reexecutors()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 3);
        var directory = NewDirectory("challenge-lost");
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();
        var original = devnet.Operators[0].Address;
        await using var originalNode = await StartNodeAsync(devnet, directory, 0, perturb: false);

        var input = ResilienceRun.CreditInput(8);
        var requestId = await RequestWithFinalityAsync(rpc, devnet, input);
        var provisional = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultProvisionalEventAbi.Topic0, requestId, from);
        var provisionalHash = InferenceOracleContract.DecodeResultProvisionalEvent(provisional.Topics, provisional.Data).OutputHash;
        var challengerKey = devnet.Users[1];
        var bond = await ChallengeAsync(rpc, devnet, challengerKey, requestId, Keccak256.Hash("a wrong claim"u8.ToArray()));

        await using var reexecutorA = await StartNodeAsync(devnet, directory, 1, perturb: false);
        await using var reexecutorB = await StartNodeAsync(devnet, directory, 2, perturb: false);
        var resolvedLog = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ChallengeResolvedEventAbi.Topic0, requestId, from);
        var resolved = InferenceOracleContract.DecodeChallengeResolvedEvent(resolvedLog.Topics, resolvedLog.Data);
        Assert.True(resolved.OriginalCorrect);
        Assert.Equal(Hex.Encode(provisionalHash), Hex.Encode(resolved.OutputHash));
        Assert.Empty(await LogsAsync(rpc, devnet, InferenceOracleContract.OperatorPenalizedEventAbi.Topic0, requestId, from));

        var fee = devnet.Manifest.Get("credit-scorer").FeeWei;
        Assert.Equal(BigInteger.Zero, await BalanceAsync(rpc, devnet, challengerKey.Address));
        Assert.Equal(fee + bond / 2, await BalanceAsync(rpc, devnet, original));
        var finalLog = Assert.Single(await LogsAsync(rpc, devnet, InferenceOracleContract.ResultFinalizedEventAbi.Topic0, requestId, from));
        Assert.Equal(await ExpectedOutputAsync(devnet, input), InferenceOracleContract.DecodeResultFinalizedEvent(finalLog.Topics, finalLog.Data).Output);
        output.WriteLine($"request {requestId}: the challenge lost its bond of {bond} wei; {original} credited {fee + bond / 2} wei");
    }

    [Fact]
    public async Task A_challenge_nobody_can_reexecute_times_out_and_the_node_finalizes_the_original_and_returns_the_bond()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 1);
        var directory = NewDirectory("challenge-timeout");
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();
        await using var worker = await StartNodeAsync(devnet, directory, 0, perturb: false);

        var input = ResilienceRun.CreditInput(9);
        var requestId = await RequestWithFinalityAsync(rpc, devnet, input);
        await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultProvisionalEventAbi.Topic0, requestId, from);
        var challengerKey = devnet.Users[1];
        var bond = await ChallengeAsync(rpc, devnet, challengerKey, requestId, Keccak256.Hash("a wrong claim"u8.ToArray()));

        // The only operator signed the result, so nobody may re-execute: the round can only time out.
        await CloseWindowAsync();
        await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ChallengeTimedOutEventAbi.Topic0, requestId, from);
        var finalLog = await WaitForEventAsync(rpc, devnet, InferenceOracleContract.ResultFinalizedEventAbi.Topic0, requestId, from);
        Assert.Equal(await ExpectedOutputAsync(devnet, input), InferenceOracleContract.DecodeResultFinalizedEvent(finalLog.Topics, finalLog.Data).Output);
        Assert.Empty(await LogsAsync(rpc, devnet, InferenceOracleContract.ReexecutionRecordedEventAbi.Topic0, requestId, from));
        Assert.Equal(bond, await BalanceAsync(rpc, devnet, challengerKey.Address));
        Assert.Equal((int)Stage.Final, (int)(await FinalityAsync(rpc, devnet, requestId)).Stage);
        output.WriteLine($"request {requestId}: round timed out, bond {bond} wei returned, finalized by the node");
    }

    private enum Stage
    {
        None = 0,
        Provisional = 1,
        Challenged = 2,
        Final = 3,
    }

    private string NewDirectory(string name) =>
        Path.Combine(RepoPaths.Root, ".local", name + "-" + Guid.NewGuid().ToString("N")[..8]);

    private async Task<WorkerProcess> StartNodeAsync(OracleDevnet devnet, string directory, int index, bool perturb)
    {
        var database = await postgres.CreateDatabaseAsync("finality");
        var (config, dashboard) = devnet.WriteNodeConfig(directory, index, database,
            adjust: c => { if (perturb) c["FaultInjection"] = new JsonObject { ["PerturbOutputs"] = true }; });
        var worker = WorkerProcess.Start(config, OracleDevnet.NodeEnvironment);
        await worker.WaitUntilHealthyAsync(new Uri(dashboard, "health/ready"), TimeSpan.FromSeconds(60));
        return worker;
    }

    /// <summary>The window is an hour of chain time: move the devnet's clock past it and mine a block on top.</summary>
    private async Task CloseWindowAsync()
    {
        await node.RpcAsync("evm_increaseTime", 3601);
        await node.RpcAsync("evm_mine");
    }

    private async Task<BigInteger> RequestWithFinalityAsync(EthRpcClient rpc, OracleDevnet devnet, byte[] input)
    {
        var model = devnet.Manifest.Get("credit-scorer");
        var latest = await rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var sender = new TransactionSender(rpc, devnet.Users[0], HardhatNode.ChainId);
        var receipt = await sender.SendAndWaitAsync(new TransactionCall(devnet.Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInferenceWithFinality(model.ModelId, input, 0, latest!.Timestamp + 86_400), model.FeeWei), Wait);
        var requested = receipt.Logs.Single(l => InferenceOracleContract.IsFinalityRequestedEvent(l.Topics));
        return InferenceOracleContract.DecodeFinalityRequestedEvent(requested.Topics, requested.Data).RequestId;
    }

    /// <summary>Challenges with exactly the bond, from <paramref name="challenger"/>; returns the bond.</summary>
    private static async Task<BigInteger> ChallengeAsync(EthRpcClient rpc, OracleDevnet devnet, PrivateKey challenger, BigInteger requestId, byte[] claimedOutputHash)
    {
        var bond = InferenceOracleContract.DecodeChallengeBondOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.InferenceOracle,
            Data = InferenceOracleContract.EncodeChallengeBond(),
        }));
        await new TransactionSender(rpc, challenger, HardhatNode.ChainId).SendAndWaitAsync(new TransactionCall(devnet.Deployment.InferenceOracle,
            InferenceOracleContract.EncodeChallenge(requestId, claimedOutputHash), bond), Wait);
        Assert.Equal((int)Stage.Challenged, (int)(await FinalityAsync(rpc, devnet, requestId)).Stage);
        return bond;
    }

    private static async Task<BigInteger> BalanceAsync(EthRpcClient rpc, OracleDevnet devnet, Address account) =>
        InferenceOracleContract.DecodeBalanceOfOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.InferenceOracle,
            Data = InferenceOracleContract.EncodeBalanceOf(account),
        }));

    private static async Task<byte[]> ExpectedOutputAsync(OracleDevnet devnet, byte[] input)
    {
        var model = devnet.Manifest.Get("credit-scorer");
        using var inference = OracleInference.Create(new InferenceOptions { ModelDirectory = OracleDevnet.ModelDirectory });
        var result = await inference.RunAsync(new InferenceRequest(model.ModelId, null, model.Input, model.Output, input));
        return result.Output ?? throw new InvalidOperationException($"inference failed: {result.Failure}");
    }

    private static async Task<RpcLog> WaitForEventAsync(EthRpcClient rpc, OracleDevnet devnet, byte[] topic0, BigInteger requestId, ulong from)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var logs = await LogsAsync(rpc, devnet, topic0, requestId, from);
            if (logs.Count > 0) return logs[0];
            if (clock.Elapsed > Wait) throw new TimeoutException($"no {Hex.Encode(topic0)} log for request {requestId} after {Wait.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    private static Task<IReadOnlyList<RpcLog>> LogsAsync(EthRpcClient rpc, OracleDevnet devnet, byte[] topic0, BigInteger requestId, ulong from) =>
        rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [devnet.Deployment.InferenceOracle],
            Topics = [[topic0], [Ethereum.Abi.AbiEncoder.Encode(Ethereum.Abi.AbiType.UInt256, requestId)]],
            FromBlock = BlockTag.Number(from),
            ToBlock = BlockTag.Latest,
        });

    private static async Task<InferenceOracleContract.FinalityRecord> FinalityAsync(EthRpcClient rpc, OracleDevnet devnet, BigInteger requestId) =>
        InferenceOracleContract.DecodeFinalityOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.InferenceOracle,
            Data = InferenceOracleContract.EncodeFinality(requestId),
        }));

    private static async Task<BigInteger> StakeAsync(EthRpcClient rpc, OracleDevnet devnet, Address operatorAddress) =>
        OperatorRegistryContract.DecodeOperatorInfoOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.OperatorRegistry,
            Data = OperatorRegistryContract.EncodeOperatorInfo(operatorAddress),
        })).Stake;
}
