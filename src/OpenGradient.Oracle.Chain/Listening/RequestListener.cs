using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>
/// Follows <c>InferenceRequested</c> logs with eth_getLogs, <see cref="ChainOptions.Confirmations"/> blocks behind the
/// head (<see cref="LogRangeReader"/>). Each request is stored once (<see cref="IRequestStore.AddManyIfAbsentAsync"/>) and queued only when it
/// was new; then the cursor (block number + hash) moves. A crash between the two replays the range, which is harmless.
/// When the block under the cursor is no longer on the chain (a reorg: the block after it has another parent, or the
/// chain is shorter), the cursor moves back
/// <see cref="ChainOptions.ReorgRewindBlocks"/> blocks and the range is read again; stored requests the reorg removed or
/// replaced are dealt with by <see cref="ReorgReconciler"/>.
/// </summary>
public sealed partial class RequestListener(
    ChainContext context, IRequestStore requests, IChainCursorStore cursors, IJobScheduler scheduler,
    TimeProvider time, ILogger<RequestListener> logger, IOracleMetrics? metrics = null) : PollingLoop(context, time)
{
    private readonly IOracleMetrics _metrics = metrics ?? NullOracleMetrics.Instance;
    private readonly ReorgReconciler _reorgs = new(context, requests, scheduler, metrics ?? NullOracleMetrics.Instance, logger);
    private readonly Lock _progressLock = new();

    // Requests stored by an earlier poll whose jobs could not be queued (the job store refused); polls run one at a time.
    private readonly List<RequestKey> _unqueued = [];
    private DateTimeOffset? _lastPollCompletedAt;
    private ulong? _lastProcessedBlock;

    private readonly LogRangeReader _reader = new(context, [RequestEvents.Topic0], time);

    private ChainOptions Options => Context.Options;

    /// <summary>When a poll last completed (found blocks or not); null before the first. Read by the health probe.</summary>
    public DateTimeOffset? LastPollCompletedAt
    {
        get
        {
            lock (_progressLock) return _lastPollCompletedAt;
        }
    }

    /// <summary>The cursor's block after the last poll; null before the first.</summary>
    public ulong? LastProcessedBlock
    {
        get
        {
            lock (_progressLock) return _lastProcessedBlock;
        }
    }

    private void RecordProgress(ulong? block, bool completed)
    {
        lock (_progressLock)
        {
            if (block is not null) _lastProcessedBlock = block;
            if (completed) _lastPollCompletedAt = Time.GetUtcNow();
        }
    }

    private protected override void OnPollCompleted() => RecordProgress(null, completed: true);

    private protected override void OnPollFailed(int failures, TimeSpan delay, Exception exception)
    {
        if (exception is RpcErrorException or RpcTransportException)
            _metrics.RpcError(exception is RpcErrorException rpcError ? rpcError.Method : "transport");
        LogPollFailed(failures, delay, exception);
    }

    /// <summary>Reads the next range. Returns true when the listener is at the confirmed head (time to wait).</summary>
    internal override async Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        if (_unqueued.Count > 0)
        {
            scheduler.Enqueue(_unqueued.ToArray());
            _unqueued.Clear();
        }
        var cursor = await cursors.GetAsync(identity.ChainId, identity.OracleText, cancellationToken).ConfigureAwait(false);
        var read = await _reader.ReadAfterAsync(identity, cursor, cancellationToken).ConfigureAwait(false);
        RecordProgress(cursor?.BlockNumber, completed: false);
        switch (read.Outcome)
        {
            case LogRangeOutcome.CursorReplaced:
                await RewindAsync(identity, cursor!, cancellationToken).ConfigureAwait(false);
                return false;
            case LogRangeOutcome.NothingNew:
                _metrics.ListenerLag(cursor is null ? 0 : read.Head - Math.Min(read.Head, cursor.BlockNumber));
                return true;
            case LogRangeOutcome.ChainMoved:
                return true;
        }
        var (head, range) = (read.Head, read.Range!);
        var (from, to, logs) = (range.From, range.To, range.Logs);

        var seen = new List<InferenceRequest>(logs.Count);
        foreach (var log in logs)
        {
            try
            {
                seen.Add(RequestEvents.FromLog(identity.ChainId, log));
            }
            catch (AbiDecodingException e)
            {
                LogUndecodable(log.BlockNumber ?? 0, log.TransactionHash is { } tx ? Hex.Encode(tx) : "?", e.Message);
            }
        }
        // The range's requests are stored in one round trip and queued together, so requests discovered together
        // share jobs and submission batches.
        var isNew = await requests.AddManyIfAbsentAsync(seen, cancellationToken).ConfigureAwait(false);
        var added = seen.Where((_, i) => isNew[i]).ToList();
        if (added.Count > 0)
        {
            var keys = added.Select(r => r.Key).ToArray();
            string jobs;
            try
            {
                jobs = string.Join(", ", scheduler.Enqueue(keys));
            }
            catch
            {
                // Stored but not queued: a replay of the range would find them known and queue nothing, so they are
                // queued first thing at the next poll (after a restart, the start-up sweep queues them).
                _unqueued.AddRange(keys);
                throw;
            }
            foreach (var request in added)
                LogDiscovered(request.Key.ToString(), Hex.Encode(request.Request.ModelId), request.Log.BlockNumber, jobs);
        }
        var replayed = seen.Where((_, i) => !isNew[i]).ToArray();
        if (replayed.Length > 0)
        {
            var stored = await requests.GetManyAsync(replayed.Select(r => r.Key).ToArray(), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < replayed.Length; i++)
            {
                if (stored[i] is { } s && ReorgReconciler.IsUnchanged(s, replayed[i])) continue;
                await _reorgs.ReconcileReplayAsync(replayed[i], cancellationToken).ConfigureAwait(false);
            }
        }

        await cursors.SetAsync(new ChainCursor(identity.ChainId, identity.OracleText, to, range.ToHash), cancellationToken).ConfigureAwait(false);
        RecordProgress(to, completed: false);
        if (added.Count > 0) _metrics.RequestsDiscovered(added.Count);
        _metrics.ListenerLag(head - Math.Min(head, to));
        if (logs.Count > 0) LogRange(from, to, logs.Count, added.Count);
        return range.CaughtUp;
    }

    /// <summary>
    /// Before the cursor moves back, every open request stored in the window it moves back over (and above) is checked
    /// against the chain as it is now; those whose log is gone are orphaned (<see cref="ReorgReconciler"/>). This runs
    /// first so that a failure leaves the cursor where it was and the next poll sees the same reorg and tries again.
    /// Requests that a different request replaced under the same id are found when the range is read again.
    /// </summary>
    private async Task RewindAsync(ChainIdentity identity, ChainCursor cursor, CancellationToken cancellationToken)
    {
        // First: whatever the node cached about the chain (its operator standing) may describe the vanished branch.
        Context.NoteReorg();
        var rewind = (ulong)Options.ReorgRewindBlocks;
        var fromBlock = cursor.BlockNumber >= rewind ? cursor.BlockNumber - rewind + 1 : 0;
        var orphaned = await _reorgs.OrphanVanishedAsync(identity, fromBlock, cancellationToken).ConfigureAwait(false);
        var rewound = await CursorReorg.RewindAsync(Context, cursors, cursor, cancellationToken).ConfigureAwait(false);
        LogReorg(cursor.BlockNumber, Hex.Encode(cursor.BlockHash), rewound.BlockNumber, orphaned);
        _metrics.Reorg();
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information,
        Message = "Request {RequestKey} discovered (model {ModelId}, block {Block}); queued in job {JobIds}")]
    private partial void LogDiscovered(string requestKey, string modelId, ulong block, string jobIds);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Blocks {From}..{To}: {Logs} request logs, {Added} new")]
    private partial void LogRange(ulong from, ulong to, int logs, int added);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning,
        Message = "Reorg: block {Block} is no longer {Hash}; re-reading from block {Target} ({Orphaned} stored requests orphaned: their logs vanished)")]
    private partial void LogReorg(ulong block, string hash, ulong target, int orphaned);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Listener poll failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogPollFailed(int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Skipping an undecodable InferenceRequested log in block {Block}, tx {TxHash}: {Error}")]
    private partial void LogUndecodable(ulong block, string txHash, string error);
}

/// <summary>Exponential back-off with jitter for the background loops.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan baseDelay, TimeSpan max)
    {
        var exponent = Math.Min(failures - 1, 10);
        var ms = Math.Min(max.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
#pragma warning disable CA5394 // jitter, not security
        ms *= 0.75 + Random.Shared.NextDouble() * 0.5;
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Max(1, ms));
    }
}
