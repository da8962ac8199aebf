using System.Diagnostics;
using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.TestSupport.Load;

/// <summary>How one request ended on-chain, as seen by an outside observer.</summary>
/// <param name="FailureReason">Null when fulfilled.</param>
/// <param name="SeenAtTicks">Stopwatch timestamp when the watcher first saw the settlement log.</param>
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
    private ulong _next = fromBlock;

    public IReadOnlyDictionary<BigInteger, Settlement> Settled => _settled;

    /// <summary>Settlement logs beyond the first for any request (must be 0: the contract settles once).</summary>
    public int DuplicateSettlements => _settlementLogs.Values.Sum(n => n - 1);

    /// <summary>Batch items the contract skipped because the request was no longer pending.</summary>
    public int RejectedFulfilments { get; private set; }

    /// <summary>Reads logs up to the current head once.</summary>
    public async Task PollAsync(CancellationToken cancellationToken = default)
    {
        var head = await rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
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
            if (InferenceOracleContract.IsFulfilmentRejectedEvent(log.Topics))
            {
                RejectedFulfilments++;
                continue;
            }
            Settlement s;
            if (InferenceOracleContract.IsInferenceFulfilledEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFulfilledEvent(log.Topics, log.Data);
                s = new Settlement(e.RequestId, e.Output, null, log.TransactionHash!, log.BlockNumber!.Value, now);
            }
            else
            {
                var e = InferenceOracleContract.DecodeInferenceFailedEvent(log.Topics, log.Data);
                s = new Settlement(e.RequestId, null, (int)e.Reason, log.TransactionHash!, log.BlockNumber!.Value, now);
            }
            _settlementLogs[s.RequestId] = _settlementLogs.GetValueOrDefault(s.RequestId) + 1;
            _settled.TryAdd(s.RequestId, s);
        }
        _next = head + 1;
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
    /// are read afterwards, so reading them does not compete with the node while it works).</summary>
    /// <exception cref="TimeoutException">says how many had settled.</exception>
    public async Task WaitForCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await PollAsync(cancellationToken).ConfigureAwait(false);
            if (_settled.Count >= count) return;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{_settled.Count} of {count} requests had settled after {timeout.TotalSeconds:0} s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
