using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Carries a group of stored requests (one block range's worth, at most <see cref="OracleJobsOptions.RequestsPerJob"/>)
/// through whatever each still needs: inference, then submission. The stored status decides, so the job is safe to run
/// twice and after a crash at any point: Discovered (and Inferring, from older versions) run the model (it is
/// deterministic; only one outcome is recorded), Inferred and Submitting submit (the submitter returns the transaction already broadcast for a request,
/// see <see cref="IResultSubmitter"/>), anything later is left alone.
/// </summary>
/// <remarks>
/// One job and a handful of round trips per group instead of two jobs and several writes per request: under load the
/// job queue and the database, not the model, are what limit the node. All the group's results go to the submitter at
/// once, which is what lets it fill a <c>fulfilBatch</c>. A request that fails on its own does not hold the others
/// back: it is queued again as a job of its own, which then gets the usual retries and, at the end,
/// RETRIES_EXHAUSTED (<see cref="RetriesExhaustedHandler"/>). A job of one request simply throws, and Hangfire retries it.
/// </remarks>
public sealed partial class ProcessRequestsJob(
    IRequestStore store, IInferenceRunner runner, IResultSubmitter submitter, IJobScheduler scheduler, IOracleMetrics metrics,
    TimeProvider time, ILogger<ProcessRequestsJob> logger)
{
    public async Task ExecuteAsync(ulong chainId, string oracle, string[] requestIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        var keys = requestIds.Select(id => JobKeys.Parse(chainId, oracle, id)).ToArray();
        var loaded = await store.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var requests = new List<StoredRequest>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            if (loaded[i] is { } stored) requests.Add(stored);
            else LogUnknown(keys[i].ToString());
        }
        var failures = new List<(RequestKey Key, Exception Error)>();

        requests = await InferAsync(requests, failures, cancellationToken).ConfigureAwait(false);
        await SubmitAsync(requests, failures, cancellationToken).ConfigureAwait(false);

        if (failures.Count == 0) return;
        if (keys.Length == 1) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0].Error);
        foreach (var (key, error) in failures)
        {
            var job = scheduler.Enqueue([key])[0];
            LogSplit(key.ToString(), job, error.GetType().Name + ": " + error.Message);
        }
    }

    /// <summary>Runs the model for every request that needs it and records the outcomes (moving those requests on to
    /// Submitting in the same write); returns the group as stored now.</summary>
    /// <remarks>No write before the model runs: a request goes from Discovered to Submitting in the one write that records
    /// its outcome (Inferring, which an earlier write used to mark, is still run from, for requests stored by older
    /// versions). That write is guarded by the request's version, so of two jobs racing on a request (a re-run while the
    /// first still runs) both may run the deterministic model, one records the outcome and the other leaves the request
    /// to it. The marking write was a quarter of the request writes under load, and on each job's path to its first
    /// submission.</remarks>
    private async Task<List<StoredRequest>> InferAsync(List<StoredRequest> requests, List<(RequestKey, Exception)> failures, CancellationToken cancellationToken)
    {
        var steps = new List<RequestStep>();
        foreach (var request in requests.Where(r => r.State.Status is RequestStatus.Discovered or RequestStatus.Inferring))
        {
            using var scope = RequestLogScope.Begin(logger, request.Key);
            var modelId = "0x" + Convert.ToHexStringLower(request.Request.Request.ModelId);
            using var modelScope = RequestLogScope.BeginModel(logger, modelId);
            var clock = time.GetTimestamp();
            InferenceOutcome outcome;
            try
            {
                outcome = await runner.RunAsync(request.Request, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // any fault of one request is that request's: it is retried on its own
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                failures.Add((request.Key, e));
                continue;
            }
            metrics.InferenceCompleted(modelId, time.GetElapsedTime(clock), outcome.Failure);
            if (outcome.Failure is { } failure) metrics.RequestFailed(failure.ToString());
            LogInferred(request.Key.ToString(), outcome.ToString());
            // Recorded and handed on to submission in one write: the next step is always the submission, and a crash
            // between the two would leave it to a re-run either way (Inferred and Submitting are both submitted).
            steps.Add(new RequestStep(request, new RequestTransition.CompleteInference(outcome), new RequestTransition.BeginSubmission()));
        }
        // A request another job recorded first leaves the group: that job submits it.
        return await ApplyAsync(requests, steps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands every outcome that is ready to the submitter at once and records what happened to each.</summary>
    private async Task SubmitAsync(List<StoredRequest> requests, List<(RequestKey, Exception)> failures, CancellationToken cancellationToken)
    {
        var ready = await MoveAsync(requests, r => r.State.Status == RequestStatus.Inferred, new RequestTransition.BeginSubmission(), cancellationToken)
            .ConfigureAwait(false);
        var submitting = ready.Where(r => r.State.Status == RequestStatus.Submitting).ToArray();
        // All at once, so they can share a batch; an async wrapper turns a submitter that throws before returning its
        // task into a faulted task, handled with the rest below.
        var sends = submitting.Select(r => SendAsync(r, cancellationToken)).ToArray();

        var steps = new List<RequestStep>();
        for (var i = 0; i < submitting.Length; i++)
        {
            var request = submitting[i];
            using var scope = RequestLogScope.Begin(logger, request.Key);
            try
            {
                var receipt = await sends[i].ConfigureAwait(false);
                steps.Add(new RequestStep(request, new RequestTransition.RecordSubmission(receipt.ToRecord())));
                using var txScope = RequestLogScope.BeginTransaction(logger, "0x" + Convert.ToHexStringLower(receipt.TransactionHash));
                LogSubmitted(request.Key.ToString(), Convert.ToHexStringLower(receipt.TransactionHash), receipt.Nonce);
            }
            catch (SubmissionNotNeededException e)
            {
                // Terminal: retrying would only hit the same answer from the chain.
                steps.Add(new RequestStep(request, new RequestTransition.ObserveSettledElsewhere(e.Message)));
                LogNotNeeded(request.Key.ToString(), e.Message);
                metrics.RequestFailed(nameof(RequestStatus.SettledElsewhere));
            }
#pragma warning disable CA1031 // any fault of one request is that request's: it is retried on its own
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                failures.Add((request.Key, e));
            }
        }
        var recorded = await TransitionAsync(steps, cancellationToken).ConfigureAwait(false);
        var submitted = steps.Count(s => s.Transition is RequestTransition.RecordSubmission && recorded.ContainsKey(s.Current.Key));
        if (submitted > 0) metrics.RequestsSubmitted(submitted);
    }

    private async Task<SubmissionReceipt> SendAsync(StoredRequest request, CancellationToken cancellationToken) =>
        await submitter.SubmitAsync([new ResultSubmission(request.Request, request.State.Outcome!)], cancellationToken).ConfigureAwait(false);

    /// <summary>Applies <paramref name="transition"/> to the requests <paramref name="needs"/> picks; returns the whole
    /// group as stored now. A request someone else moved meanwhile leaves the group: that job owns it now.</summary>
    private Task<List<StoredRequest>> MoveAsync(List<StoredRequest> requests, Func<StoredRequest, bool> needs,
        RequestTransition transition, CancellationToken cancellationToken) =>
        ApplyAsync(requests, requests.Where(needs).Select(r => new RequestStep(r, transition)).ToList(), cancellationToken);

    /// <summary>Writes <paramref name="steps"/> (about requests of the group) and returns the whole group as stored now;
    /// a request whose step went stale (someone else moved it) leaves the group.</summary>
    private async Task<List<StoredRequest>> ApplyAsync(List<StoredRequest> requests, List<RequestStep> steps, CancellationToken cancellationToken)
    {
        var moved = await TransitionAsync(steps, cancellationToken).ConfigureAwait(false);
        var stale = steps.Select(s => s.Current.Key).Where(k => !moved.ContainsKey(k)).ToHashSet();
        return requests.Where(r => !stale.Contains(r.Key)).Select(r => moved.TryGetValue(r.Key, out var now) ? now : r).ToList();
    }

    /// <summary>Writes the steps in one round trip; returns the requests that moved (the rest went stale).</summary>
    private async Task<Dictionary<RequestKey, StoredRequest>> TransitionAsync(List<RequestStep> steps, CancellationToken cancellationToken)
    {
        var moved = new Dictionary<RequestKey, StoredRequest>();
        if (steps.Count == 0) return moved;
        var results = await store.TransitionManyAsync(steps, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
        {
            if (results[i] is { } now) moved[now.Key] = now;
            else LogStale(steps[i].Current.Key.ToString(), steps[i].Name);
        }
        return moved;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Job for unknown request {RequestKey}; nothing to do")]
    private partial void LogUnknown(string requestKey);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Request {RequestKey} moved on elsewhere before {Transition}; left to that job")]
    private partial void LogStale(string requestKey, string transition);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Request {RequestKey} inferred: {Outcome}")]
    private partial void LogInferred(string requestKey, string outcome);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Request {RequestKey} failed in a group ({Error}); queued alone as job {JobId}")]
    private partial void LogSplit(string requestKey, string jobId, string error);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Request {RequestKey} needs no submission: {Reason}")]
    private partial void LogNotNeeded(string requestKey, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Request {RequestKey} submitted in 0x{TxHash} (nonce {Nonce})")]
    private partial void LogSubmitted(string requestKey, string txHash, ulong nonce);
}
