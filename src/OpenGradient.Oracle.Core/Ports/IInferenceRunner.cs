using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>Runs a model on a request's input (implemented by Inference).</summary>
public interface IInferenceRunner
{
    /// <summary>
    /// Returns the output, or a typed failure for expected bad input (malformed input, unknown model, NaN, ...).
    /// Throws for transient faults (model file server down, ...): the job retries those and, when the retry budget is
    /// spent, reports <see cref="Models.FailureReason.RetriesExhausted"/>.
    /// </summary>
    Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default);
}
