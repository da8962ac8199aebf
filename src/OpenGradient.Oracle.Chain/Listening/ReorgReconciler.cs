using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>
/// What the request listener does about stored requests when the chain changed under them (a reorg deeper than
/// <see cref="ChainOptions.Confirmations"/>). Request ids are a counter in the contract, so such a reorg can both remove
/// a stored request's log and give its id to a different request.
/// <list type="bullet">
/// <item>On a rewind, <see cref="OrphanVanishedAsync"/> marks Orphaned every non-terminal stored request of the rewound
/// window whose log is no longer on the chain: the node never submits for it.</item>
/// <item>When a replayed range shows a stored id, <see cref="ReconcileReplayAsync"/> compares the logs: a different
/// request under the id orphans the stored one and replaces it (<see cref="IRequestStore.ReplaceOrphanedAsync"/>), and
/// inference is queued for the replacement once; the orphaned request's own log coming back (its transaction was mined
/// again) revives it the same way.</item>
/// </list>
/// Every write is guarded by the request's version; a job that moved the request meanwhile makes us reload and decide
/// again, and two listeners racing replace it once.
/// </summary>
internal sealed partial class ReorgReconciler(
    ChainContext context, IRequestStore requests, IJobScheduler scheduler, IOracleMetrics metrics, ILogger logger)
{
    /// <summary>Reloads after a version conflict before giving up on this poll (the range is then read again).</summary>
    private const int MaxAttempts = 8;

    /// <summary>More than a rewind window of open requests is not expected; the rest waits for the next rewind.</summary>
    private const int MaxCandidates = 10_000;

    /// <summary>
    /// Orphans the non-terminal requests stored from <paramref name="fromBlock"/> on whose log is gone. "Gone" is read
    /// from the chain as it is now: the receipt of the request's transaction no longer exists, or no longer holds this
    /// request under this id (the transaction was mined again after another request took the id). A request whose
    /// transaction was mined again in another block keeps its place; the re-read range finds it where it is now.
    /// </summary>
    /// <returns>How many requests were orphaned.</returns>
    public async Task<int> OrphanVanishedAsync(ChainIdentity identity, ulong fromBlock, CancellationToken cancellationToken)
    {
        var candidates = await requests.ListNonTerminalFromBlockAsync(identity.ChainId, identity.OracleText, fromBlock, MaxCandidates, cancellationToken)
            .ConfigureAwait(false);
        var orphaned = 0;
        foreach (var candidate in candidates)
        {
            if (await IsOnChainAsync(identity, candidate.Request, cancellationToken).ConfigureAwait(false)) continue;
            var reason = $"reorg: its log (block {candidate.Request.Log.BlockNumber}, tx {Hex.Encode(candidate.Request.Log.TransactionHash)}) is no longer on the chain";
            if (await OrphanAsync(candidate, reason, cancellationToken).ConfigureAwait(false))
            {
                orphaned++;
                LogVanished(candidate.Key.ToString(), candidate.Request.Log.BlockNumber, Hex.Encode(candidate.Request.Log.TransactionHash), candidate.State.Status);
            }
        }
        return orphaned;
    }

    /// <summary>A stored request id seen again in a confirmed log: decides whether the stored request still stands.</summary>
    /// <summary>True when <paramref name="seen"/> is the very log <paramref name="stored"/> came from and the request
    /// is live: a replayed range, nothing to reconcile (the common case, checked without a round trip per request).</summary>
    public static bool IsUnchanged(StoredRequest stored, InferenceRequest seen) =>
        SameLog(stored.Request, seen) && stored.State.Status != RequestStatus.Orphaned;

    public async Task ReconcileReplayAsync(InferenceRequest seen, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await requests.GetAsync(seen.Key, cancellationToken).ConfigureAwait(false);
            if (stored is null) return;
            try
            {
                await ReconcileAsync(stored, seen, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StaleRequestStateException) when (attempt < MaxAttempts)
            {
                // A job (or another listener) moved it meanwhile: reload and decide again.
            }
        }
    }

    private async Task ReconcileAsync(StoredRequest stored, InferenceRequest seen, CancellationToken cancellationToken)
    {
        var same = SameLog(stored.Request, seen);
        if (same && stored.State.Status != RequestStatus.Orphaned) return; // a replayed range: nothing changed
        if (same)
        {
            LogReappeared(seen.Key.ToString(), Hex.Encode(seen.Log.TransactionHash), seen.Log.BlockNumber);
        }
        else
        {
            LogReplaced(seen.Key.ToString(), Hex.Encode(stored.Request.Log.TransactionHash), Hex.Encode(seen.Log.TransactionHash), stored.State.Status);
            // Whatever the stored request reached, it is not on this chain: the confirmed log under its id is another one.
            if (!stored.State.IsTerminal)
            {
                stored = await requests.TransitionAsync(stored, new RequestTransition.Orphan(
                    $"reorg: its log in tx {Hex.Encode(stored.Request.Log.TransactionHash)} was replaced by tx {Hex.Encode(seen.Log.TransactionHash)}"),
                    cancellationToken).ConfigureAwait(false);
            }
        }

        // Version-guarded: of two listeners (or a retried poll) only one gets here without StaleRequestStateException,
        // so inference is queued once per replacement.
        var replacement = await requests.ReplaceOrphanedAsync(stored, seen, cancellationToken).ConfigureAwait(false);
        var job = scheduler.Enqueue([replacement.Key])[0];
        metrics.RequestsDiscovered();
        LogReplacementQueued(replacement.Key.ToString(), Hex.Encode(seen.Log.TransactionHash), seen.Log.BlockNumber, job);
    }

    /// <returns>false when the request reached a terminal state (or was replaced) before we could orphan it.</returns>
    private async Task<bool> OrphanAsync(StoredRequest stored, string reason, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await requests.TransitionAsync(stored, new RequestTransition.Orphan(reason), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (StaleRequestStateException) when (attempt < MaxAttempts)
            {
                var reloaded = await requests.GetAsync(stored.Key, cancellationToken).ConfigureAwait(false);
                if (reloaded is null || reloaded.State.IsTerminal || !SameLog(reloaded.Request, stored.Request)) return false;
                stored = reloaded;
            }
        }
    }

    private async Task<bool> IsOnChainAsync(ChainIdentity identity, InferenceRequest request, CancellationToken cancellationToken)
    {
        var receipt = await context.Rpc.GetTransactionReceiptAsync(request.Log.TransactionHash, cancellationToken).ConfigureAwait(false);
        if (receipt is null) return false;
        foreach (var log in receipt.Logs)
        {
            if (log.Address != identity.Oracle || log.Topics.Count == 0 || !log.Topics[0].AsSpan().SequenceEqual(RequestEvents.Topic0)) continue;
            try
            {
                if (SameLog(request, RequestEvents.FromLog(identity.ChainId, log))) return true;
            }
            catch (AbiDecodingException)
            {
            }
            catch (ArgumentException)
            {
                // A receipt log without a block position: not a mined log of this request.
            }
        }
        return false;
    }

    /// <summary>One request: the same id, logged by the same transaction with the same input. A transaction hash names
    /// one signed transaction, so the same hash with another id is a different request (the key differs).</summary>
    private static bool SameLog(InferenceRequest stored, InferenceRequest seen) =>
        stored.Key == seen.Key
        && stored.Log.TransactionHash.AsSpan().SequenceEqual(seen.Log.TransactionHash)
        && stored.Request.InputHash.AsSpan().SequenceEqual(seen.Request.InputHash);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Warning,
        Message = "Request {RequestKey} was replaced by a reorg (stored tx {StoredTx} in {Status}, now tx {NewTx}); the stored one is orphaned and archived")]
    private partial void LogReplaced(string requestKey, string storedTx, string newTx, RequestStatus status);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Warning,
        Message = "Request {RequestKey} orphaned: its log (block {Block}, tx {TxHash}) vanished in a reorg while it was {Status}; it will not be submitted")]
    private partial void LogVanished(string requestKey, ulong block, string txHash, RequestStatus status);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Information,
        Message = "Request {RequestKey}: the orphaned request's log is back (tx {TxHash}, block {Block}); serving it again")]
    private partial void LogReappeared(string requestKey, string txHash, ulong block);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Information,
        Message = "Request {RequestKey} stored as a reorg replacement (tx {TxHash}, block {Block}); inference job {JobId}")]
    private partial void LogReplacementQueued(string requestKey, string txHash, ulong block, string jobId);
}
