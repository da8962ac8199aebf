using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>
/// Queues work for stored requests without knowing the job system. A job does whatever the stored state of each of its
/// requests still needs (inference, then submission), so enqueueing a request twice, or in any state, is harmless.
/// </summary>
public interface IJobScheduler
{
    /// <summary>Queues <paramref name="keys"/>, grouped into jobs of a bounded size (requests in one job share a
    /// submission batch). Returns the job ids, for logs.</summary>
    IReadOnlyList<string> Enqueue(IReadOnlyList<RequestKey> keys);
}
