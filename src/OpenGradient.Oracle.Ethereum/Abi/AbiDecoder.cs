using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>
/// Strict ABI v2 decoding. Every malformed input is an <see cref="AbiDecodingException"/>. Stricter than ethers.js in
/// one way, like Solidity's own decoder: dirty high bits of a small int, dirty bytesN/bytes padding and bools other
/// than 0/1 are rejected rather than masked. Value mapping: see <see cref="AbiType"/>.
/// </summary>
public static class AbiDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes the tuple of <paramref name="types"/> (e.g. a function's return data).</summary>
    public static IReadOnlyList<object?> Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        var budget = Budget(data.Length);
        return DecodeSequence(AbiType.Tuple(types), types.Count, data, ref budget);
    }

    /// <summary>Decodes a single value encoded as a one-element tuple, as <c>abi.decode(data, (T))</c> does.</summary>
    public static object? Decode(AbiType type, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Decode([type], data)[0];
    }

    /// <summary>
    /// Offsets may point at the same tail many times, so n bytes could otherwise decode into ~n² values. A canonical
    /// encoding decodes into at most its own size; allow 64x that (and 1 MiB for small inputs) like ethers' inflation guard.
    /// </summary>
    private static long Budget(int length) => Math.Max(1L << 20, 64L * length);

    private static void Spend(ref long budget, long bytes)
    {
        budget -= bytes;
        if (budget < 0) throw Fail("data decodes into far more values than it holds (offsets reused); refusing");
    }

    private static object?[] DecodeSequence(AbiType seq, int count, ReadOnlySpan<byte> region, ref long budget)
    {
        Spend(ref budget, 32);
        var element = seq.Kind == AbiKind.Tuple ? null : seq.Element;
        long headSize = seq.Kind == AbiKind.Tuple ? seq.Components.Sum(c => (long)c.HeadSize) : (long)count * element!.HeadSize;
        if (headSize > region.Length)
            throw Fail($"{seq} needs {headSize} head bytes, only {region.Length} left");
        var values = new object?[count];
        var head = 0;
        for (var i = 0; i < count; i++)
        {
            var t = element ?? seq.Components[i];
            try
            {
                if (t.IsDynamic)
                {
                    var offset = ReadLength(region.Slice(head, 32), "offset");
                    if (offset > region.Length)
                        throw Fail($"offset {offset} points past the end ({region.Length} bytes)");
                    values[i] = DecodeValue(t, region[offset..], ref budget);
                    head += 32;
                }
                else
                {
                    values[i] = DecodeValue(t, region[head..], ref budget);
                    head += t.HeadSize;
                }
            }
            catch (AbiDecodingException e)
            {
                throw e.At(i);
            }
        }
        return values;
    }

    private static object? DecodeValue(AbiType type, ReadOnlySpan<byte> data, ref long budget)
    {
        Spend(ref budget, 32);
        switch (type.Kind)
        {
            case AbiKind.UInt:
                return DecodeUInt(type.Size, Word(data));
            case AbiKind.Int:
                return DecodeInt(type.Size, Word(data));
            case AbiKind.Address:
            {
                var word = Word(data);
                if (word[..12].ContainsAnyExcept((byte)0)) throw Fail("address has non-zero high bytes");
                return new Address(word[12..]);
            }
            case AbiKind.Bool:
            {
                var word = Word(data);
                if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1) throw Fail("bool is neither 0 nor 1");
                return word[31] == 1;
            }
            case AbiKind.FixedBytes:
            {
                var word = Word(data);
                if (word[type.Size..].ContainsAnyExcept((byte)0)) throw Fail($"{type} has non-zero padding");
                return word[..type.Size].ToArray();
            }
            case AbiKind.Bytes:
            {
                var bytes = ReadBytes(data);
                Spend(ref budget, bytes.Length);
                return bytes.ToArray();
            }
            case AbiKind.String:
                try
                {
                    var utf8 = ReadBytes(data);
                    Spend(ref budget, utf8.Length);
                    return StrictUtf8.GetString(utf8);
                }
                catch (DecoderFallbackException e)
                {
                    throw new AbiDecodingException("", "string is not valid UTF-8", e);
                }
            case AbiKind.DynamicArray:
            {
                var length = ReadLength(Word(data), "array length");
                var rest = data[32..];
                // An element of zero head size (the empty tuple) still counts as a word, so a forged length cannot allocate
                // billions of items from a few bytes.
                if ((long)length * Math.Max(type.Element!.HeadSize, 32) > rest.Length)
                    throw Fail($"array length {length} does not fit in the {rest.Length} bytes left");
                return DecodeSequence(type, length, rest, ref budget);
            }
            case AbiKind.FixedArray:
                return DecodeSequence(type, type.Size, data, ref budget);
            case AbiKind.Tuple:
                return DecodeSequence(type, type.Components.Count, data, ref budget);
            default:
                throw new InvalidOperationException(type.ToString());
        }
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data)
    {
        var length = ReadLength(Word(data), "byte length");
        var rest = data[32..];
        // Like ethers (non-loose), the padding up to the next word must be there, and be zero.
        var padded = (length + 31L) / 32 * 32;
        if (padded > rest.Length) throw Fail($"byte length {length} (padded {padded}) runs past the end ({rest.Length} bytes left)");
        if (rest[length..(int)padded].ContainsAnyExcept((byte)0)) throw Fail("non-zero padding after bytes");
        return rest[..length];
    }

    internal static BigInteger DecodeUInt(int bits, ReadOnlySpan<byte> word)
    {
        if (word[..(32 - bits / 8)].ContainsAnyExcept((byte)0))
            throw Fail($"value out of range for uint{bits}");
        return new BigInteger(word, isUnsigned: true, isBigEndian: true);
    }

    internal static BigInteger DecodeInt(int bits, ReadOnlySpan<byte> word)
    {
        var valueBytes = bits / 8;
        var value = word[(32 - valueBytes)..];
        var extension = (value[0] & 0x80) != 0 ? (byte)0xFF : (byte)0;
        if (word[..(32 - valueBytes)].ContainsAnyExcept(extension))
            throw Fail($"value out of range for int{bits}");
        return new BigInteger(value, isUnsigned: false, isBigEndian: true);
    }

    private static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> data) =>
        data.Length >= 32 ? data[..32] : throw Fail($"needs a 32-byte word, only {data.Length} bytes left");

    private static int ReadLength(ReadOnlySpan<byte> word, string what)
    {
        if (word[..28].ContainsAnyExcept((byte)0) || (word[28] & 0x80) != 0)
            throw Fail($"{what} is out of range");
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(word[28..]);
    }

    private static AbiDecodingException Fail(string why) => new("", why, null);
}
