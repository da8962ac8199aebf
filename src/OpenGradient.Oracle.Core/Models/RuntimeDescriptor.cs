namespace OpenGradient.Oracle.Core.Models;

/// <summary>
/// Names the inference runtime and the settings that make its output reproducible. Its keccak256 is the
/// <c>runtime</c> field of every commitment (docs/PROTOCOL.md).
/// </summary>
public static class RuntimeDescriptor
{
    public const string Current = "onnxruntime/1.31.1;cpu;opset=17;threads=1x1;seq;round=half-even;v1";
}
