using System.Buffers.Binary;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Inference;

/// <summary>A 32-byte model id as a value key (no allocation to look a model up).</summary>
internal readonly record struct ModelKey(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = 32;

    public static ModelKey From(ReadOnlySpan<byte> id)
    {
        if (id.Length != Length) throw new ArgumentException($"a model id is {Length} bytes, got {id.Length}", nameof(id));
        return new ModelKey(
            BinaryPrimitives.ReadUInt64BigEndian(id),
            BinaryPrimitives.ReadUInt64BigEndian(id[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(id[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(id[24..]));
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(16), C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(24), D);
        return bytes;
    }

    /// <summary>0x-prefixed lowercase hex.</summary>
    public override string ToString() => Hex.Encode(ToBytes());
}
