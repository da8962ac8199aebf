namespace OpenGradient.Oracle.Core.Models;

/// <summary>
/// A registered tensor: element type, fixed-point decimals, the valid range of each element and the shape.
/// Mirrors Solidity <c>TensorSpec</c> in IModelRegistry (docs/PROTOCOL.md, "Tensor wire format").
/// </summary>
public sealed record TensorSpec(ElementType ElementType, byte Decimals, long MinValue, long MaxValue, IReadOnlyList<uint> Shape)
{
    public const int MaxDimensions = 8;
    public const int MaxBytes = 4096;
    public const int MaxDecimals = 18;

    public long ElementCount => Shape.Aggregate(1L, (acc, d) => acc * d);

    public long ByteLength => ElementCount * ElementType.Width();

    /// <summary>Returns why this spec is invalid, or null when it is valid. Same rules as the registry contract.</summary>
    public string? Validate()
    {
        if (!Enum.IsDefined(ElementType)) return $"element type {(byte)ElementType} is not one of 1..4";
        if (Decimals > MaxDecimals) return $"decimals {Decimals} exceeds {MaxDecimals}";
        if (Shape.Count is 0 or > MaxDimensions) return $"shape has {Shape.Count} dimensions; 1..{MaxDimensions} allowed";
        if (Shape.Any(d => d == 0)) return "every dimension must be at least 1";
        if (MinValue > MaxValue) return $"minValue {MinValue} is greater than maxValue {MaxValue}";
        if (MinValue < ElementType.MinValue() || MaxValue > ElementType.MaxValue())
            return $"range [{MinValue}, {MaxValue}] does not fit {ElementType}";
        if (ByteLength > MaxBytes) return $"tensor takes {ByteLength} bytes; at most {MaxBytes} allowed";
        return null;
    }

    public bool Equals(TensorSpec? other) =>
        other is not null && ElementType == other.ElementType && Decimals == other.Decimals &&
        MinValue == other.MinValue && MaxValue == other.MaxValue && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(ElementType, Decimals, MinValue, MaxValue, Shape.Count);
}
