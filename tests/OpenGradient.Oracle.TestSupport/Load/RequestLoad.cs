using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.TestSupport.Load;

/// <summary>One request the load generator sent.</summary>
public sealed record SentRequest(BigInteger RequestId, byte[] TransactionHash, ulong BlockNumber, long SentAtTicks);

/// <summary>What one request of a load asks for.</summary>
public sealed record RequestSpec(byte[] ModelId, byte[] Input, BigInteger Fee, byte Redundancy = 1, uint CallbackGasLimit = 0);

/// <summary>
/// Sends inference requests straight to the oracle from several accounts at once, the way many independent dApp users
/// would. Each account has its own sender, so accounts run in parallel and a slow one holds up only itself.
/// </summary>
public sealed class RequestLoad(Uri rpcUrl, Address oracle, ulong chainId)
{
    /// <summary>Fixed gas limit for requestInference: skipping the per-request estimate keeps the client from being
    /// the bottleneck of a throughput run (a real request costs ~65k gas; inputs here are small).</summary>
    public ulong GasLimit { get; init; } = 400_000;

    public async Task<IReadOnlyList<SentRequest>> SendAsync(IReadOnlyList<PrivateKey> accounts, int count,
        Func<int, RequestSpec> spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var sent = new ConcurrentBag<SentRequest>();
        await ForEachAccountAsync(accounts, count, async (rpc, key, take, ct) =>
        {
            var sender = new TransactionSender(rpc, key, chainId);
            while (take() is { } i)
            {
                var started = Stopwatch.GetTimestamp();
                var receipt = await sender.SendAndWaitAsync(Call(spec(i)), TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                sent.Add(Requested(receipt, started));
            }
        }, cancellationToken).ConfigureAwait(false);
        return sent.OrderBy(s => s.RequestId).ToArray();
    }

    /// <summary>
    /// Signs and broadcasts <paramref name="count"/> requests without waiting for them to be mined (for a devnet with
    /// automine off, where they wait in the mempool until the caller mines them all at once). Returns the transaction
    /// hashes; <see cref="CollectAsync"/> turns them into sent requests once mined.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> BroadcastAsync(IReadOnlyList<PrivateKey> accounts, int count,
        Func<int, RequestSpec> spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var hashes = new ConcurrentBag<byte[]>();
        await ForEachAccountAsync(accounts, count, async (rpc, key, take, ct) =>
        {
            // Nothing is mined meanwhile, so the account's nonces and today's fees are read once.
            var sender = new TransactionSender(rpc, key, chainId);
            var nonce = await rpc.GetTransactionCountAsync(key.Address, BlockTag.Pending, ct).ConfigureAwait(false);
            var fees = await new FeePolicy().SuggestAsync(rpc, ct).ConfigureAwait(false);
            while (take() is { } i)
            {
                var signed = sender.Sign(Call(spec(i)), nonce++, GasLimit, fees);
                await rpc.SendRawTransactionAsync(signed.Raw.ToArray(), ct).ConfigureAwait(false);
                hashes.Add(signed.Hash);
            }
        }, cancellationToken).ConfigureAwait(false);
        return hashes.ToArray();
    }

    /// <summary>The requests that the mined transactions <paramref name="hashes"/> created; null while any is unmined.</summary>
    public async Task<IReadOnlyList<SentRequest>?> CollectAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        using var rpc = new EthRpcClient(rpcUrl);
        var sent = new List<SentRequest>(hashes.Count);
        foreach (var hash in hashes)
        {
            var receipt = await rpc.GetTransactionReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
            if (receipt is null) return null;
            sent.Add(Requested(receipt, Stopwatch.GetTimestamp()));
        }
        return sent.OrderBy(s => s.RequestId).ToArray();
    }

    /// <summary>Runs <paramref name="work"/> once per account, all at once; each takes request indexes from one shared
    /// counter (null when all <paramref name="count"/> are taken), so a slow account holds up only itself.</summary>
    private async Task ForEachAccountAsync(IReadOnlyList<PrivateKey> accounts, int count,
        Func<EthRpcClient, PrivateKey, Func<int?>, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (accounts.Count == 0) throw new ArgumentException("at least one account", nameof(accounts));
        var next = -1;
        int? Take() => Interlocked.Increment(ref next) is var i && i < count ? i : null;
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = accounts.Count, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                using var rpc = new EthRpcClient(rpcUrl);
                await work(rpc, key, Take, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private TransactionCall Call(RequestSpec s)
    {
        var deadline = (ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        return new TransactionCall(oracle,
            InferenceOracleContract.EncodeRequestInference(s.ModelId, s.Input, s.CallbackGasLimit, s.Redundancy, deadline), s.Fee, GasLimit);
    }

    private SentRequest Requested(RpcReceipt receipt, long sentAtTicks)
    {
        var log = receipt.Logs.First(l => l.Address == oracle && InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
        var requested = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
        return new SentRequest(requested.RequestId, receipt.TransactionHash, receipt.BlockNumber, sentAtTicks);
    }
}
