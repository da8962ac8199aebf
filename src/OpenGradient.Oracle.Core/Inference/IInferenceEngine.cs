namespace OpenGradient.Oracle.Core.Inference;

/// <summary>
/// The node's inference step: model id + registered specs + input bytes → output bytes or a typed failure.
/// Implementations never throw for bad input or a bad model file; they throw <see cref="ArgumentException"/> only
/// for caller bugs (a model id that is not 32 bytes, a spec that fails <c>TensorSpec.Validate()</c>).
/// </summary>
public interface IInferenceEngine
{
    /// <summary>Completes synchronously once the model is loaded (the hot path allocates only the output).</summary>
    ValueTask<InferenceResult> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Resolves and verifies model files ahead of time, e.g. when a model is registered.</summary>
public interface IModelPreloader
{
    /// <summary>Fetches, hash-checks and loads the model; null when it is ready, otherwise why it is not.</summary>
    ValueTask<InferenceFailure?> PreloadAsync(ReadOnlyMemory<byte> modelId, string? uri, CancellationToken cancellationToken = default);
}
