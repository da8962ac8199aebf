using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Operator;

/// <summary>
/// Whether this node's operator may post results: <c>OperatorRegistry.isActive</c> (registered, not unbonding, stake at
/// least the minimum), read at most once per <see cref="MaxAge"/>. The contract refuses every result of an inactive
/// operator, and a <c>fulfilBatch</c> is not simulated (it never reverts as a whole: each item would be mined and
/// refused, gas spent for nothing), so the submitter asks this before sending anything.
/// </summary>
internal sealed class OperatorStanding(ChainContext context, TimeProvider time)
{
    /// <summary>How long one reading is trusted: a change of standing takes a transaction, and at worst one more batch
    /// goes out within this time.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private Address? _registry;
    private (bool Active, long At)? _last;

    /// <summary>True while the operator is active. Throws for RPC faults (the caller retries).</summary>
    public async Task<bool> IsActiveAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (_last is { } last && time.GetElapsedTime(last.At) < MaxAge) return last.Active;
        _registry ??= InferenceOracleContract.DecodeOperatorRegistryOutput(await context.Rpc.EthCallAsync(
            new TransactionRequest { To = identity.Oracle, Data = InferenceOracleContract.EncodeOperatorRegistry() }, null, cancellationToken)
            .ConfigureAwait(false));
        var active = OperatorRegistryContract.DecodeIsActiveOutput(await context.Rpc.EthCallAsync(
            new TransactionRequest { To = _registry.Value, Data = OperatorRegistryContract.EncodeIsActive(identity.Operator) }, null, cancellationToken)
            .ConfigureAwait(false));
        _last = (active, time.GetTimestamp());
        return active;
    }
}

/// <summary>The operator is not active in the OperatorRegistry, so results are held back (the jobs retry later).</summary>
public sealed class OperatorInactiveException : Exception
{
    public OperatorInactiveException() : this("the operator is not active in the OperatorRegistry") { }

    public OperatorInactiveException(string message) : base(message) { }

    public OperatorInactiveException(string message, Exception inner) : base(message, inner) { }
}
