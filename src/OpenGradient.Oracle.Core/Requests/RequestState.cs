using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Requests;

/// <summary>Where a request is in its life on this node. See <see cref="RequestStateMachine"/> for the edges.</summary>
public enum RequestStatus
{
    /// <summary>Seen in a log and stored; inference not started.</summary>
    Discovered = 0,
    /// <summary>An inference job took it; a crash leaves it here and the job runs it again.</summary>
    Inferring = 1,
    /// <summary>An output or a typed failure is known and awaits submission.</summary>
    Inferred = 2,
    /// <summary>A submission job took it; the submitter must be idempotent per request (see IResultSubmitter).</summary>
    Submitting = 3,
    /// <summary>A transaction carrying the result was broadcast.</summary>
    Submitted = 4,
    /// <summary>Terminal: our transaction settled it.</summary>
    Settled = 5,
    /// <summary>Terminal: our transaction was mined but rejected the result.</summary>
    FailedOnChain = 6,
    /// <summary>Terminal: a reorg removed the request's log.</summary>
    Orphaned = 7,
    /// <summary>Terminal: the request is no longer pending on-chain (settled by others, or cancelled).</summary>
    SettledElsewhere = 8,
}

/// <summary>What inference produced: output bytes, or a failure reason that also exists on-chain.</summary>
public sealed record InferenceOutcome
{
    private InferenceOutcome(byte[]? output, FailureReason? failure) => (Output, Failure) = (output, failure);

    /// <summary>The output tensor bytes (wire format), or null for a failure.</summary>
    public byte[]? Output { get; }

    /// <summary>The failure reason, or null for a success.</summary>
    public FailureReason? Failure { get; }

    public bool IsSuccess => Output is not null;

    public static InferenceOutcome Success(byte[] output) =>
        new(output ?? throw new ArgumentNullException(nameof(output)), null);

    public static InferenceOutcome Failed(FailureReason reason) =>
        Enum.IsDefined(reason) ? new(null, reason) : throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown failure reason");

    public override string ToString() => IsSuccess ? $"Success({Output!.Length} bytes)" : $"Failed({Failure})";
}

/// <summary>The transaction that carries a result.</summary>
public sealed record SubmissionRecord(byte[] TransactionHash, ulong Nonce)
{
    public byte[] TransactionHash { get; init; } = OnChainRequest.Bytes32(TransactionHash, nameof(TransactionHash));
}

/// <summary>
/// A request's state: its <see cref="Status"/> plus what the status implies is known. Build new states only through
/// <see cref="RequestStateMachine.Apply"/>.
/// </summary>
public sealed record RequestState
{
    internal RequestState(RequestStatus status, InferenceOutcome? outcome, SubmissionRecord? submission, string? detail)
    {
        Status = status;
        Outcome = outcome;
        Submission = submission;
        Detail = detail;
    }

    public static RequestState Discovered { get; } = new(RequestStatus.Discovered, null, null, null);

    public RequestStatus Status { get; }

    /// <summary>Set from <see cref="RequestStatus.Inferred"/> on (kept through later states when it was known).</summary>
    public InferenceOutcome? Outcome { get; }

    /// <summary>Set in <see cref="RequestStatus.Submitted"/> and the states reached from it.</summary>
    public SubmissionRecord? Submission { get; }

    /// <summary>Free text for operators: why it failed on-chain, which block orphaned it, ...</summary>
    public string? Detail { get; }

    public bool IsTerminal => RequestStateMachine.IsTerminal(Status);

    /// <summary>Rebuilds a state read back from storage; checks that it is one the machine can produce.</summary>
    public static RequestState Restore(RequestStatus status, InferenceOutcome? outcome, SubmissionRecord? submission, string? detail)
    {
        if (!Enum.IsDefined(status)) throw new ArgumentOutOfRangeException(nameof(status), status, "unknown status");
        var needsOutcome = status is RequestStatus.Inferred or RequestStatus.Submitting or RequestStatus.Submitted
            or RequestStatus.Settled or RequestStatus.FailedOnChain;
        if (needsOutcome && outcome is null)
            throw new ArgumentException($"a request in {status} must have an outcome", nameof(outcome));
        var needsSubmission = status is RequestStatus.Submitted or RequestStatus.Settled or RequestStatus.FailedOnChain;
        if (needsSubmission && submission is null)
            throw new ArgumentException($"a request in {status} must have a submission", nameof(submission));
        return new RequestState(status, outcome, submission, detail);
    }
}
