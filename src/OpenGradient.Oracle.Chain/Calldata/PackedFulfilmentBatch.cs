using System.Buffers.Binary;
using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Calldata;

/// <summary>
/// The packed encoding <c>fulfilBatchPacked(bytes)</c> takes (IInferenceOracle, docs/PROTOCOL.md "Packed batches"):
/// the runtime the items share (32 bytes), then each item with every field big-endian and unpadded: requestId (8),
/// requester (20), fee (12), modelId (32), inputHash (32), deadline (8), callbackGasLimit (4), outputBytes (4),
/// redundancy (1), the output (outputBytes bytes), the signature (65). About a third of <c>fulfilBatch</c>'s calldata
/// for the same items.
/// </summary>
public static class PackedFulfilmentBatch
{
    public const int HeaderBytes = 32;
    public const int ItemFixedBytes = 8 + 20 + 12 + 32 + 32 + 8 + 4 + 4 + 1;
    public const int SignatureBytes = 65;

    private static readonly BigInteger Max64 = ulong.MaxValue;
    private static readonly BigInteger Max96 = (BigInteger.One << 96) - 1;

    /// <summary>Null if <paramref name="items"/> can be packed, else why not: the encoding has one runtime for the
    /// batch, 64 bits for a request id, and no output length of its own (it is the request's outputBytes).</summary>
    public static string? WhyNotPackable(IReadOnlyList<InferenceOracleContract.Fulfilment> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return "a packed batch needs at least one item";
        var runtime = items[0].Runtime;
        foreach (var item in items)
        {
            var r = item.Request;
            var problem =
                item.Runtime.Length != 32 || !item.Runtime.AsSpan().SequenceEqual(runtime) ? "its runtime differs from the first item's" :
                item.RequestId.Sign < 0 || item.RequestId > Max64 ? "its request id does not fit in 64 bits" :
                r.Fee.Sign < 0 || r.Fee > Max96 ? "its fee does not fit in 96 bits" :
                r.ModelId.Length != 32 || r.InputHash.Length != 32 ? "its modelId or inputHash is not 32 bytes" :
                r.Deadline.Sign < 0 || r.Deadline > Max64 ? "its deadline does not fit in 64 bits" :
                r.CallbackGasLimit.Sign < 0 || r.CallbackGasLimit > uint.MaxValue ? "its callback gas limit does not fit in 32 bits" :
                r.Redundancy.Sign < 0 || r.Redundancy > byte.MaxValue ? "its redundancy does not fit in 8 bits" :
                r.OutputBytes != item.Output.Length ? $"its output is {item.Output.Length} bytes, its request's outputBytes {r.OutputBytes}" :
                item.Signature.Length != SignatureBytes ? $"its signature is {item.Signature.Length} bytes, not {SignatureBytes}" :
                null;
            if (problem is not null) return $"item for request {item.RequestId}: {problem}";
        }
        return null;
    }

    /// <summary>The packed bytes of <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException">The items cannot be packed (<see cref="WhyNotPackable"/>).</exception>
    public static byte[] Encode(IReadOnlyList<InferenceOracleContract.Fulfilment> items)
    {
        if (WhyNotPackable(items) is { } reason) throw new ArgumentException(reason, nameof(items));
        var packed = new byte[HeaderBytes + items.Sum(i => ItemFixedBytes + i.Output.Length + SignatureBytes)];
        items[0].Runtime.CopyTo(packed, 0);
        var at = HeaderBytes;
        foreach (var item in items)
        {
            var r = item.Request;
            var span = packed.AsSpan(at);
            BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)item.RequestId);
            r.Requester.Bytes.CopyTo(span[8..]);
            WriteUnsigned(r.Fee, span.Slice(28, 12));
            r.ModelId.CopyTo(span[40..]);
            r.InputHash.CopyTo(span[72..]);
            BinaryPrimitives.WriteUInt64BigEndian(span[104..], (ulong)r.Deadline);
            BinaryPrimitives.WriteUInt32BigEndian(span[112..], (uint)r.CallbackGasLimit);
            BinaryPrimitives.WriteUInt32BigEndian(span[116..], (uint)item.Output.Length);
            span[120] = (byte)r.Redundancy;
            item.Output.CopyTo(span[ItemFixedBytes..]);
            item.Signature.CopyTo(span[(ItemFixedBytes + item.Output.Length)..]);
            at += ItemFixedBytes + item.Output.Length + SignatureBytes;
        }
        return packed;
    }

    /// <summary>The items of a packed batch, as the contract reads them.</summary>
    /// <exception cref="MalformedPackedBatchException">The batch is shorter than a runtime or its last item is cut
    /// short: the contract reverts such a batch (<c>InferenceOracleMalformedBatch</c>).</exception>
    public static IReadOnlyList<InferenceOracleContract.Fulfilment> Decode(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < HeaderBytes) throw new MalformedPackedBatchException(0, batch.Length);
        var runtime = batch[..HeaderBytes].ToArray();
        var items = new List<InferenceOracleContract.Fulfilment>();
        var at = HeaderBytes;
        while (at < batch.Length)
        {
            var span = batch[at..];
            if (span.Length < ItemFixedBytes) throw new MalformedPackedBatchException(at, batch.Length);
            var outputBytes = BinaryPrimitives.ReadUInt32BigEndian(span[116..]);
            if ((ulong)span.Length < (ulong)ItemFixedBytes + outputBytes + SignatureBytes) throw new MalformedPackedBatchException(at, batch.Length);
            var request = new InferenceOracleContract.Request(
                new Address(span.Slice(8, 20)),
                new BigInteger(span.Slice(28, 12), isUnsigned: true, isBigEndian: true),
                span.Slice(40, 32).ToArray(),
                span.Slice(72, 32).ToArray(),
                BinaryPrimitives.ReadUInt64BigEndian(span[104..]),
                BinaryPrimitives.ReadUInt32BigEndian(span[112..]),
                outputBytes,
                span[120]);
            var output = span.Slice(ItemFixedBytes, (int)outputBytes).ToArray();
            var signature = span.Slice(ItemFixedBytes + (int)outputBytes, SignatureBytes).ToArray();
            items.Add(new InferenceOracleContract.Fulfilment(BinaryPrimitives.ReadUInt64BigEndian(span), request, output, runtime, signature));
            at += ItemFixedBytes + (int)outputBytes + SignatureBytes;
        }
        return items;
    }

    private static void WriteUnsigned(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        var length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination[(destination.Length - length)..], out _, isUnsigned: true, isBigEndian: true);
    }
}

/// <summary>A packed batch ends inside its header or inside the item that starts at <see cref="Offset"/>.</summary>
public sealed class MalformedPackedBatchException(int offset, int length)
    : FormatException($"the packed batch ({length} bytes) ends inside {(offset == 0 ? "its 32-byte runtime" : $"the item that starts at byte {offset}")}")
{
    /// <summary>Where the cut item starts (0: the header), as the contract's <c>InferenceOracleMalformedBatch</c> names it.</summary>
    public int Offset { get; } = offset;
}
