namespace OpenGradient.Oracle.Core.Models;

/// <summary>Element types of the on-chain tensor wire format (docs/PROTOCOL.md). Values match Solidity.</summary>
public enum ElementType : byte
{
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
}

public static class ElementTypeExtensions
{
    /// <summary>Width of one element on the wire, in bytes.</summary>
    public static int Width(this ElementType type) => type switch
    {
        ElementType.Int8 => 1,
        ElementType.Int16 => 2,
        ElementType.Int32 => 4,
        ElementType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type."),
    };

    public static long MinValue(this ElementType type) => type switch
    {
        ElementType.Int8 => sbyte.MinValue,
        ElementType.Int16 => short.MinValue,
        ElementType.Int32 => int.MinValue,
        ElementType.Int64 => long.MinValue,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type."),
    };

    public static long MaxValue(this ElementType type) => type switch
    {
        ElementType.Int8 => sbyte.MaxValue,
        ElementType.Int16 => short.MaxValue,
        ElementType.Int32 => int.MaxValue,
        ElementType.Int64 => long.MaxValue,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type."),
    };
}
