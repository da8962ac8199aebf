using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Deployment;

/// <summary>What to deploy. Defaults match hardhat/scripts/deploy.ts.</summary>
/// <param name="MinStake">Stake (wei) an operator needs to be active.</param>
/// <param name="UnbondingDelaySeconds">Longer than the oracle's 30-day deadline window, so a losing quorum commitment
/// is still slashable when its request settles.</param>
/// <param name="ExampleConsumerModelId">When set, also deploys the example CreditScoreConsumer asking this model.</param>
/// <param name="ExampleInputType">Element type of that model's input (the bundled credit scorer: Int32).</param>
/// <param name="ExampleOutputType">Element type of its output; must match the registered spec or the consumer misreads results.</param>
public sealed record DeploymentPlan(
    BigInteger MinStake,
    ulong UnbondingDelaySeconds = 31 * 24 * 3600,
    byte[]? ExampleConsumerModelId = null,
    ElementType ExampleInputType = ElementType.Int32,
    ElementType ExampleOutputType = ElementType.Int32);

/// <summary>Deploys the registries and the oracle, wires them together, and optionally the example consumer.</summary>
public sealed class OracleDeployer(TransactionSender sender)
{
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public async Task<OracleDeployment> DeployAsync(DeploymentPlan plan, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var owner = sender.From;

        progress?.Report("ModelRegistry");
        var (models, first) = await sender.DeployAsync(ModelRegistryContract.EncodeDeployment(owner), ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        progress?.Report("OperatorRegistry");
        var (operators, _) = await sender.DeployAsync(
            OperatorRegistryContract.EncodeDeployment(owner, plan.MinStake, plan.UnbondingDelaySeconds), ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        progress?.Report("InferenceOracle");
        var (oracle, _) = await sender.DeployAsync(InferenceOracleContract.EncodeDeployment(models, operators), ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        progress?.Report("OperatorRegistry.setOracle");
        await sender.SendAndWaitAsync(new TransactionCall(operators, OperatorRegistryContract.EncodeSetOracle(oracle)), ReceiptTimeout, cancellationToken).ConfigureAwait(false);

        Address? consumer = null;
        if (plan.ExampleConsumerModelId is { } modelId)
        {
            progress?.Report("CreditScoreConsumer");
            (consumer, _) = await sender.DeployAsync(
                CreditScoreConsumerContract.EncodeDeployment(oracle, modelId, (int)plan.ExampleInputType, (int)plan.ExampleOutputType),
                ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        }

        return new OracleDeployment(sender.ChainId, owner, models, operators, oracle, consumer, first.BlockNumber, plan.MinStake, plan.UnbondingDelaySeconds);
    }
}
