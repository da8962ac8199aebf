namespace OpenGradient.Oracle.Core.Requests;

/// <summary>The one place that decides which status follows which. Pure; storage applies it under a version check.</summary>
public static class RequestStateMachine
{
    private static readonly RequestStatus[] NonTerminal =
    [
        RequestStatus.Discovered, RequestStatus.Inferring, RequestStatus.Inferred, RequestStatus.Submitting,
        RequestStatus.Submitted,
    ];

    public static bool IsTerminal(RequestStatus status) => Array.IndexOf(NonTerminal, status) < 0;

    /// <summary>The statuses from which <paramref name="transition"/> may be applied.</summary>
    public static IReadOnlyList<RequestStatus> AllowedFrom(RequestTransition transition) => transition switch
    {
        RequestTransition.BeginInference => [RequestStatus.Discovered],
        RequestTransition.CompleteInference => [RequestStatus.Discovered, RequestStatus.Inferring],
        RequestTransition.BeginSubmission => [RequestStatus.Inferred],
        RequestTransition.RecordSubmission => [RequestStatus.Submitting],
        RequestTransition.ReviseOutcome => [RequestStatus.Inferred, RequestStatus.Submitting, RequestStatus.Submitted],
        RequestTransition.Settle => [RequestStatus.Submitted],
        RequestTransition.FailOnChain => [RequestStatus.Submitted],
        RequestTransition.Orphan => NonTerminal,
        RequestTransition.ObserveSettledElsewhere => NonTerminal,
        _ => throw new ArgumentException($"unknown transition {transition.GetType().Name}", nameof(transition)),
    };

    public static bool CanApply(RequestStatus from, RequestTransition transition) =>
        AllowedFrom(transition).Contains(from);

    /// <summary>The state after <paramref name="transition"/>, or <see cref="InvalidRequestTransitionException"/>.</summary>
    public static RequestState Apply(RequestState current, RequestTransition transition)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(transition);
        if (!CanApply(current.Status, transition)) throw new InvalidRequestTransitionException(current.Status, transition);
        return transition switch
        {
            RequestTransition.BeginInference => new(RequestStatus.Inferring, null, null, null),
            RequestTransition.CompleteInference t => new(RequestStatus.Inferred, Required(t.Outcome), null, null),
            RequestTransition.BeginSubmission => new(RequestStatus.Submitting, current.Outcome, null, null),
            RequestTransition.RecordSubmission t =>
                new(RequestStatus.Submitted, current.Outcome, t.Submission ?? throw new ArgumentException("submission is required", nameof(transition)), null),
            RequestTransition.ReviseOutcome t => new(RequestStatus.Inferred, Required(t.Outcome), null, t.Reason),
            RequestTransition.Settle => new(RequestStatus.Settled, current.Outcome, current.Submission, null),
            RequestTransition.FailOnChain t => new(RequestStatus.FailedOnChain, current.Outcome, current.Submission, t.Reason),
            RequestTransition.Orphan t => new(RequestStatus.Orphaned, current.Outcome, current.Submission, t.Reason),
            RequestTransition.ObserveSettledElsewhere t =>
                new(RequestStatus.SettledElsewhere, current.Outcome, current.Submission, t.Reason),
            _ => throw new ArgumentException($"unknown transition {transition.GetType().Name}", nameof(transition)),
        };
    }

    private static InferenceOutcome Required(InferenceOutcome? outcome) =>
        outcome ?? throw new ArgumentException("an outcome is required", nameof(outcome));
}
