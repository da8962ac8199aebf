using System.Collections;
using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>Standard (non-packed) ABI v2 encoding. Value mapping: see <see cref="AbiType"/>.</summary>
public static class AbiEncoder
{
    /// <summary>Encodes <paramref name="values"/> as the tuple of <paramref name="types"/> (what calldata after the selector holds).</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) => Encode(types, values, ReadOnlySpan<byte>.Empty);

    /// <summary>Encodes one value of <paramref name="type"/> as a one-element tuple, as <c>abi.encode(x)</c> does.</summary>
    public static byte[] Encode(AbiType type, object? value) => Encode([type], [value]);

    /// <summary><paramref name="prefix"/> (a 4-byte selector, or empty) followed by the encoded tuple.</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, ReadOnlySpan<byte> prefix)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
            throw Fail($"{types.Count} types but {values.Count} values");
        var tuple = AbiType.Tuple(types);
        var items = ToItems(values);
        var size = SequenceSize(tuple, items);
        var output = new byte[prefix.Length + size];
        prefix.CopyTo(output);
        var written = WriteSequence(tuple, items, output.AsSpan(prefix.Length));
        System.Diagnostics.Debug.Assert(written == size);
        return output;
    }

    private static AbiType ElementAt(AbiType seq, int i) => seq.Kind == AbiKind.Tuple ? seq.Components[i] : seq.Element!;

    private static IList ToItems(object? value) => value switch
    {
        IList list => list,
        string => throw new AbiEncodingException("a string is not a list"),
        IEnumerable e => e.Cast<object?>().ToArray(),
        _ => throw Fail($"expected a list, got {Describe(value)}"),
    };

    private static IList Items(AbiType type, object? value)
    {
        IList items;
        try
        {
            items = ToItems(value);
        }
        catch (AbiEncodingException e)
        {
            throw Fail($"{type}: {e.Reason}");
        }
        var expected = type.Kind switch
        {
            AbiKind.Tuple => type.Components.Count,
            AbiKind.FixedArray => type.Size,
            _ => -1,
        };
        if (expected >= 0 && items.Count != expected)
            throw Fail($"{type} needs {expected} items, got {items.Count}");
        return items;
    }

    /// <summary>Size of the whole encoding of a sequence (head + tails) whose item types come from <paramref name="seq"/>.</summary>
    private static int SequenceSize(AbiType seq, IList items)
    {
        var size = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var t = ElementAt(seq, i);
            try
            {
                size = checked(size + (t.IsDynamic ? 32 : 0) + ValueSize(t, items[i]));
            }
            catch (AbiEncodingException e)
            {
                throw e.At(i);
            }
        }
        return size;
    }

    private static int ValueSize(AbiType type, object? value) => type.Kind switch
    {
        AbiKind.Bytes => 32 + Padded(AsBytes(type, value).Length),
        AbiKind.String => 32 + Padded(Encoding.UTF8.GetByteCount(AsString(value))),
        AbiKind.DynamicArray => 32 + SequenceSize(type, Items(type, value)),
        AbiKind.FixedArray or AbiKind.Tuple => SequenceSize(type, Items(type, value)),
        _ => 32,
    };

    private static int Padded(int length) => checked((length + 31) / 32 * 32);

    private static int WriteSequence(AbiType seq, IList items, Span<byte> dest)
    {
        var headSize = 0;
        for (var i = 0; i < items.Count; i++) headSize += ElementAt(seq, i).HeadSize;
        var head = 0;
        var tail = headSize;
        for (var i = 0; i < items.Count; i++)
        {
            var t = ElementAt(seq, i);
            try
            {
                if (t.IsDynamic)
                {
                    WriteUInt(dest.Slice(head, 32), (ulong)tail);
                    tail += WriteValue(t, items[i], dest[tail..]);
                    head += 32;
                }
                else
                {
                    head += WriteValue(t, items[i], dest[head..]);
                }
            }
            catch (AbiEncodingException e)
            {
                throw e.At(i);
            }
        }
        return tail;
    }

    private static int WriteValue(AbiType type, object? value, Span<byte> dest)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
            case AbiKind.Int:
                WriteInteger(type, ToBigInteger(type, value), dest[..32]);
                return 32;
            case AbiKind.Address:
                if (value is not Address address) throw Fail($"address needs an Address, got {Describe(value)}");
                dest[..12].Clear();
                address.Bytes.CopyTo(dest[12..32]);
                return 32;
            case AbiKind.Bool:
                if (value is not bool b) throw Fail($"bool needs a bool, got {Describe(value)}");
                dest[..31].Clear();
                dest[31] = b ? (byte)1 : (byte)0;
                return 32;
            case AbiKind.FixedBytes:
            {
                var bytes = AsBytes(type, value);
                if (bytes.Length != type.Size)
                    throw Fail($"{type} needs exactly {type.Size} bytes, got {bytes.Length}");
                bytes.CopyTo(dest);
                dest[bytes.Length..32].Clear();
                return 32;
            }
            case AbiKind.Bytes:
                return WriteBytes(AsBytes(type, value), dest);
            case AbiKind.String:
                return WriteBytes(Encoding.UTF8.GetBytes(AsString(value)), dest);
            case AbiKind.DynamicArray:
            {
                var items = Items(type, value);
                WriteUInt(dest[..32], (ulong)items.Count);
                return 32 + WriteSequence(type, items, dest[32..]);
            }
            case AbiKind.FixedArray:
            case AbiKind.Tuple:
                return WriteSequence(type, Items(type, value), dest);
            default:
                throw new InvalidOperationException(type.ToString());
        }
    }

    private static int WriteBytes(ReadOnlySpan<byte> bytes, Span<byte> dest)
    {
        WriteUInt(dest[..32], (ulong)bytes.Length);
        bytes.CopyTo(dest[32..]);
        var padded = Padded(bytes.Length);
        dest.Slice(32 + bytes.Length, padded - bytes.Length).Clear();
        return 32 + padded;
    }

    private static void WriteUInt(Span<byte> word, ulong value)
    {
        word[..24].Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(word[24..], value);
    }

    private static void WriteInteger(AbiType type, BigInteger value, Span<byte> word)
    {
        var bits = type.Size;
        var inRange = type.Kind == AbiKind.UInt
            ? value.Sign >= 0 && value.GetBitLength() <= bits
            : value >= -(BigInteger.One << (bits - 1)) && value < BigInteger.One << (bits - 1);
        if (!inRange) throw Fail($"{value} is out of range for {type}");
        var unsigned = value.Sign >= 0;
        var length = value.GetByteCount(isUnsigned: unsigned);
        word[..(32 - length)].Fill(unsigned ? (byte)0 : (byte)0xFF);
        value.TryWriteBytes(word[(32 - length)..], out _, isUnsigned: unsigned, isBigEndian: true);
    }

    private static BigInteger ToBigInteger(AbiType type, object? value) => value switch
    {
        BigInteger v => v,
        int v => v,
        long v => v,
        uint v => v,
        ulong v => v,
        short v => v,
        ushort v => v,
        byte v => v,
        sbyte v => v,
        Int128 v => v,
        UInt128 v => v,
        _ => throw Fail($"{type} needs a BigInteger or an integral number, got {Describe(value)}"),
    };

    private static ReadOnlySpan<byte> AsBytes(AbiType type, object? value) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.Span,
        Memory<byte> m => m.Span,
        _ => throw Fail($"{type} needs a byte[], got {Describe(value)}"),
    };

    private static string AsString(object? value) =>
        value as string ?? throw Fail($"string needs a string, got {Describe(value)}");

    private static AbiEncodingException Fail(string reason) => new("", reason);

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;
}
