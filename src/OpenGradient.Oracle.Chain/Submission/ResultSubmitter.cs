using System.Numerics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Submission;

/// <summary>
/// Posts results. Callers (the request jobs) enqueue and await; a loop takes what arrived within
/// <see cref="ChainOptions.BatchWindow"/> (up to <see cref="ChainOptions.MaxBatchSize"/>), and fulfilments go together
/// with <c>fulfilBatchPacked</c> (one result: <c>fulfil</c>), each failure with <c>reportFailure</c>. That loop prepares
/// (the EIP-712 commitment signatures of what will be sent, gas from <see cref="FulfilmentGasModel"/>, a single call
/// simulated with eth_call); a second one, fed by the first, takes the nonces, so they stay in broadcast order. For
/// every transaction: sign, store (<see cref="IOutboundTransactionStore"/>) and only then broadcast, so a crash at any
/// point leaves either nothing or a stored transaction to rebroadcast. Broadcast requests go out one at a time in nonce
/// order, while the next transactions are signed and stored; those then go out together in one JSON-RPC batch.
/// </summary>
public sealed partial class ResultSubmitter : BackgroundService, IResultSubmitter
{
    /// <summary>Reverts meaning "nothing left to post for this request" (settled, cancelled, unknown, our vote is in).</summary>
    internal static readonly HashSet<string> NotNeededErrors = new(StringComparer.Ordinal)
    {
        "InferenceOracleNotPending", "InferenceOracleUnknownRequest", "InferenceOracleRequestMismatch", "InferenceOracleDuplicateCommitment",
    };

    private readonly ChainContext _context;
    private readonly INonceStore _nonces;
    private readonly IOutboundTransactionStore _transactions;
    private readonly TimeProvider _time;
    private readonly ILogger<ResultSubmitter> _logger;
    /// <summary>How long a filling batch waits for the next result before it goes as it is (at most the window).</summary>
    internal static readonly TimeSpan MaxIdleGap = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a result arriving alone under light load waits for results handed in with it.</summary>
    internal static readonly TimeSpan LoneResultGrace = TimeSpan.FromMilliseconds(5);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Most transactions broadcast in one JSON-RPC batch request (those stored while the previous broadcast
    /// was out).</summary>
    internal const int MaxBroadcastBatch = 8;

    // Prepared transactions waiting for the send loop, which stores them while the previous broadcast is out and sends
    // them together. A simulated one (a lone result, simulated while nothing waited behind it) may wait here behind a
    // few others; what changes meanwhile is caught on chain, as for an unsimulated result (the receipt tracker records
    // a revert as settled elsewhere).
    private readonly Channel<PreparedSend> _prepared = Channel.CreateBounded<PreparedSend>(
        new BoundedChannelOptions(MaxBroadcastBatch) { SingleReader = true, SingleWriter = true });

    private bool _broadcastBatchesRefused; // the endpoint refused a batch: one request per transaction from then on

    // Requests handed to the send loop, until their transaction is stored (or refused).
    private readonly Dictionary<RequestKey, Task<SubmissionReceipt>> _inFlight = [];

    /// <summary>How long one fee quote (eth_feeHistory + eth_maxPriorityFeePerGas) is reused. The max fee carries twice
    /// the base fee as headroom, far more than a second can move it. Past half its life a fresh quote is fetched in the
    /// background, so under steady load the send loop never waits for one.</summary>
    internal static readonly TimeSpan FeeQuoteLifetime = TimeSpan.FromSeconds(1);

    private readonly CachedReading<Fees> _feeQuote;

    // Size of the batch sent last: tells light load (send at once) from heavy (wait the window for company).
    private int _lastBatchSize;
    private readonly FeePolicy _fees;
    private readonly byte[] _runtime = Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(RuntimeDescriptor.Current));
    private TransactionSender? _sender;
    private StoredNonceSource? _nonceSource;

    // Set when a nonce was reserved but its transaction was neither stored nor sent (the database failed in between):
    // the next batch checks for the gap it may have left.
    private volatile bool _gapSuspected;

    private readonly IOracleMetrics _metrics;
    private readonly OperatorStanding _standing;
    private bool? _heldForStanding; // null until the first reading

