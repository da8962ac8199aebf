using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Inference;

/// <summary>One inference as the chain describes it.</summary>
/// <param name="ModelId">keccak256 of the ONNX file, 32 bytes.</param>
/// <param name="ModelUri">The registry's URI for the file; null or empty when only the local model folder is used.</param>
/// <param name="InputSpec">The registered input spec.</param>
/// <param name="OutputSpec">The registered output spec.</param>
/// <param name="Input">The input tensor bytes from the request event (docs/PROTOCOL.md wire format).</param>
public sealed record InferenceRequest(
    ReadOnlyMemory<byte> ModelId,
    string? ModelUri,
    TensorSpec InputSpec,
    TensorSpec OutputSpec,
    ReadOnlyMemory<byte> Input);
