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
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(spec);
        if (accounts.Count == 0) throw new ArgumentException("at least one account", nameof(accounts));
        var sent = new ConcurrentBag<SentRequest>();
        var next = -1;
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = accounts.Count, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                using var rpc = new EthRpcClient(rpcUrl);
                var sender = new TransactionSender(rpc, key, chainId);
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var s = spec(i);
                    var deadline = (ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
                    var call = new TransactionCall(oracle,
                        InferenceOracleContract.EncodeRequestInference(s.ModelId, s.Input, s.CallbackGasLimit, s.Redundancy, deadline),
                        s.Fee, GasLimit);
                    var started = Stopwatch.GetTimestamp();
                    var receipt = await sender.SendAndWaitAsync(call, TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
                    var log = receipt.Logs.First(l => l.Address == oracle && InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
                    var requested = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
                    sent.Add(new SentRequest(requested.RequestId, receipt.TransactionHash, receipt.BlockNumber, started));
                }
            }).ConfigureAwait(false);
        return sent.OrderBy(s => s.RequestId).ToArray();
    }
}
