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

    // Read again after a reorg: the standing may differ on the new branch (an unbond or a slash that vanished with it).
    private readonly CachedReading<bool> _active = new(MaxAge, time, () => context.Reorgs);
    private Address? _registry;

    /// <summary>True while the operator is active. Throws for RPC faults (the caller retries).</summary>
    public Task<bool> IsActiveAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return _active.GetAsync(() => ReadAsync(identity), cancellationToken);
    }

    /// <summary>Starts a fresh reading in the background once the last one is past half its age (results are on their
    /// way to the submitter), so the batch they form does not wait for a chain call: after an idle spell the reading is
    /// stale, and under load the chain answers slowly. A failed background reading is left for the next caller.</summary>
    public void Prefetch(ChainIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _active.Prefetch(() => ReadAsync(identity));
    }

    // Shared by concurrent callers, so not cancellable by one of them; every RPC call is bounded by the client's timeout.
    private async Task<bool> ReadAsync(ChainIdentity identity)
    {
        _registry ??= InferenceOracleContract.DecodeOperatorRegistryOutput(await context.Rpc.EthCallAsync(
            new TransactionRequest { To = identity.Oracle, Data = InferenceOracleContract.EncodeOperatorRegistry() }, null, CancellationToken.None)
            .ConfigureAwait(false));
        return OperatorRegistryContract.DecodeIsActiveOutput(await context.Rpc.EthCallAsync(
            new TransactionRequest { To = _registry.Value, Data = OperatorRegistryContract.EncodeIsActive(identity.Operator) }, null, CancellationToken.None)
            .ConfigureAwait(false));
    }
}

/// <summary>The operator is not active in the OperatorRegistry, so results are held back (the jobs retry later).</summary>
public sealed class OperatorInactiveException : Exception
{
    public OperatorInactiveException() : this("the operator is not active in the OperatorRegistry") { }

    public OperatorInactiveException(string message) : base(message) { }

    public OperatorInactiveException(string message, Exception inner) : base(message, inner) { }
}
