namespace OpenGradient.Oracle.Ethereum.Rlp;

/// <summary>Input that is not canonical RLP: truncated, oversized, trailing bytes, or a non-minimal encoding.</summary>
public sealed class RlpException(string message, int offset) : FormatException($"{message} (at byte {offset})")
{
    /// <summary>Offset in the outermost input where decoding failed.</summary>
    public int Offset { get; } = offset;
}
