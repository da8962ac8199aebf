using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Runs inference for one stored request, records the outcome and queues submission. Safe to run twice: it acts
/// only from Discovered or Inferring (a crash mid-inference leaves Inferring, and running the model again is harmless).
/// </summary>
public sealed partial class RunInferenceJob(
    IRequestStore store, IInferenceRunner runner, IJobScheduler scheduler, IOracleMetrics metrics, TimeProvider time,
    ILogger<RunInferenceJob> logger)
{
    public async Task ExecuteAsync(ulong chainId, string oracle, string requestId, CancellationToken cancellationToken)
    {
        var key = JobKeys.Parse(chainId, oracle, requestId);
        using var scope = RequestLogScope.Begin(logger, key);
        var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            LogUnknown(key.ToString());
            return;
        }

        switch (stored.State.Status)
        {
            case RequestStatus.Discovered:
                stored = await store.TransitionAsync(stored, new RequestTransition.BeginInference(), cancellationToken).ConfigureAwait(false);
                break;
            case RequestStatus.Inferring:
                break;
            case RequestStatus.Inferred:
                // An earlier run recorded the outcome but may have died before queueing the next step.
                scheduler.EnqueueSubmission(key);
                return;
            default:
                LogAlreadyDone(key.ToString(), stored.State.Status);
                return;
        }

        var modelId = "0x" + Convert.ToHexStringLower(stored.Request.Request.ModelId);
        using var modelScope = RequestLogScope.BeginModel(logger, modelId);
        var started = time.GetTimestamp();
        var outcome = await runner.RunAsync(stored.Request, cancellationToken).ConfigureAwait(false);
        metrics.InferenceCompleted(modelId, time.GetElapsedTime(started), outcome.Failure);
        if (outcome.Failure is { } failure) metrics.RequestFailed(failure.ToString());
        await store.TransitionAsync(stored, new RequestTransition.CompleteInference(outcome), cancellationToken).ConfigureAwait(false);
        LogInferred(key.ToString(), outcome.ToString());
        scheduler.EnqueueSubmission(key);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Inference job for unknown request {RequestKey}; nothing to do")]
    private partial void LogUnknown(string requestKey);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Request {RequestKey} is already {Status}; inference skipped")]
    private partial void LogAlreadyDone(string requestKey, RequestStatus status);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Request {RequestKey} inferred: {Outcome}")]
    private partial void LogInferred(string requestKey, string outcome);
}
