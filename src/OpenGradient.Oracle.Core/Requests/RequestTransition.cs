using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Requests;

/// <summary>An event that moves a request from one <see cref="RequestStatus"/> to another.</summary>
public abstract record RequestTransition
{
    private protected RequestTransition() { }

    /// <summary>Discovered → Inferring: an inference job took the request.</summary>
    public sealed record BeginInference : RequestTransition;

    /// <summary>Discovered | Inferring → Inferred.</summary>
    public sealed record CompleteInference(InferenceOutcome Outcome) : RequestTransition;

    /// <summary>Inferred → Submitting: a submission job took the request.</summary>
    public sealed record BeginSubmission : RequestTransition;

    /// <summary>Submitting → Submitted.</summary>
    public sealed record RecordSubmission(SubmissionRecord Submission) : RequestTransition;

    /// <summary>
    /// Inferred | Submitting | Submitted → Inferred with a new outcome (e.g. <see cref="FailureReason.RetriesExhausted"/>
    /// after submitting kept failing, or a dropped transaction): the submission is forgotten and a new one follows.
    /// </summary>
    public sealed record ReviseOutcome(InferenceOutcome Outcome, string? Reason = null) : RequestTransition;

    /// <summary>Submitted → Settled: our transaction settled the request.</summary>
    public sealed record Settle : RequestTransition;

    /// <summary>Submitted → FailedOnChain: our transaction was mined but rejected the result.</summary>
    public sealed record FailOnChain(string Reason) : RequestTransition;

    /// <summary>Any non-terminal → Orphaned: a reorg removed the request's log.</summary>
    public sealed record Orphan(string Reason) : RequestTransition;

    /// <summary>Any non-terminal → SettledElsewhere: the request is no longer pending on-chain.</summary>
    public sealed record ObserveSettledElsewhere(string Reason) : RequestTransition;

    /// <summary>The transition's name as used in messages and logs.</summary>
    public string Name => GetType().Name;
}

/// <summary>Raised when a transition is not allowed from the current status. A bug or a race; never retried blindly.</summary>
public sealed class InvalidRequestTransitionException : InvalidOperationException
{
    public InvalidRequestTransitionException(RequestStatus from, RequestTransition transition)
        : base($"cannot apply {transition.Name} to a request in {from}; {transition.Name} is allowed from: "
               + string.Join(", ", RequestStateMachine.AllowedFrom(transition)))
    {
        From = from;
        TransitionName = transition.Name;
    }

    public InvalidRequestTransitionException() { }

    public InvalidRequestTransitionException(string message) : base(message) { }

    public InvalidRequestTransitionException(string message, Exception inner) : base(message, inner) { }

    public RequestStatus From { get; }

    public string TransitionName { get; } = "";
}
