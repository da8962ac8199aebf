using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Submits one request's outcome. Safe to run twice: it acts only from Inferred or Submitting; from Submitting (a crash
/// after BeginSubmission) it calls the submitter again, which must return the already-broadcast transaction
/// (see <see cref="IResultSubmitter"/>).
/// </summary>
public sealed partial class SubmitResultJob(
    IRequestStore store, IResultSubmitter submitter, IOracleMetrics metrics, ILogger<SubmitResultJob> logger)
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
            case RequestStatus.Inferred:
                stored = await store.TransitionAsync(stored, new RequestTransition.BeginSubmission(), cancellationToken).ConfigureAwait(false);
                break;
            case RequestStatus.Submitting:
                break;
            default:
                LogSkipped(key.ToString(), stored.State.Status);
                return;
        }

        SubmissionReceipt receipt;
        try
        {
            receipt = await submitter.SubmitAsync([new ResultSubmission(stored.Request, stored.State.Outcome!)], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SubmissionNotNeededException e)
        {
            // Terminal: retrying would only hit the same answer from the chain.
            await store.TransitionAsync(stored, new RequestTransition.ObserveSettledElsewhere(e.Message), cancellationToken).ConfigureAwait(false);
            LogNotNeeded(key.ToString(), e.Message);
            metrics.RequestFailed(nameof(RequestStatus.SettledElsewhere));
            return;
        }
        await store.TransitionAsync(stored, new RequestTransition.RecordSubmission(receipt.ToRecord()), cancellationToken).ConfigureAwait(false);
        metrics.RequestsSubmitted();
        using var txScope = RequestLogScope.BeginTransaction(logger, "0x" + Convert.ToHexStringLower(receipt.TransactionHash));
        LogSubmitted(key.ToString(), Convert.ToHexStringLower(receipt.TransactionHash), receipt.Nonce);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Submission job for unknown request {RequestKey}; nothing to do")]
    private partial void LogUnknown(string requestKey);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Request {RequestKey} is {Status}; submission skipped")]
    private partial void LogSkipped(string requestKey, RequestStatus status);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Request {RequestKey} needs no submission: {Reason}")]
    private partial void LogNotNeeded(string requestKey, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Request {RequestKey} submitted in 0x{TxHash} (nonce {Nonce})")]
    private partial void LogSubmitted(string requestKey, string txHash, ulong nonce);
}
