using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>Queues work for a request without knowing the job system. Enqueueing twice is harmless: jobs check state.</summary>
public interface IJobScheduler
{
    /// <summary>Queues inference for a stored request. Returns the job id (for logs).</summary>
    string EnqueueInference(RequestKey key);

    /// <summary>Queues submission of a stored request's outcome. Returns the job id (for logs).</summary>
    string EnqueueSubmission(RequestKey key);
}
