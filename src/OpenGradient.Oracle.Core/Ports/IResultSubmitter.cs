using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>One result to post: a fulfilment when the outcome has output, a failure report otherwise.</summary>
public sealed record ResultSubmission(InferenceRequest Request, InferenceOutcome Outcome);

/// <summary>The transaction that carries one or more results.</summary>
public sealed record SubmissionReceipt(byte[] TransactionHash, ulong Nonce)
{
    public SubmissionRecord ToRecord() => new(TransactionHash, Nonce);
}

/// <summary>Signs and broadcasts results (implemented by Chain).</summary>
public interface IResultSubmitter
{
    /// <summary>
    /// Sends <paramref name="results"/> (all for the same chain and oracle) in one transaction (<c>fulfil</c>,
    /// <c>reportFailure</c> or <c>fulfilBatch</c>) and returns once it is broadcast, not mined.
    /// Must be idempotent per request: the caller may crash after broadcasting and call again with the same request, so
    /// an implementation looks up <see cref="IOutboundTransactionStore.ListForRequestAsync"/> and returns the pending
    /// transaction instead of sending a second one. Throws for transient faults (retried by the job).
    /// </summary>
    Task<SubmissionReceipt> SubmitAsync(IReadOnlyList<ResultSubmission> results, CancellationToken cancellationToken = default);
}
