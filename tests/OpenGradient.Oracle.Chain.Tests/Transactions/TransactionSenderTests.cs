using System.Numerics;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Transactions;

public sealed class TransactionSenderTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private TransactionSender Sender(int account, EthRpcClient rpc) =>
        new(rpc, PrivateKey.Parse(node.Accounts[account].PrivateKey), HardhatNode.ChainId);

    [Fact]
    public async Task Deploys_and_wires_the_contracts_with_locally_signed_transactions()
    {
        using var rpc = new EthRpcClient(node.Url);
        var sender = Sender(3, rpc);
        var modelId = Keccak256.Hash("some model"u8);

        var deployment = await new OracleDeployer(sender).DeployAsync(new DeploymentPlan(MinStake: 5, ExampleConsumerModelId: modelId));

        foreach (var address in new[] { deployment.ModelRegistry, deployment.OperatorRegistry, deployment.InferenceOracle, deployment.CreditScoreConsumer!.Value })
            Assert.NotEmpty(await rpc.GetCodeAsync(address));
        var wired = OperatorRegistryContract.DecodeOracleOutput(
            await rpc.EthCallAsync(new TransactionRequest { To = deployment.OperatorRegistry, Data = OperatorRegistryContract.EncodeOracle() }));
        Assert.Equal(deployment.InferenceOracle, wired);
        var minStake = OperatorRegistryContract.DecodeMinStakeOutput(
            await rpc.EthCallAsync(new TransactionRequest { To = deployment.OperatorRegistry, Data = OperatorRegistryContract.EncodeMinStake() }));
        Assert.Equal(new BigInteger(5), minStake);
        Assert.Equal(sender.From, deployment.Deployer);
        Assert.True(deployment.DeploymentBlock > 0);
    }

    [Fact]
    public async Task A_call_the_contract_refuses_fails_in_simulation_with_the_error_name_and_spends_nothing()
    {
        using var rpc = new EthRpcClient(node.Url);
        var sender = Sender(4, rpc);
        var (registry, _) = await sender.DeployAsync(ModelRegistryContract.EncodeDeployment(sender.From), Timeout);
        var nonceBefore = await rpc.GetTransactionCountAsync(sender.From, BlockTag.Pending);

        var call = new TransactionCall(registry, ModelRegistryContract.EncodeRevokeModel(new byte[32]));
        var e = await Assert.ThrowsAsync<ContractRevertedException>(() => sender.SendAsync(call));

        Assert.Equal(RevertStage.Simulation, e.Stage);
        Assert.Equal("ModelRegistryUnknownModel", e.ErrorName);
        Assert.Equal(nonceBefore, await rpc.GetTransactionCountAsync(sender.From, BlockTag.Pending));

        // The same refusal from a bare simulation (eth_call, no estimate); a call the contract accepts passes.
        var simulated = await Assert.ThrowsAsync<ContractRevertedException>(() => sender.SimulateAsync(call));
        Assert.Equal((RevertStage.Simulation, "ModelRegistryUnknownModel"), (simulated.Stage, simulated.ErrorName));
        await sender.SimulateAsync(new TransactionCall(registry, ModelRegistryContract.EncodeTransferOwnership(sender.From)));
        Assert.Equal(nonceBefore, await rpc.GetTransactionCountAsync(sender.From, BlockTag.Pending));
    }

    [Fact]
    public async Task A_mined_revert_is_reported_with_its_transaction_and_error_name()
    {
        using var rpc = new EthRpcClient(node.Url);
        var sender = Sender(5, rpc);
        var (registry, _) = await sender.DeployAsync(ModelRegistryContract.EncodeDeployment(sender.From), Timeout);

        // A fixed gas limit skips the simulation, so the transaction is mined and reverts on chain.
        var call = new TransactionCall(registry, ModelRegistryContract.EncodeRevokeModel(new byte[32]), GasLimit: 100_000);
        var e = await Assert.ThrowsAsync<ContractRevertedException>(() => sender.SendAndWaitAsync(call, Timeout));

        Assert.Equal(RevertStage.Execution, e.Stage);
        Assert.Equal("ModelRegistryUnknownModel", e.ErrorName);
        Assert.NotNull(e.TransactionHash);
        var receipt = await rpc.GetTransactionReceiptAsync(e.TransactionHash!);
        Assert.False(receipt!.Succeeded);
    }

    [Fact]
    public async Task Transactions_sent_back_to_back_get_consecutive_nonces_and_all_mine()
    {
        using var rpc = new EthRpcClient(node.Url);
        var sender = Sender(6, rpc);
        var (registry, _) = await sender.DeployAsync(ModelRegistryContract.EncodeDeployment(sender.From), Timeout);
        var start = await rpc.GetTransactionCountAsync(sender.From, BlockTag.Pending);

        var sent = new List<Ethereum.Transactions.SignedTransaction>();
        for (var i = 0; i < 5; i++)
            sent.Add(await sender.SendAsync(new TransactionCall(registry, ModelRegistryContract.EncodeTypeAndVersion())));

        Assert.Equal(Enumerable.Range(0, 5).Select(i => start + (ulong)i), sent.Select(s => (ulong)s.Transaction.Nonce));
        foreach (var s in sent)
            Assert.True((await sender.WaitForReceiptAsync(s.Hash, Timeout)).Succeeded);
    }

    [Fact]
    public async Task A_fee_cap_below_what_the_chain_needs_refuses_to_sign()
    {
        using var rpc = new EthRpcClient(node.Url);
        var sender = new TransactionSender(rpc, PrivateKey.Parse(node.Accounts[7].PrivateKey), HardhatNode.ChainId,
            fees: new FeePolicy { MaxFeePerGasCap = 1 });

        await Assert.ThrowsAsync<FeeCapExceededException>(() =>
            sender.SendAsync(TransactionCall.Create(ModelRegistryContract.EncodeDeployment(sender.From))));
    }
}
