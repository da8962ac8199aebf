using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Submission;

/// <summary>
/// Follows our transactions to the end: records receipts (<see cref="OutboundTransactionStatus.Mined"/> /
/// <see cref="OutboundTransactionStatus.Reverted"/>), rebroadcasts the stored bytes of a transaction not mined within
/// <see cref="ChainOptions.ReceiptTimeout"/> (and all pending ones at start-up), and moves each submitted request to
/// its final state from what the receipt says about it: Settled, SettledElsewhere (someone else was first) or
/// FailedOnChain. A transaction whose nonce was taken by another sends its requests back for a new submission.
/// Gas bumping of stuck transactions is not done yet (they are rebroadcast unchanged).
/// </summary>
public sealed partial class ReceiptTracker(
    ChainContext context, IOutboundTransactionStore transactions, IRequestStore requests, IJobScheduler scheduler,
    TimeProvider time, ILogger<ReceiptTracker> logger) : BackgroundService
{
    private const int SweepLimit = 500;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastBroadcast = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChainIdentity identity;
        try
        {
            identity = await context.GetIdentityAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var started = false;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!started)
                {
                    await RebroadcastAllAsync(identity, stoppingToken).ConfigureAwait(false);
                    started = true;
                }
                await PollOnceAsync(identity, stoppingToken).ConfigureAwait(false);
                failures = 0;
                await Task.Delay(context.Options.ReceiptPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // outlive RPC and database outages
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures++;
                var delay = Backoff.Delay(failures, context.Options.ReceiptPollInterval, context.Options.MaxRetryDelay);
                LogPollFailed(failures, delay, e);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass: receipts of pending transactions, then submitted requests whose transaction has an outcome.</summary>
    internal async Task PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var pending = await transactions.ListByStatusAsync(identity.ChainId, identity.OperatorText(), OutboundTransactionStatus.Pending, cancellationToken)
            .ConfigureAwait(false);
        foreach (var tx in pending)
        {
            var receipt = await context.Rpc.GetTransactionReceiptAsync(tx.Hash, cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                var status = receipt.Succeeded ? OutboundTransactionStatus.Mined : OutboundTransactionStatus.Reverted;
                await transactions.SetStatusAsync(identity.ChainId, tx.Hash, status, receipt.BlockNumber, cancellationToken).ConfigureAwait(false);
                _lastBroadcast.TryRemove(Hex.Encode(tx.Hash), out _);
                LogMined(Hex.Encode(tx.Hash), tx.Nonce, status, receipt.BlockNumber, receipt.GasUsed);
                foreach (var key in tx.Requests)
                {
                    var stored = await requests.GetAsync(key, cancellationToken).ConfigureAwait(false);
                    if (stored is not null && CarriedBy(stored, tx.Hash))
                        await ResolveAsync(identity, stored, receipt, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (time.GetUtcNow() - LastBroadcast(tx) >= context.Options.ReceiptTimeout)
            {
                await RebroadcastAsync(identity, tx, cancellationToken).ConfigureAwait(false);
            }
        }

        // Requests that became Submitted after their transaction's receipt was recorded (the job records the submission
        // after broadcasting; on an automining chain the receipt can be first), or across a restart.
        var submitted = await requests.ListByStatusAsync(RequestStatus.Submitted, SweepLimit, cancellationToken).ConfigureAwait(false);
        foreach (var stored in submitted)
        {
            if (stored.Key.ChainId != identity.ChainId || stored.Key.Oracle != identity.OracleText) continue;
            var tx = await transactions.GetAsync(identity.ChainId, stored.State.Submission!.TransactionHash, cancellationToken).ConfigureAwait(false);
            switch (tx?.Status)
            {
                case OutboundTransactionStatus.Mined or OutboundTransactionStatus.Reverted:
                    var receipt = await context.Rpc.GetTransactionReceiptAsync(tx.Hash, cancellationToken).ConfigureAwait(false);
                    if (receipt is not null) await ResolveAsync(identity, stored, receipt, cancellationToken).ConfigureAwait(false);
                    break;
                case OutboundTransactionStatus.Dropped or OutboundTransactionStatus.Replaced:
                    await ResubmitAsync(stored, $"transaction {Hex.Encode(tx.Hash)} was {tx.Status.ToString().ToLowerInvariant()}", cancellationToken)
                        .ConfigureAwait(false);
                    break;
            }
        }
    }

    private static bool CarriedBy(StoredRequest stored, byte[] hash) =>
        stored.State.Status == RequestStatus.Submitted && stored.State.Submission!.TransactionHash.AsSpan().SequenceEqual(hash);

    /// <summary>Reads the request's fate from the receipt's oracle logs and applies the matching transition.</summary>
    internal async Task ResolveAsync(ChainIdentity identity, StoredRequest stored, RpcReceipt receipt, CancellationToken cancellationToken)
    {
        RequestTransition transition;
        if (!receipt.Succeeded)
        {
            var status = await OnChainStatusAsync(identity, stored.Key, cancellationToken).ConfigureAwait(false);
            transition = status == 1
                ? new RequestTransition.FailOnChain($"transaction {Hex.Encode(receipt.TransactionHash)} reverted")
                : new RequestTransition.ObserveSettledElsewhere($"our transaction reverted; the request is {StatusName(status)}");
        }
        else
        {
            transition = FromLogs(identity, stored.Key, receipt)
                ?? new RequestTransition.FailOnChain($"transaction {Hex.Encode(receipt.TransactionHash)} mined without settling or rejecting the request");
        }

        try
        {
            await requests.TransitionAsync(stored, transition, cancellationToken).ConfigureAwait(false);
            LogResolved(stored.Key.ToString(), transition.Name, Hex.Encode(receipt.TransactionHash));
        }
        catch (StaleRequestStateException)
        {
            // Someone else moved it; the next sweep sees the new state.
        }
        catch (InvalidRequestTransitionException)
        {
        }
    }

    private static RequestTransition? FromLogs(ChainIdentity identity, RequestKey key, RpcReceipt receipt)
    {
        var committed = false;
        foreach (var log in receipt.Logs)
        {
            if (log.Address != identity.Oracle || log.Topics.Count < 2) continue;
            var topics = log.Topics;
            if (InferenceOracleContract.IsInferenceFulfilledEvent(topics)
                && InferenceOracleContract.DecodeInferenceFulfilledEvent(topics, log.Data).RequestId == key.RequestId)
                return new RequestTransition.Settle();
            if (InferenceOracleContract.IsInferenceFailedEvent(topics)
                && InferenceOracleContract.DecodeInferenceFailedEvent(topics, log.Data).RequestId == key.RequestId)
                return new RequestTransition.Settle();
            if (InferenceOracleContract.IsFulfilmentRejectedEvent(topics))
            {
                var rejected = InferenceOracleContract.DecodeFulfilmentRejectedEvent(topics, log.Data);
                if (rejected.RequestId != key.RequestId) continue;
                var name = KnownErrors.Abi.Errors.FirstOrDefault(e => e.Selector.AsSpan().SequenceEqual(rejected.Error))?.Name ?? Hex.Encode(rejected.Error);
                return ResultSubmitter.NotNeededErrors.Contains(name)
                    ? new RequestTransition.ObserveSettledElsewhere($"fulfilBatch rejected it: {name}")
                    : new RequestTransition.FailOnChain($"fulfilBatch rejected it: {name}");
            }
            if (InferenceOracleContract.IsCommitmentRecordedEvent(topics))
            {
                var recorded = InferenceOracleContract.DecodeCommitmentRecordedEvent(topics, log.Data);
                committed |= recorded.RequestId == key.RequestId && recorded.Operator == identity.Operator;
            }
        }
        // Redundancy > 1: our vote is recorded and the request settles when enough operators agree; our part is done.
        return committed ? new RequestTransition.Settle() : null;
    }

    private async Task<int> OnChainStatusAsync(ChainIdentity identity, RequestKey key, CancellationToken cancellationToken)
    {
        var output = await context.Rpc.EthCallAsync(
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
        scheduler.EnqueueSubmission(stored.Key);
        LogResubmitted(stored.Key.ToString(), reason);
    }

    private DateTimeOffset LastBroadcast(OutboundTransaction tx) =>
        _lastBroadcast.TryGetValue(Hex.Encode(tx.Hash), out var at) && at > tx.CreatedAt ? at : tx.CreatedAt;

    private async Task RebroadcastAllAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        // After a crash a transaction may be stored but never sent; sending known bytes again is harmless.
        var pending = await transactions.ListByStatusAsync(identity.ChainId, identity.OperatorText(), OutboundTransactionStatus.Pending, cancellationToken)
            .ConfigureAwait(false);
        foreach (var tx in pending) await RebroadcastAsync(identity, tx, cancellationToken).ConfigureAwait(false);
    }

    private async Task RebroadcastAsync(ChainIdentity identity, OutboundTransaction tx, CancellationToken cancellationToken)
    {
        var hash = Hex.Encode(tx.Hash);
        _lastBroadcast[hash] = time.GetUtcNow();
        try
        {
            await context.Rpc.SendRawTransactionAsync(tx.RawTransaction, cancellationToken).ConfigureAwait(false);
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
            if (await context.Rpc.GetTransactionReceiptAsync(tx.Hash, cancellationToken).ConfigureAwait(false) is null)
            {
                await transactions.SetStatusAsync(identity.ChainId, tx.Hash, OutboundTransactionStatus.Replaced, null, cancellationToken).ConfigureAwait(false);
                LogReplaced(hash, tx.Nonce);
            }
        }
    }

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

    [LoggerMessage(EventId = 5306, Level = LogLevel.Warning, Message = "Receipt poll failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogPollFailed(int failures, TimeSpan delay, Exception exception);
}
