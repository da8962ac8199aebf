using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>Hands out the nonces of one sender.</summary>
public interface INonceSource
{
    Task<ulong> NextAsync(Address sender, CancellationToken cancellationToken);

    /// <summary>A nonce was handed out but its transaction never reached the node: forget local state so the next
    /// nonce is read from the chain again (and the gap does not block every later transaction).</summary>
    Task ReleaseAsync(Address sender, ulong nonce, CancellationToken cancellationToken);
}

/// <summary>
/// Nonces for a process that is the only sender of its key at a time (the CLI, tests): the chain's pending count,
/// advanced locally so several transactions can be in flight before the node sees them.
/// </summary>
public sealed class ChainNonceSource(EthRpcClient rpc) : INonceSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<Address, ulong> _next = [];

    public async Task<ulong> NextAsync(Address sender, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = await rpc.GetTransactionCountAsync(sender, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
            var nonce = _next.TryGetValue(sender, out var local) && local > pending ? local : pending;
            _next[sender] = nonce + 1;
            return nonce;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync(Address sender, ulong nonce, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _next.Remove(sender);
        }
        finally
        {
            _gate.Release();
        }
    }
}
