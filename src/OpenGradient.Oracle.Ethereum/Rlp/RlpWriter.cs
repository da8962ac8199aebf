using System.Numerics;

namespace OpenGradient.Oracle.Ethereum.Rlp;

/// <summary>
/// Canonical RLP encoding into a caller-sized buffer: compute lengths with the Get*Length methods, allocate once,
/// then write. The caller writes list payloads right after <see cref="WriteListHeader"/>.
/// </summary>
public static class RlpWriter
{
    public static int GetBytesLength(ReadOnlySpan<byte> value) =>
        value.Length == 1 && value[0] < 0x80 ? 1 : GetHeaderLength(value.Length) + value.Length;

    public static int GetListLength(int payloadLength) => GetHeaderLength(payloadLength) + payloadLength;

    public static int GetHeaderLength(int payloadLength) => payloadLength <= 55 ? 1 : 1 + ByteCount(payloadLength);

    public static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            destination[0] = value[0];
            return 1;
        }
        var header = WriteHeader(destination, value.Length, 0x80);
        value.CopyTo(destination[header..]);
        return header + value.Length;
    }

    public static int WriteListHeader(Span<byte> destination, int payloadLength) => WriteHeader(destination, payloadLength, 0xc0);

    /// <summary>Minimal big-endian bytes of a non-negative integer (zero is empty).</summary>
    public static byte[] IntegerBytes(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "RLP integers are non-negative");
        return value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    public static byte[] EncodeBytes(ReadOnlySpan<byte> value)
    {
        var output = new byte[GetBytesLength(value)];
        WriteBytes(output, value);
        return output;
    }

    /// <summary>Wraps already-encoded items in a list.</summary>
    public static byte[] EncodeList(IReadOnlyList<byte[]> encodedItems)
    {
        ArgumentNullException.ThrowIfNull(encodedItems);
        var payload = 0;
        foreach (var item in encodedItems) payload += item.Length;
        var output = new byte[GetListLength(payload)];
        var at = WriteListHeader(output, payload);
        foreach (var item in encodedItems)
        {
            item.CopyTo(output, at);
            at += item.Length;
        }
        return output;
    }

    private static int WriteHeader(Span<byte> destination, int length, byte offset)
    {
        if (length <= 55)
        {
            destination[0] = (byte)(offset + length);
            return 1;
        }
        var count = ByteCount(length);
        destination[0] = (byte)(offset + 55 + count);
        for (var i = count; i >= 1; i--)
        {
            destination[i] = (byte)length;
            length >>= 8;
        }
        return 1 + count;
    }

    private static int ByteCount(int value) => value switch
    {
        < 1 << 8 => 1,
        < 1 << 16 => 2,
        < 1 << 24 => 3,
        _ => 4,
    };
}
