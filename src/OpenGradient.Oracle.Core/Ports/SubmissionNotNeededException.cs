namespace OpenGradient.Oracle.Core.Ports;

/// <summary>
/// Raised by an <see cref="IResultSubmitter"/> when the chain says a result can no longer be posted: the request is
/// already settled (by us or another operator), cancelled, or unknown to the contract. Terminal, never retried: the
/// job records the request as <see cref="Requests.RequestStatus.SettledElsewhere"/>.
/// </summary>
public sealed class SubmissionNotNeededException : Exception
{
    public SubmissionNotNeededException() : this("the request is no longer pending on-chain") { }

    public SubmissionNotNeededException(string message) : base(message) { }

    public SubmissionNotNeededException(string message, Exception inner) : base(message, inner) { }
}
