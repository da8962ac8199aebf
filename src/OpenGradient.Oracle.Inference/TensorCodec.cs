using System.Buffers.Binary;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Inference;

/// <summary>
/// The on-chain tensor wire format (docs/PROTOCOL.md): elements packed big-endian two's complement, row-major,
/// no header, no padding. Decoding checks the byte length exactly; range checks are the caller's (they are a
/// different failure reason).
/// </summary>
public static class TensorCodec
{
    /// <summary>
    /// Decodes <paramref name="bytes"/> into <paramref name="destination"/>. False when the byte length is not exactly
    /// the spec's (the input is malformed); throws only when <paramref name="destination"/> is too small.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, TensorSpec spec, Span<long> destination)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (bytes.Length != spec.ByteLength) return false;
        var count = (int)spec.ElementCount;
        if (destination.Length < count)
            throw new ArgumentException($"destination holds {destination.Length} elements; {count} needed", nameof(destination));
        DecodeUnchecked(bytes, spec.ElementType, destination[..count]);
        return true;
    }

    /// <summary>Decodes a whole tensor; throws <see cref="ArgumentException"/> when the length is wrong.</summary>
    public static long[] Decode(ReadOnlySpan<byte> bytes, TensorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var values = new long[spec.ElementCount];
        if (!TryDecode(bytes, spec, values))
            throw new ArgumentException($"tensor has {bytes.Length} bytes; the spec needs {spec.ByteLength}", nameof(bytes));
        return values;
    }

    /// <summary>Encodes a whole tensor. Every value must fit the element type and the count must match the shape.</summary>
    public static byte[] Encode(ReadOnlySpan<long> values, TensorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var bytes = new byte[spec.ByteLength];
        Encode(values, spec, bytes);
        return bytes;
    }

    public static void Encode(ReadOnlySpan<long> values, TensorSpec spec, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (values.Length != spec.ElementCount)
            throw new ArgumentException($"{values.Length} values for a tensor of {spec.ElementCount} elements", nameof(values));
        if (destination.Length != spec.ByteLength)
            throw new ArgumentException($"destination has {destination.Length} bytes; {spec.ByteLength} needed", nameof(destination));
        var type = spec.ElementType;
        long min = type.MinValue(), max = type.MaxValue();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < min || values[i] > max)
                throw new ArgumentException($"element {i} = {values[i]} does not fit {type}", nameof(values));
        }
        EncodeUnchecked(values, type, destination);
    }

    internal static void DecodeUnchecked(ReadOnlySpan<byte> bytes, ElementType type, Span<long> destination)
    {
        switch (type)
        {
            case ElementType.Int8:
                for (var i = 0; i < destination.Length; i++) destination[i] = (sbyte)bytes[i];
                break;
            case ElementType.Int16:
                for (var i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16BigEndian(bytes[(i * 2)..]);
                break;
            case ElementType.Int32:
                for (var i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(i * 4)..]);
                break;
            case ElementType.Int64:
                for (var i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt64BigEndian(bytes[(i * 8)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type.");
        }
    }

    /// <summary>Values must already fit <paramref name="type"/>; they are truncated otherwise.</summary>
    internal static void EncodeUnchecked(ReadOnlySpan<long> values, ElementType type, Span<byte> destination)
    {
        switch (type)
        {
            case ElementType.Int8:
                for (var i = 0; i < values.Length; i++) destination[i] = unchecked((byte)values[i]);
                break;
            case ElementType.Int16:
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt16BigEndian(destination[(i * 2)..], unchecked((short)values[i]));
                break;
            case ElementType.Int32:
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(destination[(i * 4)..], unchecked((int)values[i]));
                break;
            case ElementType.Int64:
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64BigEndian(destination[(i * 8)..], values[i]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type.");
        }
    }
}