    public ResultSubmitter(ChainContext context, INonceStore nonces, IOutboundTransactionStore transactions, TimeProvider time, ILogger<ResultSubmitter> logger,
        IOracleMetrics? metrics = null)
    {
        _metrics = metrics ?? NullOracleMetrics.Instance;
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _nonces = nonces;
        _transactions = transactions;
        _time = time;
        _logger = logger;
        _fees = new FeePolicy { MaxFeePerGasCap = context.Options.MaxFeePerGasWei };
        _standing = new OperatorStanding(context, time);
        _feeQuote = new CachedReading<Fees>(FeeQuoteLifetime, time);
    }

    /// <summary>keccak256 of <see cref="RuntimeDescriptor.Current"/>: the runtime field of every commitment.</summary>
    public ReadOnlySpan<byte> Runtime => _runtime;

    /// <inheritdoc />
    /// <remarks>Each result is queued on its own; with several results the receipt of the first is returned (every
    /// transaction is recorded per request in the outbound store).</remarks>
    public async Task<SubmissionReceipt> SubmitAsync(IReadOnlyList<ResultSubmission> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ArgumentException("nothing to submit", nameof(results));
        var identity = await _context.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
        // What the prepare loop will ask the chain for (the operator's standing, a fee quote) is fetched now if stale,
        // instead of when the batch is prepared: after an idle spell both are, and each is a chain call.
        _standing.Prefetch(identity);
        _feeQuote.Prefetch(SuggestFeesAsync);
        var pending = results.Select(r => new Pending(r)).ToArray();
        foreach (var p in pending)
        {
            // Closed once the loops have stopped (the node is shutting down): nobody would ever answer.
            if (!_queue.Writer.TryWrite(p))
                throw new InvalidOperationException("the result submitter has stopped (the node is shutting down); the result is submitted after the restart");
        }
        var receipts = await Task.WhenAll(pending.Select(p => p.Done.Task.WaitAsync(cancellationToken))).ConfigureAwait(false);
        return receipts[0];
    }

