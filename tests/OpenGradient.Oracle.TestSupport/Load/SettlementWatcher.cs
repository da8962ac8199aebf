using System.Diagnostics;
using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.TestSupport.Load;

/// <summary>How one request ended on-chain, as seen by an outside observer.</summary>
/// <param name="FailureReason">Null when fulfilled.</param>
/// <param name="SeenAtTicks">Stopwatch timestamp when the watcher first saw the settlement's block at the head (its log
/// may have been read later).</param>
public sealed record Settlement(BigInteger RequestId, byte[]? Output, int? FailureReason, byte[] TransactionHash, ulong BlockNumber, long SeenAtTicks);

/// <summary>
/// Follows the oracle's settlement logs from a block on and tallies them per request: what settled, how, when it was
/// first seen, and every sign of duplicate work (a second settlement log would mean the contract let a request settle
/// twice; a FulfilmentRejected log means a node wasted a submission on an already-settled request).
/// </summary>
public sealed class SettlementWatcher(EthRpcClient rpc, Address oracle, ulong fromBlock)
{
    private readonly Dictionary<BigInteger, Settlement> _settled = [];
    private readonly Dictionary<BigInteger, int> _settlementLogs = [];
    // When each block from fromBlock on was first seen at the head: a settlement counts as seen then, however much later
    // its log was read.
    private readonly Dictionary<ulong, long> _blockSeenAt = [];
    private ulong _next = fromBlock;
    private ulong _headSeen = fromBlock == 0 ? 0 : fromBlock - 1;

    /// <summary>How often <see cref="WaitForCountAsync"/> reads the logs; it watches the head every 50 ms.</summary>
    public static readonly TimeSpan LogReadInterval = TimeSpan.FromMilliseconds(500);

    public IReadOnlyDictionary<BigInteger, Settlement> Settled => _settled;

    /// <summary>Settlement logs beyond the first for any request (must be 0: the contract settles once).</summary>
    public int DuplicateSettlements => _settlementLogs.Values.Sum(n => n - 1);

    /// <summary>Batch items the contract skipped because the request was no longer pending.</summary>
    public int RejectedFulfilments { get; private set; }

    /// <summary>Reads the head and notes when each block up to it was first seen (one eth_blockNumber).</summary>
    public async Task<ulong> WatchHeadAsync(CancellationToken cancellationToken = default)
    {
        var head = await rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        for (var block = _headSeen + 1; block <= head; block++) _blockSeenAt[block] = now;
        if (head > _headSeen) _headSeen = head;
        return head;
    }

    /// <summary>Reads logs up to the current head once.</summary>
    public async Task PollAsync(CancellationToken cancellationToken = default) =>
        await ReadLogsAsync(await WatchHeadAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task ReadLogsAsync(ulong head, CancellationToken cancellationToken)
    {
        if (head < _next) return;
        var logs = await rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [oracle],
            Topics = [[InferenceOracleContract.InferenceFulfilledEventAbi.Topic0, InferenceOracleContract.InferenceFailedEventAbi.Topic0,
                InferenceOracleContract.FulfilmentRejectedEventAbi.Topic0]],
            FromBlock = _next,
            ToBlock = head,
        }, cancellationToken).ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        foreach (var log in logs)
        {
            var seenAt = _blockSeenAt.GetValueOrDefault(log.BlockNumber!.Value, now);
            if (InferenceOracleContract.IsFulfilmentRejectedEvent(log.Topics))
            {
                RejectedFulfilments++;
                continue;
            }
            Settlement s;
            if (InferenceOracleContract.IsInferenceFulfilledEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFulfilledEvent(log.Topics, log.Data);
                s = new Settlement(e.RequestId, e.Output, null, log.TransactionHash!, log.BlockNumber!.Value, seenAt);
            }
            else
            {
                var e = InferenceOracleContract.DecodeInferenceFailedEvent(log.Topics, log.Data);
                s = new Settlement(e.RequestId, null, (int)e.Reason, log.TransactionHash!, log.BlockNumber!.Value, seenAt);
            }
            _settlementLogs[s.RequestId] = _settlementLogs.GetValueOrDefault(s.RequestId) + 1;
            _settled.TryAdd(s.RequestId, s);
        }
        _next = head + 1;
        foreach (var block in _blockSeenAt.Keys.Where(b => b <= head).ToList()) _blockSeenAt.Remove(block);
    }

    /// <summary>Polls until every id in <paramref name="requestIds"/> has settled.</summary>
    /// <exception cref="TimeoutException">lists how many are still open.</exception>
    public async Task WaitForAllAsync(IEnumerable<BigInteger> requestIds, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var wanted = requestIds.ToHashSet();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await PollAsync(cancellationToken).ConfigureAwait(false);
            var open = wanted.Count(id => !_settled.ContainsKey(id));
            if (open == 0) return;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{open} of {wanted.Count} requests had not settled after {timeout.TotalSeconds:0} s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until at least <paramref name="count"/> requests have settled (any requests: for a load whose ids
    /// are read afterwards, so reading them does not compete with the node while it works). The head is watched every
    /// 50 ms and the logs read every <see cref="LogReadInterval"/>: a settlement counts as seen when its block first
    /// appeared, so the figure keeps its 50 ms resolution, while the observer's log reads (twenty a second, each
    /// decoding every settlement log of its blocks) no longer take the devnet's time from the node under measurement.</summary>
    /// <exception cref="TimeoutException">says how many had settled.</exception>
    public async Task WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? lastRead = null;
        while (true)
        {
            var head = await WatchHeadAsync(cancellationToken).ConfigureAwait(false);
            if (lastRead is null || clock.Elapsed - lastRead.Value >= LogReadInterval)
            {
                await ReadLogsAsync(head, cancellationToken).ConfigureAwait(false);
                lastRead = clock.Elapsed;
            }
            if (_settled.Count >= count) return;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{_settled.Count} of {count} requests had settled after {timeout.TotalSeconds:0} s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
