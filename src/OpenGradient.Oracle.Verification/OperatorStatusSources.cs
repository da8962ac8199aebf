using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Verification;

/// <summary>Where the verifier learns whether a signer was a registered, staked, active operator at a block.</summary>
public interface IOperatorStatusSource
{
    /// <summary>Printed with every operator check, so a reader knows whether the chain or the bundle said so.</summary>
    string Label { get; }

    /// <summary>The operator's registry state at <paramref name="block"/>, or null when this source knows nothing of it.</summary>
    Task<OperatorRecord?> GetAsync(Address operatorAddress, ulong block, CancellationToken cancellationToken = default);
}

/// <summary>Offline: the registry state the bundle recorded when it was exported. Only as trustworthy as the exporter.</summary>
public sealed class RecordedOperatorStatus(ProofBundle bundle) : IOperatorStatusSource
{
    public string Label => "as recorded in the bundle";

    public Task<OperatorRecord?> GetAsync(Address operatorAddress, ulong block, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            bundle.Operators.FirstOrDefault(o => o.Operator == operatorAddress && o.AtBlock == block)
            ?? bundle.Operators.FirstOrDefault(o => o.Operator == operatorAddress));
}

/// <summary>Online: <c>operatorInfo</c> and <c>isActive</c> through eth_call at the given block (historical state).</summary>
public sealed class ChainOperatorStatus(EthRpcClient rpc, Address operatorRegistry) : IOperatorStatusSource
{
    public string Label => "on-chain";

    public async Task<OperatorRecord?> GetAsync(Address operatorAddress, ulong block, CancellationToken cancellationToken = default)
    {
        var tag = BlockTag.Number(block);
        var info = OperatorRegistryContract.DecodeOperatorInfoOutput(await rpc.EthCallAsync(
            new TransactionRequest { To = operatorRegistry, Data = OperatorRegistryContract.EncodeOperatorInfo(operatorAddress) }, tag, cancellationToken).ConfigureAwait(false));
        var active = OperatorRegistryContract.DecodeIsActiveOutput(await rpc.EthCallAsync(
            new TransactionRequest { To = operatorRegistry, Data = OperatorRegistryContract.EncodeIsActive(operatorAddress) }, tag, cancellationToken).ConfigureAwait(false));
        return new OperatorRecord(operatorAddress, info.Registered, info.Stake, (ulong)info.UnbondingAt, active, block);
    }
}
