using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>Turns a request whose job ran out of retries into a RETRIES_EXHAUSTED failure report, so it is never dropped.</summary>
internal sealed partial class RetriesExhaustedHandler(
    IRequestStore store, IJobScheduler scheduler, IOracleMetrics metrics, ILogger<RetriesExhaustedHandler> logger)
{
    private static readonly InferenceOutcome Exhausted = InferenceOutcome.Failed(FailureReason.RetriesExhausted);

    /// <summary>Returns false when there is nothing left to fall back to (reporting the failure itself kept failing).
    /// The stored status says which step ran out: before an outcome it was inference, after it submission.</summary>
    public async Task<bool> HandleAsync(RequestKey key, string error, CancellationToken cancellationToken = default)
    {
        var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null) return true;
        var status = stored.State.Status;

        if (status is RequestStatus.Discovered or RequestStatus.Inferring)
        {
            await store.TransitionAsync(stored, new RequestTransition.CompleteInference(Exhausted), cancellationToken).ConfigureAwait(false);
            metrics.RequestFailed(nameof(FailureReason.RetriesExhausted));
            LogReported(key.ToString(), "inference", error);
            scheduler.Enqueue([key]);
            return true;
        }

        if (status is not (RequestStatus.Inferred or RequestStatus.Submitting)) return true;
        if (stored.State.Outcome?.Failure == FailureReason.RetriesExhausted)
        {
            LogGaveUp(key.ToString(), error);
            return false;
        }
        await store.TransitionAsync(stored, new RequestTransition.ReviseOutcome(Exhausted, "submission retries exhausted: " + error), cancellationToken)
            .ConfigureAwait(false);
        metrics.RequestFailed(nameof(FailureReason.RetriesExhausted));
        LogReported(key.ToString(), "submission", error);
        scheduler.Enqueue([key]);
        return true;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "Request {RequestKey}: {Kind} retries exhausted ({Error}); reporting RETRIES_EXHAUSTED")]
    private partial void LogReported(string requestKey, string kind, string error);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Critical,
        Message = "Request {RequestKey}: even the RETRIES_EXHAUSTED report could not be submitted ({Error}); left failed for an operator")]
    private partial void LogGaveUp(string requestKey, string error);
}
