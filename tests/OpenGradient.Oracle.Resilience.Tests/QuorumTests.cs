using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// Issue 5's quorum, with independent node processes (each its own key and database) against one devnet: k = 2 settles
/// only when two operators agree, and an operator whose node perturbs outputs is outvoted and slashed.
/// </summary>
[Collection(nameof(ResilienceCollection))]
public sealed class QuorumTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task With_k_2_a_perturbing_node_is_outvoted_and_slashed_and_the_honest_pair_settles()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 3);
        var directory = Path.Combine(RepoPaths.Root, ".local", "quorum-" + Guid.NewGuid().ToString("N")[..8]);
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();

        async Task<(WorkerProcess Worker, Uri Ready)> StartNode(int index, bool perturb)
        {
            var database = await postgres.CreateDatabaseAsync("quorum");
            var (config, dashboard) = devnet.WriteNodeConfig(directory, index, database,
                adjust: c => { if (perturb) c["FaultInjection"] = new System.Text.Json.Nodes.JsonObject { ["PerturbOutputs"] = true }; });
            var worker = WorkerProcess.Start(config, OracleDevnet.NodeEnvironment);
            var ready = new Uri(dashboard, "health/ready");
            await worker.WaitUntilHealthyAsync(ready, TimeSpan.FromSeconds(60));
            return (worker, ready);
        }

        var (honestA, _) = await StartNode(0, perturb: false);
        var (faulty, _) = await StartNode(2, perturb: true);
        await using var a = honestA;
        await using var f = faulty;
        var honest = devnet.Operators[0].Address;
        var liar = devnet.Operators[2].Address;
        var late = devnet.Operators[1].Address;

        var model = devnet.Manifest.Get("credit-scorer");
        var sent = (await new RequestLoad(node.Url, devnet.Deployment.InferenceOracle, HardhatNode.ChainId)
            .SendAsync([devnet.Users[0]], 1, _ => new RequestSpec(model.ModelId, ResilienceRun.CreditInput(7), model.FeeWei * 2, Redundancy: 2)))[0];

        // Two commitments that disagree: the request must stay pending.
        var votes = await WaitForCommitmentsAsync(rpc, devnet.Deployment.InferenceOracle, sent.RequestId, from, 2, TimeSpan.FromSeconds(90));
        Assert.Equal(new HashSet<Address> { honest, liar }, votes.Select(v => v.Operator).ToHashSet());
        Assert.NotEqual(Hex.Encode(votes[0].Vote), Hex.Encode(votes[1].Vote));
        Assert.Equal(1, (int)await StatusAsync(rpc, devnet, sent.RequestId)); // Pending
        output.WriteLine($"request {sent.RequestId}: 2 disagreeing commitments, still pending");

        var stakeBefore = await StakeAsync(rpc, devnet, liar);
        var (honestB, _) = await StartNode(1, perturb: false);
        await using var b = honestB;

        var watcher = new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, from);
        try
        {
            await watcher.WaitForAllAsync([sent.RequestId], TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            // What the late node did is the first thing to read when it did not settle.
            output.WriteLine("---- late honest node ----\n" + honestB.Output);
            output.WriteLine("---- first honest node ----\n" + honestA.Output);
            throw;
        }
        var settlement = watcher.Settled[sent.RequestId];
        Assert.Null(settlement.FailureReason);
        var honestVote = votes.Single(v => v.Operator == honest).Vote;
        Assert.Equal(Hex.Encode(honestVote), Hex.Encode(Keccak256.Hash(settlement.Output!)));

        var penalties = (await rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [devnet.Deployment.InferenceOracle],
            Topics = [[InferenceOracleContract.OperatorPenalizedEventAbi.Topic0]],
            FromBlock = from,
            ToBlock = BlockTag.Latest,
        })).Select(l => InferenceOracleContract.DecodeOperatorPenalizedEvent(l.Topics, l.Data)).ToArray();
        var penalty = Assert.Single(penalties);
        Assert.Equal(liar, penalty.Operator);
        Assert.Equal(stakeBefore - penalty.Amount, await StakeAsync(rpc, devnet, liar));
        output.WriteLine($"settled by {honest} and {late}; {liar} slashed {penalty.Amount} wei");
    }

    private static async Task<IReadOnlyList<InferenceOracleContract.CommitmentRecordedEvent>> WaitForCommitmentsAsync(
        EthRpcClient rpc, Address oracle, BigInteger requestId, ulong from, int count, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var logs = await rpc.GetLogsAsync(new LogFilter
            {
                Addresses = [oracle],
                Topics = [[InferenceOracleContract.CommitmentRecordedEventAbi.Topic0]],
                FromBlock = from,
                ToBlock = BlockTag.Latest,
            });
            var votes = logs.Select(l => InferenceOracleContract.DecodeCommitmentRecordedEvent(l.Topics, l.Data))
                .Where(e => e.RequestId == requestId).ToArray();
            if (votes.Length >= count) return votes;
            if (clock.Elapsed > timeout) throw new TimeoutException($"{votes.Length} of {count} commitments after {timeout.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    private static async Task<BigInteger> StatusAsync(EthRpcClient rpc, OracleDevnet devnet, BigInteger requestId) =>
        InferenceOracleContract.DecodeRequestStatusOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.InferenceOracle,
            Data = InferenceOracleContract.EncodeRequestStatus(requestId),
        }));

    private static async Task<BigInteger> StakeAsync(EthRpcClient rpc, OracleDevnet devnet, Address operatorAddress) =>
        OperatorRegistryContract.DecodeOperatorInfoOutput(await rpc.EthCallAsync(new TransactionRequest
        {
            To = devnet.Deployment.OperatorRegistry,
            Data = OperatorRegistryContract.EncodeOperatorInfo(operatorAddress),
        })).Stake;
}
