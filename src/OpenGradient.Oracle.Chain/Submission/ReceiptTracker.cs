using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Ethereum.Transactions;

namespace OpenGradient.Oracle.Chain.Submission;

/// <summary>
/// Follows our transactions to the end: records receipts (<see cref="OutboundTransactionStatus.Mined"/> /
/// <see cref="OutboundTransactionStatus.Reverted"/>, with the gas used and its effective price), rebroadcasts the stored bytes of a transaction not mined within
/// <see cref="ChainOptions.ReceiptTimeout"/> (and all pending ones at start-up), and moves each submitted request to
/// its final state from what the receipt says about it: Settled, SettledElsewhere (someone else was first) or
/// FailedOnChain. A transaction whose nonce was taken by another sends its requests back for a new submission.
/// A transaction still not mined after the timeout (or after <see cref="ChainOptions.BumpAfterBlocks"/> blocks, whichever
/// comes first) is replaced by one with the same nonce and bumped fees
/// (<see cref="ChainOptions.GasBumpPercent"/>, capped by <see cref="ChainOptions.MaxFeePerGasGwei"/>); whichever of
/// the two is mined wins, the other is recorded as Replaced, and the request settles from the winner's receipt.
/// </summary>
public sealed partial class ReceiptTracker(
    ChainContext context, IOutboundTransactionStore transactions, IRequestStore requests, IJobScheduler scheduler,
    TimeProvider time, ILogger<ReceiptTracker> logger, IOracleMetrics? metrics = null) : PollingLoop(context, time)
{
    private readonly IOracleMetrics _metrics = metrics ?? NullOracleMetrics.Instance;
    private const int SweepLimit = 500;
    private readonly FeePolicy _fees = new() { MaxFeePerGasCap = context.Options.MaxFeePerGasWei };
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastBroadcast = new(StringComparer.Ordinal);

    // The chain head when each pending transaction was first seen pending (or last rebroadcast), for BumpAfterBlocks.
    // Kept in memory: after a restart the count starts again, and ReceiptTimeout still applies from the stored time.
    private readonly ConcurrentDictionary<string, ulong> _pendingSinceBlock = new(StringComparer.Ordinal);

    /// <summary>Receipts read per JSON-RPC batch: small enough for the batch limits of hosted endpoints (often 50 to 100
    /// calls).</summary>
    internal const int ReceiptsPerBatch = 20;

    private bool _batchesRefused; // the endpoint refused a batch: one call per receipt from then on

    private protected override TimeSpan IdleDelay => Context.Options.ReceiptPollInterval;

    /// <summary>Pending transactions of an earlier run may have died with its mempool: send them all again first.</summary>
    private protected override Task BeforeFirstPollAsync(ChainIdentity identity, CancellationToken cancellationToken) =>
        RebroadcastAllAsync(identity, cancellationToken);

    private protected override void OnPollFailed(int failures, TimeSpan delay, Exception exception) => LogPollFailed(failures, delay, exception);

    /// <summary>One pass: receipts of pending transactions, then submitted requests whose transaction has an outcome.</summary>
    internal override async Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var pending = await transactions.ListByStatusAsync(identity.ChainId, identity.OperatorText(), OutboundTransactionStatus.Pending, cancellationToken)
            .ConfigureAwait(false);
        var minedNonces = new HashSet<ulong>();
        var stuck = new List<OutboundTransaction>();
        var receipts = await ReceiptsAsync(pending, cancellationToken).ConfigureAwait(false);
        var mined = new List<(OutboundTransaction Tx, RpcReceipt Receipt)>();
        for (var i = 0; i < pending.Count; i++)
        {
            if (receipts[i] is { } receipt)
            {
                mined.Add((pending[i], receipt));
                minedNonces.Add(pending[i].Nonce);
            }
            else
            {
                stuck.Add(pending[i]);
            }
        }
        await RecordMinedAsync(identity, mined, cancellationToken).ConfigureAwait(false);

        ulong? head = null;
        foreach (var sameNonce in stuck.GroupBy(t => t.Nonce))
        {
            if (minedNonces.Contains(sameNonce.Key))
            {
                // Another transaction with this nonce was mined: these never will be.
                foreach (var loser in sameNonce)
                {
                    await transactions.SetStatusAsync(identity.ChainId, loser.Hash, OutboundTransactionStatus.Replaced, null, cancellationToken).ConfigureAwait(false);
                    _lastBroadcast.TryRemove(Hex.Encode(loser.Hash), out _);
                    _pendingSinceBlock.TryRemove(Hex.Encode(loser.Hash), out _);
                }
                continue;
            }
            // Only the newest (highest-fee) version of a nonce is kept alive.
            var newest = sameNonce.OrderBy(t => t.CreatedAt).Last();
            var due = Time.GetUtcNow() - LastBroadcast(newest) >= Context.Options.ReceiptTimeout;
            if (!due && Context.Options.BumpAfterBlocks > 0)
            {
                head ??= await Context.Rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
                var since = _pendingSinceBlock.GetOrAdd(Hex.Encode(newest.Hash), head.Value);
                due = head.Value >= since + (ulong)Context.Options.BumpAfterBlocks;
            }
            if (due)
            {
                _pendingSinceBlock.TryRemove(Hex.Encode(newest.Hash), out _);
                await BumpOrRebroadcastAsync(identity, newest, cancellationToken).ConfigureAwait(false);
            }
        }

        // Requests that became Submitted after their transaction's receipt was recorded (the job records the submission
        // after broadcasting; on an automining chain the receipt can be first), or across a restart.
        var submitted = await requests.ListByStatusAsync(RequestStatus.Submitted, SweepLimit, cancellationToken).ConfigureAwait(false);
        // One look at each transaction (and its receipt) for all the requests it carried.
        var bySubmission = submitted
            .Where(r => r.Key.ChainId == identity.ChainId && r.Key.Oracle == identity.OracleText)
            .GroupBy(r => Hex.Encode(r.State.Submission!.TransactionHash), StringComparer.Ordinal);
        var groups = bySubmission.Select(g => g.ToList()).ToList();
        if (groups.Count == 0) return true;
        var byHash = (await transactions.GetManyAsync(identity.ChainId, groups.Select(g => g[0].State.Submission!.TransactionHash).ToArray(), cancellationToken)
                .ConfigureAwait(false))
            .ToDictionary(t => Hex.Encode(t.Hash), StringComparer.Ordinal);
        OutboundTransaction? TxOf(List<StoredRequest> group) => byHash.GetValueOrDefault(Hex.Encode(group[0].State.Submission!.TransactionHash));
        // Mined ones: their receipts in JSON-RPC batches and every request resolved in one write, as above.
        var settled = groups.Where(g => TxOf(g)?.Status is OutboundTransactionStatus.Mined or OutboundTransactionStatus.Reverted).ToList();
        var settledReceipts = await ReceiptsAsync(settled.Select(g => TxOf(g)!).ToArray(), cancellationToken).ConfigureAwait(false);
        await ResolveAsync(identity, settled.Zip(settledReceipts).Where(p => p.Second is not null)
            .Select(p => ((IReadOnlyList<StoredRequest>)p.First, p.Second!)).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var carried in groups.Where(g => TxOf(g)?.Status is OutboundTransactionStatus.Dropped or OutboundTransactionStatus.Replaced))
        {
            var tx = TxOf(carried)!;
            var carriersByRequest = await transactions.ListForRequestsAsync(carried.Select(r => r.Key).ToArray(), cancellationToken).ConfigureAwait(false);
            foreach (var stored in carried)
            {
                // A fee-bumped sibling may have been mined in its place: settle from that one.
                var carriers = carriersByRequest[stored.Key];
                if (carriers.LastOrDefault(t => t.Status is OutboundTransactionStatus.Mined or OutboundTransactionStatus.Reverted) is { } winner)
                {
                    var winnerReceipt = await Context.Rpc.GetTransactionReceiptAsync(winner.Hash, cancellationToken).ConfigureAwait(false);
                    if (winnerReceipt is not null) await ResolveAsync(identity, [([stored], winnerReceipt)], cancellationToken).ConfigureAwait(false);
                }
                else if (!carriers.Any(t => t.Status == OutboundTransactionStatus.Pending))
                {
                    await ResubmitAsync(stored, $"transaction {Hex.Encode(tx.Hash)} was {tx.Status.ToString().ToLowerInvariant()}", cancellationToken)
                        .ConfigureAwait(false);
                }
            }
        }
        return true; // polled at a fixed pace: always wait IdleDelay
    }

    /// <summary>Receipts of the pending transactions, up to <see cref="ReceiptsPerBatch"/> per JSON-RPC batch: under load
    /// dozens are pending at each poll, and one HTTP round trip each cost the chain's endpoint more than the lookups. An
    /// endpoint that refuses batches gets one call per transaction from then on.</summary>
    private async Task<IReadOnlyList<RpcReceipt?>> ReceiptsAsync(IReadOnlyList<OutboundTransaction> pending, CancellationToken cancellationToken)
    {
        var receipts = new List<RpcReceipt?>(pending.Count);
        foreach (var chunk in pending.Chunk(ReceiptsPerBatch))
        {
            if (chunk.Length > 1 && !_batchesRefused)
            {
                try
                {
                    receipts.AddRange(await Context.Rpc.GetTransactionReceiptsAsync(chunk.Select(t => (ReadOnlyMemory<byte>)t.Hash).ToArray(), cancellationToken)
                        .ConfigureAwait(false));
                    continue;
                }
                // A JSON-RPC error for the batch as a whole, or a 4xx for the request: batches are not served here. (An error
                // for one receipt is that call's and propagates like any poll failure.)
                catch (Exception e) when (e is RpcErrorException { Method: "batch" } or RpcTransportException { IsTransient: false, HttpStatus: >= 400 and < 500 })
                {
                    _batchesRefused = true;
                    LogBatchesRefused(e.Message);
                }
            }
            foreach (var tx in chunk)
                receipts.Add(await Context.Rpc.GetTransactionReceiptAsync(tx.Hash, cancellationToken).ConfigureAwait(false));
        }
        return receipts;
    }

    /// <summary>
    /// Records the receipts of this poll's mined transactions and resolves the requests they carried: one statement for
    /// the receipts, one read of the requests and one write of their transitions, whatever the number of transactions.
    /// Sent one result per transaction, a load of 2000 requests cost PostgreSQL three round trips per transaction here,
    /// and the database more CPU than the node itself.
    /// </summary>
    private async Task RecordMinedAsync(ChainIdentity identity, List<(OutboundTransaction Tx, RpcReceipt Receipt)> mined, CancellationToken cancellationToken)
    {
        if (mined.Count == 0) return;
        var recorded = mined.Select(m => (m.Tx.Hash, Receipt: new OutboundReceipt(m.Receipt.BlockNumber, m.Receipt.Succeeded, m.Receipt.GasUsed,
            m.Receipt.EffectiveGasPrice))).ToArray();
        await transactions.RecordReceiptsAsync(identity.ChainId, recorded, cancellationToken).ConfigureAwait(false);
        foreach (var ((tx, _), (_, receipt)) in mined.Zip(recorded))
        {
            _lastBroadcast.TryRemove(Hex.Encode(tx.Hash), out _);
            _pendingSinceBlock.TryRemove(Hex.Encode(tx.Hash), out _);
            LogMined(Hex.Encode(tx.Hash), tx.Nonce, receipt.Status, receipt.BlockNumber, receipt.GasUsed);
            _metrics.SubmissionMined(receipt.GasUsed, receipt.Succeeded);
        }
        var keys = mined.SelectMany(m => m.Tx.Requests).Distinct().ToArray();
        // A request is resolved from the transaction its stored submission names: one carried by an earlier, replaced
        // transaction is left to the sweep below.
        var bySubmission = (await requests.GetManyAsync(keys, cancellationToken).ConfigureAwait(false))
            .OfType<StoredRequest>()
            .Where(r => r.State.Status == RequestStatus.Submitted)
            .ToLookup(r => Hex.Encode(r.State.Submission!.TransactionHash), StringComparer.Ordinal);
        await ResolveAsync(identity, mined.Select(m => ((IReadOnlyList<StoredRequest>)bySubmission[Hex.Encode(m.Tx.Hash)].ToList(), m.Receipt)).ToList(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the fate of the requests each receipt carried from its oracle logs and applies the matching
    /// transitions, all in one write.</summary>
    internal async Task ResolveAsync(ChainIdentity identity, IReadOnlyList<(IReadOnlyList<StoredRequest> Carried, RpcReceipt Receipt)> settled,
        CancellationToken cancellationToken)
    {
        var steps = new List<RequestStep>();
        var stepReceipts = new List<RpcReceipt>();
        foreach (var (carried, receipt) in settled)
        {
            if (carried.Count == 0) continue;
            if (!receipt.Succeeded)
            {
                foreach (var stored in carried)
                {
                    var status = await OnChainStatusAsync(identity, stored.Key, cancellationToken).ConfigureAwait(false);
                    steps.Add(new RequestStep(stored, status == 1
                        ? new RequestTransition.FailOnChain($"transaction {Hex.Encode(receipt.TransactionHash)} reverted")
                        : new RequestTransition.ObserveSettledElsewhere($"our transaction reverted; the request is {StatusName(status)}")));
                    stepReceipts.Add(receipt);
                }
            }
            else
            {
                var outcomes = OutcomesFromLogs(identity, receipt);
                foreach (var stored in carried)
                {
                    steps.Add(new RequestStep(stored, outcomes.GetValueOrDefault(stored.Key.RequestId)
                        ?? new RequestTransition.FailOnChain($"transaction {Hex.Encode(receipt.TransactionHash)} mined without settling or rejecting the request")));
                    stepReceipts.Add(receipt);
                }
            }
        }
        if (steps.Count == 0) return;

        IReadOnlyList<StoredRequest?> moved;
        try
        {
            moved = await requests.TransitionManyAsync(steps, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidRequestTransitionException)
        {
            // Nothing was written: one of them cannot take its transition. One by one, so the others still do.
            moved = await TransitionEachAsync(steps, cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < steps.Count; i++)
        {
            // Null: someone else moved it; the next sweep sees the new state.
            if (moved[i] is null) continue;
            var (stored, transition) = (steps[i].Current, steps[i].Transition);
            LogResolved(stored.Key.ToString(), transition.Name, Hex.Encode(stepReceipts[i].TransactionHash));
            switch (transition)
            {
                case RequestTransition.Settle:
                    _metrics.RequestSettled(Time.GetUtcNow() - stored.CreatedAt);
                    break;
                case RequestTransition.FailOnChain:
                    _metrics.RequestFailed(nameof(RequestStatus.FailedOnChain));
                    break;
                case RequestTransition.ObserveSettledElsewhere:
                    _metrics.RequestFailed(nameof(RequestStatus.SettledElsewhere));
                    break;
            }
        }
    }

    private async Task<IReadOnlyList<StoredRequest?>> TransitionEachAsync(List<RequestStep> steps, CancellationToken cancellationToken)
    {
        var moved = new StoredRequest?[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            try
            {
                moved[i] = (await requests.TransitionManyAsync([steps[i]], cancellationToken).ConfigureAwait(false))[0];
            }
            catch (InvalidRequestTransitionException)
            {
            }
        }
        return moved;
    }

    /// <summary>What a successful receipt's oracle logs say about each request they name (the first log about a request
    /// decides); requests it names only through our commitment (redundancy > 1: our vote is in, the request settles
    /// when enough operators agree) count as settled for us.</summary>
    private static Dictionary<BigInteger, RequestTransition> OutcomesFromLogs(ChainIdentity identity, RpcReceipt receipt)
    {
        var outcomes = new Dictionary<BigInteger, RequestTransition>();
        var committed = new HashSet<BigInteger>();
        foreach (var log in receipt.Logs)
        {
            if (log.Address != identity.Oracle || log.Topics.Count < 2) continue;
            var topics = log.Topics;
            if (InferenceOracleContract.IsInferenceFulfilledEvent(topics))
            {
                outcomes.TryAdd(InferenceOracleContract.DecodeInferenceFulfilledEvent(topics, log.Data).RequestId, new RequestTransition.Settle());
            }
            else if (InferenceOracleContract.IsInferenceFailedEvent(topics))
            {
                outcomes.TryAdd(InferenceOracleContract.DecodeInferenceFailedEvent(topics, log.Data).RequestId, new RequestTransition.Settle());
            }
            else if (InferenceOracleContract.IsFulfilmentRejectedEvent(topics))
            {
                var rejected = InferenceOracleContract.DecodeFulfilmentRejectedEvent(topics, log.Data);
                var name = KnownErrors.Abi.Errors.FirstOrDefault(e => e.Selector.AsSpan().SequenceEqual(rejected.Error))?.Name ?? Hex.Encode(rejected.Error);
                outcomes.TryAdd(rejected.RequestId, ResultSubmitter.NotNeededErrors.Contains(name)
                    ? new RequestTransition.ObserveSettledElsewhere($"fulfilBatch rejected it: {name}")
                    : new RequestTransition.FailOnChain($"fulfilBatch rejected it: {name}"));
            }
            else if (InferenceOracleContract.IsCommitmentRecordedEvent(topics))
            {
                var recorded = InferenceOracleContract.DecodeCommitmentRecordedEvent(topics, log.Data);
                if (recorded.Operator == identity.Operator) committed.Add(recorded.RequestId);
            }
        }
        foreach (var id in committed) outcomes.TryAdd(id, new RequestTransition.Settle());
        return outcomes;
    }

    private async Task<int> OnChainStatusAsync(ChainIdentity identity, RequestKey key, CancellationToken cancellationToken)
    {
        var output = await Context.Rpc.EthCallAsync(
            new TransactionRequest { To = identity.Oracle, Data = InferenceOracleContract.EncodeRequestStatus(key.RequestId) }, null, cancellationToken)
            .ConfigureAwait(false);
        return (int)InferenceOracleContract.DecodeRequestStatusOutput(output);
    }

    private static string StatusName(int status) => status switch
    {
        0 => "unknown",
        1 => "pending",
        2 => "fulfilled",
        3 => "failed",
        4 => "cancelled",
        _ => "status " + status,
    };

    private async Task ResubmitAsync(StoredRequest stored, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await requests.TransitionAsync(stored, new RequestTransition.ReviseOutcome(stored.State.Outcome!, reason), cancellationToken).ConfigureAwait(false);
        }
        catch (StaleRequestStateException)
        {
            return;
        }
        scheduler.Enqueue([stored.Key]);
        LogResubmitted(stored.Key.ToString(), reason);
    }

    private DateTimeOffset LastBroadcast(OutboundTransaction tx) =>
        _lastBroadcast.TryGetValue(Hex.Encode(tx.Hash), out var at) && at > tx.CreatedAt ? at : tx.CreatedAt;

    /// <summary>Replaces a stuck transaction by the same call and nonce with higher fees, stored before it is sent.
    /// Falls back to rebroadcasting the same bytes when bumping is off or the fee cap leaves no room.</summary>
    private async Task BumpOrRebroadcastAsync(ChainIdentity identity, OutboundTransaction tx, CancellationToken cancellationToken)
    {
        var percent = Context.Options.GasBumpPercent;
        if (percent == 0 || SignedTransaction.Decode(tx.RawTransaction).Transaction is not Eip1559Transaction original)
        {
            await RebroadcastAsync(identity, tx, cancellationToken).ConfigureAwait(false);
            return;
        }

        Fees market;
        try
        {
            market = await _fees.SuggestAsync(Context.Rpc, cancellationToken).ConfigureAwait(false);
        }
        catch (FeeCapExceededException e)
        {
            // The market is above what the operator allows: wait rather than overpay (and keep the old one alive).
            LogFeeCapWait(Hex.Encode(tx.Hash), e.Message);
            _metrics.FeeCapWaiting("bumper", true);
            await RebroadcastAsync(identity, tx, cancellationToken).ConfigureAwait(false);
            return;
        }
        var tip = BigInteger.Max(original.MaxPriorityFeePerGas * (100 + percent) / 100, market.MaxPriorityFeePerGas);
        var maxFee = BigInteger.Max(original.MaxFeePerGas * (100 + percent) / 100, market.MaxFeePerGas);
        if (Context.Options.MaxFeePerGasWei is { } cap && maxFee > cap) maxFee = cap;
        if (tip > maxFee) tip = maxFee;
        // Nodes accept a replacement only when both fees rise by at least 10%.
        if (maxFee * 10 < original.MaxFeePerGas * 11 || tip * 10 < original.MaxPriorityFeePerGas * 11)
        {
            LogFeeCapWait(Hex.Encode(tx.Hash), "the fee cap leaves no room for a 10% bump");
            _metrics.FeeCapWaiting("bumper", true);
            await RebroadcastAsync(identity, tx, cancellationToken).ConfigureAwait(false);
            return;
        }
        _metrics.FeeCapWaiting("bumper", false);

        var replacement = (original with { MaxFeePerGas = maxFee, MaxPriorityFeePerGas = tip }).Sign(Context.Key.Key);
        var record = tx with
        {
            Hash = replacement.Hash,
            RawTransaction = replacement.Raw.ToArray(),
            MaxFeePerGas = maxFee,
            MaxPriorityFeePerGas = tip,
            Status = OutboundTransactionStatus.Pending,
            CreatedAt = Time.GetUtcNow(),
            MinedBlockNumber = null,
        };
        await transactions.AddAsync(record, cancellationToken).ConfigureAwait(false);
        LogBumped(Hex.Encode(tx.Hash), Hex.Encode(replacement.Hash), tx.Nonce, maxFee, tip);
        _metrics.FeeBump();
        await RebroadcastAsync(identity, record, cancellationToken).ConfigureAwait(false);
    }

    private async Task RebroadcastAllAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        // After a crash a transaction may be stored but never sent; sending known bytes again is harmless.
        var pending = await transactions.ListByStatusAsync(identity.ChainId, identity.OperatorText(), OutboundTransactionStatus.Pending, cancellationToken)
            .ConfigureAwait(false);
        foreach (var sameNonce in pending.GroupBy(t => t.Nonce))
            await RebroadcastAsync(identity, sameNonce.OrderBy(t => t.CreatedAt).Last(), cancellationToken).ConfigureAwait(false);
    }

    private async Task RebroadcastAsync(ChainIdentity identity, OutboundTransaction tx, CancellationToken cancellationToken)
    {
        var hash = Hex.Encode(tx.Hash);
        _lastBroadcast[hash] = Time.GetUtcNow();
        try
        {
            await Context.Rpc.SendRawTransactionAsync(tx.RawTransaction, cancellationToken).ConfigureAwait(false);
            LogRebroadcast(hash, tx.Nonce);
        }
        catch (ContractRevertException)
        {
            // Executed (and reverted) on an automining devnet: the next poll finds its receipt.
        }
        catch (RpcErrorException e) when (BroadcastErrors.IsAlreadyKnown(e))
        {
        }
        catch (RpcErrorException e) when (BroadcastErrors.IsNonceTooLow(e))
        {
            // The nonce is used. If not by this transaction (no receipt), another one took its place.
            if (await Context.Rpc.GetTransactionReceiptAsync(tx.Hash, cancellationToken).ConfigureAwait(false) is null)
            {
                await transactions.SetStatusAsync(identity.ChainId, tx.Hash, OutboundTransactionStatus.Replaced, null, cancellationToken).ConfigureAwait(false);
                LogReplaced(hash, tx.Nonce);
            }
        }
        catch (RpcErrorException e)
        {
            // e.g. "replacement transaction underpriced": the node keeps another version; the next poll decides.
            LogRebroadcastRefused(hash, tx.Nonce, e.RpcMessage);
        }
    }

    [LoggerMessage(EventId = 5310, Level = LogLevel.Warning, Message = "The RPC endpoint refuses JSON-RPC batches ({Error}); receipts are read one call each")]
    private partial void LogBatchesRefused(string error);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Tx {TxHash} (nonce {Nonce}) {Status} in block {Block}, gas {GasUsed}")]
    private partial void LogMined(string txHash, ulong nonce, OutboundTransactionStatus status, ulong block, ulong gasUsed);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Request {RequestKey}: {Transition} by tx {TxHash}")]
    private partial void LogResolved(string requestKey, string transition, string txHash);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "Tx {TxHash} (nonce {Nonce}) not mined in time; rebroadcast")]
    private partial void LogRebroadcast(string txHash, ulong nonce);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "Tx {TxHash}: nonce {Nonce} was taken by another transaction; its requests are resubmitted")]
    private partial void LogReplaced(string txHash, ulong nonce);

    [LoggerMessage(EventId = 5305, Level = LogLevel.Warning, Message = "Request {RequestKey} resubmitted: {Reason}")]
    private partial void LogResubmitted(string requestKey, string reason);

    [LoggerMessage(EventId = 5307, Level = LogLevel.Warning,
        Message = "Tx {TxHash} (nonce {Nonce}) not mined in time; replaced by {NewTxHash} with max fee {MaxFee}, tip {Tip}")]
    private partial void LogBumped(string txHash, string newTxHash, ulong nonce, BigInteger maxFee, BigInteger tip);

    [LoggerMessage(EventId = 5308, Level = LogLevel.Warning, Message = "Tx {TxHash} is stuck but not bumped: {Reason}; waiting")]
    private partial void LogFeeCapWait(string txHash, string reason);

    [LoggerMessage(EventId = 5309, Level = LogLevel.Warning, Message = "Rebroadcast of {TxHash} (nonce {Nonce}) refused: {Error}")]
    private partial void LogRebroadcastRefused(string txHash, ulong nonce, string error);

    [LoggerMessage(EventId = 5306, Level = LogLevel.Warning, Message = "Receipt poll failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogPollFailed(int failures, TimeSpan delay, Exception exception);
}
