using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Cli.OnChain;

/// <summary>How one request settled, read from the oracle's logs.</summary>
/// <param name="Output">The output tensor bytes (fulfilled only).</param>
/// <param name="Reason">The failure reason code (failed only).</param>
/// <param name="Operator">The signer of the commitment that settled it (from CommitmentRecorded in the same transaction).</param>
/// <param name="Runtime">keccak256 of the runtime descriptor the operator committed to.</param>
/// <param name="ObservedAt">When this process first saw the settlement (for latency).</param>
public sealed record Settlement(
    BigInteger RequestId,
    bool Fulfilled,
    byte[]? Output,
    byte[]? OutputHash,
    ushort? Reason,
    byte[] TransactionHash,
    ulong BlockNumber,
    Address? Operator,
    byte[]? Runtime,
    DateTimeOffset ObservedAt);

/// <summary>
/// Polls the oracle's logs for <c>InferenceFulfilled</c> / <c>InferenceFailed</c> of given requests (eth_getLogs
/// filtered by topic, so the cost does not grow with other traffic), with the <c>CommitmentRecorded</c> that settled each.
/// </summary>
public sealed class SettlementWatcher(EthRpcClient rpc, Address oracle, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public static byte[] Topic(BigInteger requestId)
    {
        var word = new byte[32];
        var bytes = requestId.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    /// <summary>Settlements of <paramref name="requestIds"/> mined in [fromBlock, head] (those not yet settled are absent).</summary>
    public async Task<IReadOnlyDictionary<BigInteger, Settlement>> ReadAsync(IReadOnlyCollection<BigInteger> requestIds, ulong fromBlock, CancellationToken cancellationToken)
    {
        var found = new Dictionary<BigInteger, Settlement>();
        if (requestIds.Count == 0) return found;
        var filter = new LogFilter
        {
            Addresses = [oracle],
            Topics =
            [
                [
                    InferenceOracleContract.InferenceFulfilledEventAbi.Topic0,
                    InferenceOracleContract.InferenceFailedEventAbi.Topic0,
                    InferenceOracleContract.CommitmentRecordedEventAbi.Topic0,
                ],
                requestIds.Select(Topic).ToArray(),
            ],
            FromBlock = BlockTag.Number(fromBlock),
            ToBlock = BlockTag.Latest,
        };
        var logs = await rpc.GetLogsAsync(filter, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var commitments = new Dictionary<(BigInteger, string), InferenceOracleContract.CommitmentRecordedEvent>();
        foreach (var log in logs)
        {
            if (InferenceOracleContract.IsCommitmentRecordedEvent(log.Topics))
            {
                var c = InferenceOracleContract.DecodeCommitmentRecordedEvent(log.Topics, log.Data);
                commitments[(c.RequestId, Hex.Encode(log.TransactionHash ?? []))] = c;
            }
        }
        foreach (var log in logs)
        {
            var tx = log.TransactionHash ?? [];
            if (InferenceOracleContract.IsInferenceFulfilledEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFulfilledEvent(log.Topics, log.Data);
                commitments.TryGetValue((e.RequestId, Hex.Encode(tx)), out var c);
                found[e.RequestId] = new Settlement(e.RequestId, true, e.Output, e.OutputHash, null, tx, log.BlockNumber ?? 0, c?.Operator, c?.Runtime, now);
            }
            else if (InferenceOracleContract.IsInferenceFailedEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFailedEvent(log.Topics, log.Data);
                commitments.TryGetValue((e.RequestId, Hex.Encode(tx)), out var c);
                found[e.RequestId] = new Settlement(e.RequestId, false, null, null, (ushort)e.Reason, tx, log.BlockNumber ?? 0, c?.Operator, c?.Runtime, now);
            }
        }
        return found;
    }

    /// <summary>
    /// Polls until every request settled or <paramref name="timeout"/> passes; calls <paramref name="onSettled"/> once
    /// per settlement as it is seen. Returns what settled (a timeout returns a partial result, it does not throw).
    /// </summary>
    public async Task<IReadOnlyDictionary<BigInteger, Settlement>> WaitAsync(IReadOnlyCollection<BigInteger> requestIds, ulong fromBlock,
        TimeSpan timeout, Action<Settlement>? onSettled, CancellationToken cancellationToken)
    {
        var settled = new Dictionary<BigInteger, Settlement>();
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var open = requestIds.Where(id => !settled.ContainsKey(id)).ToArray();
            if (open.Length == 0) return settled;
            foreach (var (id, s) in await ReadAsync(open, fromBlock, cancellationToken).ConfigureAwait(false))
            {
                if (settled.TryAdd(id, s)) onSettled?.Invoke(s);
            }
            if (settled.Count == requestIds.Count || _time.GetUtcNow() >= deadline) return settled;
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
