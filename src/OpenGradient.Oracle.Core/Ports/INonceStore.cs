namespace OpenGradient.Oracle.Core.Ports;

/// <summary>Transaction nonces per (chain, sender), handed out atomically so two workers never sign the same nonce.</summary>
public interface INonceStore
{
    /// <summary>Returns the next nonce and advances the counter in one atomic step. Consecutive calls return
    /// consecutive numbers (a nonce never reserved twice, none skipped). An unknown sender starts at 0: call
    /// <see cref="ReconcileAsync"/> with the chain's pending nonce first.</summary>
    Task<ulong> ReserveNextAsync(ulong chainId, string address, CancellationToken cancellationToken = default);

    /// <summary>The nonce the next reservation would return, or null if the sender is unknown.</summary>
    Task<ulong?> PeekAsync(ulong chainId, string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// Aligns the counter with the chain's pending nonce (<c>eth_getTransactionCount(address, "pending")</c>).
    /// It only moves forward (transactions sent by others with the same key), unless <paramref name="allowLower"/>:
    /// set that once our in-flight transactions are known to be dropped, so their nonces are reused.
    /// Returns the counter's new value.
    /// </summary>
    Task<ulong> ReconcileAsync(ulong chainId, string address, ulong chainNonce, bool allowLower = false, CancellationToken cancellationToken = default);
}
