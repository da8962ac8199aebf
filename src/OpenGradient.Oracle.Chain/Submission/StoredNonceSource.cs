using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Submission;

/// <summary>
/// Nonces persisted in PostgreSQL (<see cref="INonceStore"/>), so a restart never reuses a nonce that a stored,
/// not-yet-mined transaction holds. <see cref="ReconcileAsync"/> aligns the counter with the chain at start and after
/// the node refused a transaction.
/// </summary>
public sealed class StoredNonceSource(INonceStore store, EthRpcClient rpc, ulong chainId) : INonceSource
{
    public Task<ulong> NextAsync(Address sender, CancellationToken cancellationToken) =>
        store.ReserveNextAsync(chainId, Text(sender), cancellationToken);

    /// <summary>The transaction with <paramref name="nonce"/> never reached the node: let the counter fall back to the
    /// chain's pending count so the gap does not block later transactions.</summary>
    public async Task ReleaseAsync(Address sender, ulong nonce, CancellationToken cancellationToken)
    {
        var pending = await rpc.GetTransactionCountAsync(sender, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
        await store.ReconcileAsync(chainId, Text(sender), pending, allowLower: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves the counter forward to the chain's pending count (never back: stored transactions that were not
    /// broadcast yet keep their nonces). Returns the counter.</summary>
    public async Task<ulong> ReconcileAsync(Address sender, CancellationToken cancellationToken)
    {
        var pending = await rpc.GetTransactionCountAsync(sender, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
        return await store.ReconcileAsync(chainId, Text(sender), pending, allowLower: false, cancellationToken).ConfigureAwait(false);
    }

    private static string Text(Address address) => address.ToString().ToLowerInvariant();
}