    /// <summary>
    /// Two loops in a pipeline: one gathers a batch, checks what was already sent and prepares it (gas, simulation);
    /// the other prices, takes the nonce, signs, stores and broadcasts. While one batch is being sent the next is being
    /// prepared, and nonces stay in broadcast order because only the second loop takes them.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sending = SendLoopAsync(stoppingToken);
        try
        {
            await PrepareLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _prepared.Writer.TryComplete();
        }
        await sending.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Closes the queue once the loops are gone (or never ran: a host stopped right after starting cancels the
    /// background task before it begins), so a result still queued is cancelled and one handed in later is refused
    /// instead of waiting for them forever (its job would hold up the shutdown drain until it gave up).</remarks>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var p)) p.Done.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task PrepareLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            await WarmUpAsync(stoppingToken).ConfigureAwait(false);
            while (true)
            {
                batch.Clear();
                batch.Add(await _queue.Reader.ReadAsync(stoppingToken).ConfigureAwait(false));
                await FillAsync(batch, stoppingToken).ConfigureAwait(false);
                _lastBatchSize = batch.Count;
                await ProcessAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // What is still queued, and what arrives from now on, is refused by StopAsync.
            foreach (var p in batch) p.Done.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>Reconciles the nonce before the first result arrives, so the first batch does not wait for it. A failure
    /// here is only logged: the first batch tries again (and hands any error to its callers).</summary>
    private async Task WarmUpAsync(CancellationToken stoppingToken)
    {
        try
        {
            await EnsureSenderAsync(await _context.GetIdentityAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // retried by the first batch
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogWarmUpFailed(e.Message);
        }
    }

    /// <summary>
    /// Stores each prepared transaction and broadcasts it, one broadcast request at a time and in nonce order, with the
    /// next transactions priced, signed and stored while the previous broadcast is still out: on an automining devnet
    /// (and with a slow endpoint) the broadcast is most of a transaction's time, and the database work no longer waits
    /// behind it. What was stored meanwhile (up to <see cref="MaxBroadcastBatch"/>) goes out together, in nonce order,
    /// in one JSON-RPC batch request: the round trip is paid once for all of them.
    /// </summary>
    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        Task? broadcasting = null;
        var ready = new List<StoredSend>();
        try
        {
            await foreach (var send in _prepared.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (await StoreAsync(send, stoppingToken).ConfigureAwait(false) is { } stored) ready.Add(stored);
                while (broadcasting is { IsCompleted: false } && ready.Count < MaxBroadcastBatch && _prepared.Reader.TryRead(out var next))
                {
                    if (await StoreAsync(next, stoppingToken).ConfigureAwait(false) is { } more) ready.Add(more);
                }
                if (broadcasting is not null) await broadcasting.ConfigureAwait(false);
                broadcasting = ready.Count == 0 ? null : BroadcastAsync(ready.ToArray(), stoppingToken);
                ready.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stored but not broadcast: the receipt tracker rebroadcasts them after the restart.
            foreach (var stored in ready)
                foreach (var p in stored.Send.Items) p.Done.TrySetCanceled(stoppingToken);
            while (_prepared.Reader.TryRead(out var send))
            {
                foreach (var p in send.Items) p.Done.TrySetCanceled(stoppingToken);
                Release(send);
            }
        }
        finally
        {
            // Completes its callers whatever happens (cancelled ones included): nothing to rethrow.
            if (broadcasting is not null) await broadcasting.ConfigureAwait(false);
        }
    }

    private async Task FillAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        var max = _context.Options.MaxBatchSize;
        // Light load (this result and the last batch both alone): waiting the window for company would only add it to
        // the settle latency, so a lone result waits just long enough for results handed in at the same moment (one
        // job's group) to join it. Under load results queue up while a batch is being sent, and the window applies;
        // even then, once none has come for MaxIdleGap the stream has dried up and the batch goes as it is.
        var lone = batch.Count == 1 && _lastBatchSize <= 1;
        var window = lone ? LoneResultGrace : _context.Options.BatchWindow;
        var deadline = _time.GetUtcNow() + window;
        var idleGap = lone ? LoneResultGrace : TimeSpan.FromTicks(Math.Min(MaxIdleGap.Ticks, window.Ticks));
        while (batch.Count < max)
        {
            if (_queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero) return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(remaining < idleGap ? remaining : idleGap);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ProcessAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        ChainIdentity identity;
        try
        {
            identity = await _context.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
            await EnsureSenderAsync(identity, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            foreach (var p in batch) p.Done.TrySetException(e);
            return;
        }

        // One entry per request: a request queued twice (a re-run job) shares the answer.
        var firsts = new List<Pending>();
        foreach (var group in batch.GroupBy(p => p.Result.Request.Key))
        {
            var first = group.First();
            foreach (var twin in group.Skip(1)) _ = Forward(first.Done.Task, twin.Done);
            // Handed to the send loop but maybe not stored yet (so the store cannot tell): share that answer.
            Task<SubmissionReceipt>? inFlight;
            lock (_inFlight) inFlight = _inFlight.GetValueOrDefault(group.Key);
            if (inFlight is not null) _ = Forward(inFlight, first.Done);
            else firsts.Add(first);
        }
        // One query checks the whole batch for transactions already sent (a re-run job), not one per request.
        IReadOnlyDictionary<RequestKey, IReadOnlyList<OutboundTransaction>> carriers;
        try
        {
            carriers = await _transactions.ListForRequestsAsync(firsts.Select(p => p.Result.Request.Key).ToArray(), cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            foreach (var p in firsts) p.Done.TrySetException(e);
            return;
        }
        var fresh = new List<Pending>();
        foreach (var p in firsts)
        {
            if (LiveTransaction(carriers[p.Result.Request.Key]) is { } transaction) p.Done.TrySetResult(new SubmissionReceipt(transaction.Hash, transaction.Nonce));
            else fresh.Add(p);
        }

        if (fresh.Count == 0 || !await OperatorMaySendAsync(identity, fresh, cancellationToken).ConfigureAwait(false)) return;

        // Gas limits come from FulfilmentGasModel, not eth_estimateGas: under load the chain's time is what every
        // result waits for, and an estimate runs the call at least twice more. fulfilBatch never reverts as a whole (a
        // refused item is skipped with FulfilmentRejected), so simulating a batch would tell nothing the receipt does
        // not. A single fulfil or failure report reverts when it is not needed (settled elsewhere, cancelled), and is
        // simulated once (eth_call) first, when that is free: while no other result waits behind it. Under load a
        // simulation is a second execution of the same call on the chain, which every result behind it waits for (a
        // fifth of the unbatched rate on the devnet); then it goes like a batch does, unsimulated, and one that is not
        // needed is mined, reverts, and the receipt tracker records the request as settled elsewhere.
        var failures = fresh.Count(p => !p.Result.Outcome.IsSuccess);
        var simulate = !_queue.Reader.TryPeek(out _) && (failures == 0 || failures == fresh.Count) && failures <= 1;
        foreach (var failure in fresh.Where(p => !p.Result.Outcome.IsSuccess))
        {
            var report = FailureReport(identity, failure.Result);
            await PrepareAsync(identity, [failure], InferenceOracleContract.EncodeReportFailure(report), FulfilmentGasModel.ReportFailure(report),
                simulate, cancellationToken).ConfigureAwait(false);
        }

        var fulfilments = fresh.Where(p => p.Result.Outcome.IsSuccess).ToList();
        if (fulfilments.Count == 1)
        {
            var fulfilment = Fulfilment(identity, fulfilments[0].Result);
            await PrepareAsync(identity, fulfilments, InferenceOracleContract.EncodeFulfil(fulfilment), FulfilmentGasModel.Fulfil(fulfilment),
                simulate, cancellationToken).ConfigureAwait(false);
        }
        else if (fulfilments.Count > 1)
        {
            await PrepareBatchAsync(identity, fulfilments, SignAll(identity, fulfilments), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>False (and the results refused with <see cref="OperatorInactiveException"/>, which their jobs retry) while
    /// the operator is not active: every transaction would be mined and refused, gas spent for nothing.</summary>
    private async Task<bool> OperatorMaySendAsync(ChainIdentity identity, List<Pending> fresh, CancellationToken cancellationToken)
    {
        Exception? refusal = null;
        try
        {
            if (!await _standing.IsActiveAsync(identity, cancellationToken).ConfigureAwait(false))
            {
                refusal = new OperatorInactiveException(
                    $"operator {identity.Operator} is not active in the OperatorRegistry (not registered, unbonding, or below the minimum stake); results are held until it is");
            }
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            refusal = e;
        }
        // Logged and reported when the standing changes, not for every batch held back.
        var inactive = refusal is OperatorInactiveException;
        if ((refusal is null || inactive) && _heldForStanding != inactive)
        {
            if (inactive) LogOperatorInactive(identity.Operator.ToString());
            else if (_heldForStanding is not null) LogOperatorActive(identity.Operator.ToString());
            _heldForStanding = inactive;
            _metrics.OperatorActive(!inactive);
        }
        if (refusal is null) return true;
        foreach (var p in fresh) p.Done.TrySetException(refusal);
        return false;
    }

    /// <summary>Hands a batch to the send loop, split in halves while its modelled gas exceeds what one transaction may
    /// carry (large batches of large callbacks). It goes as <c>fulfilBatchPacked</c>: a third of the calldata, which is
    /// gas on every chain and most of what a devnet spends on a batch. Items the packed encoding cannot carry (request
    /// ids from 2^64 on, an output whose length is not its request's outputBytes) go as <c>fulfilBatch</c>.</summary>
    private async Task PrepareBatchAsync(ChainIdentity identity, IReadOnlyList<Pending> pending, IReadOnlyList<InferenceOracleContract.Fulfilment> items,
        CancellationToken cancellationToken)
    {
        var calldata = PackedFulfilmentBatch.WhyNotPackable(items) is null
            ? InferenceOracleContract.EncodeFulfilBatchPacked(PackedFulfilmentBatch.Encode(items))
            : InferenceOracleContract.EncodeFulfilBatch(items);
        var gas = FulfilmentGasModel.Batch(items, calldata);
        if (gas > FulfilmentGasModel.TransactionGasCap && items.Count > 1)
        {
            var half = items.Count / 2;
            await PrepareBatchAsync(identity, pending.Take(half).ToArray(), items.Take(half).ToArray(), cancellationToken).ConfigureAwait(false);
            await PrepareBatchAsync(identity, pending.Skip(half).ToArray(), items.Skip(half).ToArray(), cancellationToken).ConfigureAwait(false);
            return;
        }
        await PrepareAsync(identity, pending, calldata, gas, simulate: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task Forward(Task<SubmissionReceipt> source, TaskCompletionSource<SubmissionReceipt> target)
    {
        try
        {
            target.TrySetResult(await source.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            target.TrySetCanceled();
        }
#pragma warning disable CA1031
        catch (Exception e)
#pragma warning restore CA1031
        {
            target.TrySetException(e);
        }
    }

    /// <summary>A pending or mined transaction already carrying the request: what makes a re-run job safe.</summary>
    private static OutboundTransaction? LiveTransaction(IReadOnlyList<OutboundTransaction> carriers) =>
        carriers.LastOrDefault(t => t.Status is OutboundTransactionStatus.Pending or OutboundTransactionStatus.Mined);

    private async Task EnsureSenderAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        if (_sender is not null) return;
        var nonceSource = new StoredNonceSource(_nonces, _context.Rpc, identity.ChainId);
        var next = await nonceSource.ReconcileAsync(identity.Operator, cancellationToken).ConfigureAwait(false);
        LogNonceReconciled(identity.Operator.ToString(), next);
        _nonceSource = nonceSource;
        _sender = new TransactionSender(_context.Rpc, _context.Key.Key, identity.ChainId, nonceSource, _fees, KnownErrors.Abi, _time);
    }

    /// <summary>
    /// After a reservation that produced no transaction, the counter may be ahead of the chain with nothing of ours
    /// holding the chain's next nonce: every later transaction would wait behind that hole. Move the counter back to
    /// the chain's pending count then (a stored, unsent transaction holding that nonce is no hole: the tracker sends it).
    /// </summary>
    private async Task CloseNonceGapAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var operatorText = identity.OperatorText();
        var chainNext = await _context.Rpc.GetTransactionCountAsync(identity.Operator, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
        var storedNext = await _nonces.PeekAsync(identity.ChainId, operatorText, cancellationToken).ConfigureAwait(false);
        if (storedNext > chainNext)
        {
            var pending = await _transactions.ListByStatusAsync(identity.ChainId, operatorText, OutboundTransactionStatus.Pending, cancellationToken)
                .ConfigureAwait(false);
            if (!pending.Any(t => t.Nonce == chainNext))
            {
                await _nonces.ReconcileAsync(identity.ChainId, operatorText, chainNext, allowLower: true, cancellationToken).ConfigureAwait(false);
                LogNonceReconciled(identity.Operator.ToString(), chainNext);
            }
        }
        _gapSuspected = false;
    }

    /// <summary>Simulates the call if asked and hands it to the send loop; a refusal completes the items' tasks here.</summary>
    private async Task PrepareAsync(ChainIdentity identity, IReadOnlyList<Pending> items, byte[] data, ulong gas, bool simulate, CancellationToken cancellationToken)
    {
        try
        {
            if (simulate) await _sender!.SimulateAsync(new TransactionCall(identity.Oracle, data), cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertedException e) when (e.Stage == RevertStage.Simulation && e.ErrorName is { } name && NotNeededErrors.Contains(name))
        {
            LogNotNeeded(string.Join(", ", items.Select(p => p.Result.Request.Key.ToString())), name);
            foreach (var p in items) p.Done.TrySetException(new SubmissionNotNeededException($"the oracle refused the result: {e.Reason}", e));
            return;
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogSendFailed(string.Join(", ", items.Select(p => p.Result.Request.Key.ToString())), e);
            foreach (var p in items) p.Done.TrySetException(e);
            return;
        }
        var send = new PreparedSend(identity, items, data, gas);
        lock (_inFlight)
        {
            foreach (var p in items) _inFlight[p.Result.Request.Key] = p.Done.Task;
        }
        try
        {
            await _prepared.Writer.WriteAsync(send, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release(send);
            throw;
        }
    }

    /// <summary>Prices, takes the nonce, signs and stores; returns the stored transaction, or null after completing the
    /// items' tasks with the error.</summary>
    private async Task<StoredSend?> StoreAsync(PreparedSend send, CancellationToken cancellationToken)
    {
        try
        {
            if (_gapSuspected) await CloseNonceGapAsync(send.Identity, cancellationToken).ConfigureAwait(false);
            var fees = await FeesWithinCapAsync(cancellationToken).ConfigureAwait(false);
            return await SignAndStoreAsync(send, fees, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var p in send.Items) p.Done.TrySetCanceled(cancellationToken);
            throw;
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogSendFailed(string.Join(", ", send.Items.Select(p => p.Result.Request.Key.ToString())), e);
            foreach (var p in send.Items) p.Done.TrySetException(e);
            return null;
        }
        finally
        {
            // Stored (or refused) by now: from here the store answers for these requests.
            Release(send);
        }
    }

    private void Release(PreparedSend send)
    {
        lock (_inFlight)
        {
            foreach (var p in send.Items)
                if (_inFlight.TryGetValue(p.Result.Request.Key, out var t) && t == p.Done.Task) _inFlight.Remove(p.Result.Request.Key);
        }
    }

    private async Task<StoredSend> SignAndStoreAsync(PreparedSend send, Fees fees, CancellationToken cancellationToken)
    {
        var identity = send.Identity;
        var nonce = await _nonces.ReserveNextAsync(identity.ChainId, identity.OperatorText(), cancellationToken).ConfigureAwait(false);
        var signed = _sender!.Sign(new TransactionCall(identity.Oracle, send.Data), nonce, send.Gas, fees);
        var record = new OutboundTransaction(identity.ChainId, identity.OperatorText(), identity.OracleText, nonce, signed.Hash,
            signed.Raw.ToArray(), fees.MaxFeePerGas, fees.MaxPriorityFeePerGas, send.Gas, OutboundTransactionStatus.Pending,
            send.Items.Select(p => p.Result.Request.Key).ToArray(), _time.GetUtcNow());
        try
        {
            await _transactions.AddAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _gapSuspected = true;
            throw;
        }
        return new StoredSend(send, fees, record);
    }

    /// <summary>Broadcasts stored transactions in nonce order, several in one JSON-RPC batch request, and completes their
    /// items' tasks. Each answer is then handled exactly as the answer to a broadcast of its own. Never throws.</summary>
    private async Task BroadcastAsync(IReadOnlyList<StoredSend> stored, CancellationToken cancellationToken)
    {
        IReadOnlyList<Action>? answers = null;
        if (stored.Count > 1 && !_broadcastBatchesRefused)
        {
            try
            {
                var responses = await _context.Rpc.BatchAsync(
                    stored.Select(s => new RpcRequest("eth_sendRawTransaction", Hex.Encode(s.Record.RawTransaction))).ToArray(), cancellationToken)
                    .ConfigureAwait(false);
                answers = responses.Select(r => (Action)(() => r.GetResultOrThrow())).ToArray();
            }
            // The endpoint does not serve batches (a JSON-RPC error for the batch as a whole, or a 4xx): nothing was
            // sent; one request per transaction from now on.
            catch (Exception e) when (e is RpcErrorException { Method: "batch" } or RpcTransportException { IsTransient: false, HttpStatus: >= 400 and < 500 })
            {
                _broadcastBatchesRefused = true;
                LogBroadcastBatchesRefused(e.Message);
            }
#pragma warning disable CA1031 // handed to each transaction, as its own broadcast's failure
            catch (Exception e)
#pragma warning restore CA1031
            {
                // What happened to the request (it may or may not have arrived; the node is stopping) happened to each
                // transaction in it: each handles it as the failure of a broadcast of its own.
                var failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                answers = stored.Select(_ => (Action)failure.Throw).ToArray();
            }
        }
        for (var i = 0; i < stored.Count; i++) await BroadcastAsync(stored[i], answers?[i], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Broadcasts a stored transaction (or takes <paramref name="answer"/>, which returns or throws what its
    /// broadcast in a batch got) and completes the items' tasks with the receipt or the error. Never throws.</summary>
    private async Task BroadcastAsync(StoredSend stored, Action? answer, CancellationToken cancellationToken)
    {
        var items = stored.Send.Items;
        try
        {
            var receipt = await BroadcastCoreAsync(stored, answer, cancellationToken).ConfigureAwait(false);
            foreach (var p in items) p.Done.TrySetResult(receipt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stored: the receipt tracker rebroadcasts it after the restart, and the re-run jobs find it.
            foreach (var p in items) p.Done.TrySetCanceled(cancellationToken);
        }
#pragma warning disable CA1031 // handed to the callers, who retry
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSendFailed(string.Join(", ", items.Select(p => p.Result.Request.Key.ToString())), e);
            foreach (var p in items) p.Done.TrySetException(e);
        }
    }

    private async Task<SubmissionReceipt> BroadcastCoreAsync(StoredSend stored, Action? answer, CancellationToken cancellationToken)
    {
        var identity = stored.Send.Identity;
        for (var attempt = 1; ; attempt++)
        {
            var record = stored.Record;
            try
            {
                // The first attempt's answer may have come in a batch; a retry (re-signed) is sent on its own.
                if (attempt == 1 && answer is not null) answer();
                else await _context.Rpc.SendRawTransactionAsync(record.RawTransaction, cancellationToken).ConfigureAwait(false);
            }
            catch (ContractRevertException)
            {
                // An automining devnet ran it inside eth_sendRawTransaction and it reverted: it is mined (nonce spent);
                // the receipt tracker records the outcome.
            }
            catch (RpcErrorException e) when (BroadcastErrors.IsAlreadyKnown(e))
            {
            }
            catch (RpcErrorException e) when (BroadcastErrors.IsNonceTooLow(e) && attempt < 3)
            {
                // Someone used this nonce (another process with the same key, or state lost): skip ahead and retry.
                await _transactions.SetStatusAsync(identity.ChainId, record.Hash, OutboundTransactionStatus.Dropped, null, CancellationToken.None).ConfigureAwait(false);
                await _nonceSource!.ReconcileAsync(identity.Operator, cancellationToken).ConfigureAwait(false);
                stored = await SignAndStoreAsync(stored.Send, stored.Fees, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (RpcErrorException)
            {
                // Refused: it will never be mined, so its nonce must not stay reserved.
                await _transactions.SetStatusAsync(identity.ChainId, record.Hash, OutboundTransactionStatus.Dropped, null, CancellationToken.None).ConfigureAwait(false);
                await _nonceSource!.ReleaseAsync(identity.Operator, record.Nonce, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (RpcTransportException e)
            {
                // It may or may not have arrived; it is stored, and the receipt tracker rebroadcasts it if it never mines.
                LogBroadcastUncertain(Hex.Encode(record.Hash), e.Message);
            }
            LogSent(Hex.Encode(record.Hash), record.Nonce, stored.Send.Items.Count, MethodOf(stored.Send.Data));
            return new SubmissionReceipt(record.Hash, record.Nonce);
        }
    }

    /// <summary>Today's fees, waiting while the market is above <see cref="ChainOptions.MaxFeePerGasGwei"/>: a result
    /// that arrives late is better than one that burns the operator's funds (the callers keep waiting; a restarted job
    /// finds the transaction once it is sent).</summary>
    private async Task<Fees> FeesWithinCapAsync(CancellationToken cancellationToken)
    {
        for (var waits = 0; ; waits++)
        {
            try
            {
                var fees = await _feeQuote.GetAsync(SuggestFeesAsync, cancellationToken).ConfigureAwait(false);
                if (waits > 0) _metrics.FeeCapWaiting("submitter", false);
                _feeQuote.Prefetch(SuggestFeesAsync);
                return fees;
            }
            catch (FeeCapExceededException e)
            {
                if (waits == 0) _metrics.FeeCapWaiting("submitter", true);
                if (waits % 30 == 0) LogFeeCapWait(e.Message);
                await Task.Delay(_context.Options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A quote is shared by concurrent callers, so not cancellable by one of them (the RPC client's timeout bounds it).
    private Task<Fees> SuggestFeesAsync() => _fees.SuggestAsync(_context.Rpc, CancellationToken.None);

    /// <summary>
    /// Signs a batch's fulfilments side by side, when the batch is prepared (while the previous one is being sent), and
    /// only those that will be sent. Signing each result as it was handed in instead queued a burst's signatures on
    /// the thread pool all at once, where each job's were taken newest first: the first batch waited for nearly the
    /// whole burst to be signed.
    /// </summary>
    private InferenceOracleContract.Fulfilment[] SignAll(ChainIdentity identity, List<Pending> fulfilments)
    {
        var items = new InferenceOracleContract.Fulfilment[fulfilments.Count];
        Parallel.For(0, items.Length, i => items[i] = Fulfilment(identity, fulfilments[i].Result));
        return items;
    }

    private InferenceOracleContract.Fulfilment Fulfilment(ChainIdentity identity, ResultSubmission result)
    {
        var request = result.Request;
        var output = result.Outcome.Output!;
        var signature = CommitmentSigning.SignCommitment(_context.Key.Key, identity.Domain, request.Key.RequestId, request.Request.ModelId,
            request.Request.InputHash, Keccak256.Hash(output), _runtime);
        return new InferenceOracleContract.Fulfilment(request.Key.RequestId, RequestEvents.ToContract(request.Request), output, _runtime, signature.ToBytes());
    }

    private InferenceOracleContract.FailureReport FailureReport(ChainIdentity identity, ResultSubmission result)
    {
        var request = result.Request;
        var reason = (ushort)result.Outcome.Failure!.Value;
        var signature = CommitmentSigning.SignFailure(_context.Key.Key, identity.Domain, request.Key.RequestId, request.Request.ModelId,
            request.Request.InputHash, reason, _runtime);
        return new InferenceOracleContract.FailureReport(
            request.Key.RequestId, RequestEvents.ToContract(request.Request), new BigInteger(reason), _runtime, signature.ToBytes());
    }

    /// <summary>The oracle function <paramref name="calldata"/> calls, for the log.</summary>
    private static string MethodOf(byte[] calldata)
    {
        var selector = calldata.AsSpan(0, 4);
        return selector.SequenceEqual(InferenceOracleContract.FulfilBatchPackedFunction.Selector) ? "fulfilBatchPacked"
            : selector.SequenceEqual(InferenceOracleContract.FulfilBatchFunction.Selector) ? "fulfilBatch"
            : selector.SequenceEqual(InferenceOracleContract.FulfilFunction.Selector) ? "fulfil"
            : "reportFailure";
    }

    /// <summary>A prepared call with the results it carries, waiting for a nonce.</summary>
    private sealed record PreparedSend(ChainIdentity Identity, IReadOnlyList<Pending> Items, byte[] Data, ulong Gas);

    /// <summary>A prepared call signed and stored, waiting for its broadcast.</summary>
    private sealed record StoredSend(PreparedSend Send, Fees Fees, OutboundTransaction Record);

    /// <summary>A result waiting for its batch, and its caller waiting for the transaction that carries it.</summary>
    private sealed class Pending(ResultSubmission result)
    {
        public ResultSubmission Result { get; } = result;

        public TaskCompletionSource<SubmissionReceipt> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 5208, Level = LogLevel.Warning,
        Message = "Operator {Operator} is not active in the OperatorRegistry: results are held (their jobs retry) until it is")]
    private partial void LogOperatorInactive(string @operator);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Information, Message = "Operator {Operator} is active again: sending results")]
    private partial void LogOperatorActive(string @operator);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "Could not reconcile the operator nonce at start ({Error}); the first submission tries again")]
    private partial void LogWarmUpFailed(string error);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Sent {TxHash} (nonce {Nonce}, {Method}, {Count} results)")]
    private partial void LogSent(string txHash, ulong nonce, int count, string method);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Requests {RequestKeys} need no submission: {Error}")]
    private partial void LogNotNeeded(string requestKeys, string error);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Submitting {RequestKeys} failed; the job retries")]
    private partial void LogSendFailed(string requestKeys, Exception exception);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Warning,
        Message = "The RPC endpoint refused a batch of transactions ({Error}); sending them one request each from now on")]
    private partial void LogBroadcastBatchesRefused(string error);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Broadcast of {TxHash} may not have arrived ({Error}); it will be rebroadcast if it does not mine")]
    private partial void LogBroadcastUncertain(string txHash, string error);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "Not sending results while fees are above the cap: {Reason}; waiting")]
    private partial void LogFeeCapWait(string reason);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "Operator {Operator}: next nonce {Nonce} after reconciling with the chain")]
    private partial void LogNonceReconciled(string @operator, ulong nonce);
}

/// <summary>How nodes word the broadcast refusals that need special handling (geth, Hardhat/EDR, anvil).</summary>
internal static class BroadcastErrors
{
    public static bool IsNonceTooLow(RpcErrorException e) =>
        e.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase);

    public static bool IsAlreadyKnown(RpcErrorException e) =>
        e.RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("known transaction", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase);
}
