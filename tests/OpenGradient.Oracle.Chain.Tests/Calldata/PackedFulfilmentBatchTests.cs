using System.Globalization;
using System.Numerics;
using System.Text.Json;
using CsCheck;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Calldata;

/// <summary>
/// The node's packed batches against ethers (tests/vectors/commitments.json, written by Hardhat's packBatch, which the
/// Hardhat suite checks against the contract), and the codec's own round trip and refusals.
/// </summary>
public sealed class PackedFulfilmentBatchTests
{
    private static readonly JsonElement Vectors =
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "vectors", "commitments.json"))).RootElement;

    private static readonly byte[] Runtime = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static readonly Gen<InferenceOracleContract.Fulfilment> Items =
        from requestId in Gen.ULong
        from requester in Gen.Byte.Array[20]
        from fee in Gen.Byte.Array[12]
        from modelId in Gen.Byte.Array[32]
        from inputHash in Gen.Byte.Array[32]
        from deadline in Gen.ULong
        from callbackGasLimit in Gen.UInt
        from redundancy in Gen.Byte
        from output in Gen.Byte.Array[0, 300]
        from signature in Gen.Byte.Array[65]
        select new InferenceOracleContract.Fulfilment(requestId,
            new InferenceOracleContract.Request(new Address(requester), new BigInteger(fee, isUnsigned: true, isBigEndian: true), modelId, inputHash,
                deadline, callbackGasLimit, output.Length, redundancy),
            output, Runtime, signature);

    [Fact]
    public void Encodes_the_vector_batches_byte_for_byte_as_ethers_does_and_decodes_them_back()
    {
        var batches = Vectors.GetProperty("packedBatches").EnumerateArray().ToList();
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            var items = batch.GetProperty("items").EnumerateArray().Select(ItemOf).ToList();
            var expected = batch.GetProperty("packed").GetString()!;
            Assert.Equal(expected, Hex.Encode(PackedFulfilmentBatch.Encode(items)));
            Assert.Equal(items.Select(Describe), PackedFulfilmentBatch.Decode(Hex.Decode(expected)).Select(Describe));
        }
    }

    [Fact]
    public void Decoding_what_was_encoded_gives_the_items_back()
    {
        Items.List[1, 6].Sample(items =>
        {
            var packed = PackedFulfilmentBatch.Encode(items);
            Assert.Equal(PackedFulfilmentBatch.HeaderBytes + items.Sum(i => PackedFulfilmentBatch.ItemFixedBytes + i.Output.Length + 65), packed.Length);
            Assert.Equal(items.Select(Describe), PackedFulfilmentBatch.Decode(packed).Select(Describe));
        });
    }

    [Fact]
    public void A_batch_cut_short_is_refused_naming_where_the_cut_item_starts_as_the_contract_does()
    {
        Items.List[1, 4].Select(Gen.Int[0, int.MaxValue]).Sample((items, cut) =>
        {
            var packed = PackedFulfilmentBatch.Encode(items);
            var starts = new List<int> { 0, PackedFulfilmentBatch.HeaderBytes };
            foreach (var item in items) starts.Add(starts[^1] + PackedFulfilmentBatch.ItemFixedBytes + item.Output.Length + 65);
            var length = cut % packed.Length;
            if (starts.Contains(length) && length != 0) return; // a whole number of items: a valid, shorter batch
            var e = Assert.Throws<MalformedPackedBatchException>(() => PackedFulfilmentBatch.Decode(packed.AsSpan(0, length)));
            Assert.Equal(length < PackedFulfilmentBatch.HeaderBytes ? 0 : starts.Last(s => s <= length), e.Offset);
        });
    }

    [Fact]
    public void Items_the_encoding_cannot_carry_are_named_and_refused()
    {
        var item = new InferenceOracleContract.Fulfilment(7,
            new InferenceOracleContract.Request(new Address(new byte[20]), 10, new byte[32], new byte[32], 1_800_000_000, 0, 2, 1),
            [1, 2], Runtime, new byte[65]);
        var cases = new (InferenceOracleContract.Fulfilment Item, string Reason)[]
        {
            (item with { Runtime = new byte[32] }, "runtime differs"),
            (item with { RequestId = BigInteger.One << 64 }, "request id does not fit in 64 bits"),
            (item with { Output = item.Output[1..] }, "output is"),
            (item with { Signature = new byte[64] }, "signature is 64 bytes"),
            (item with { Request = item.Request with { Fee = BigInteger.One << 96 } }, "fee does not fit"),
        };
        foreach (var (bad, reason) in cases)
        {
            var why = PackedFulfilmentBatch.WhyNotPackable([item, bad]);
            Assert.Contains(reason, why, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => PackedFulfilmentBatch.Encode([item, bad]));
        }
        Assert.Null(PackedFulfilmentBatch.WhyNotPackable([item, item]));
        Assert.NotNull(PackedFulfilmentBatch.WhyNotPackable([]));
    }

    private static InferenceOracleContract.Fulfilment ItemOf(JsonElement v)
    {
        var r = v.GetProperty("request");
        var request = new InferenceOracleContract.Request(Address.Parse(r.GetProperty("requester").GetString()!), Big(r, "fee"),
            Hex.Decode(r.GetProperty("modelId").GetString()!), Hex.Decode(r.GetProperty("inputHash").GetString()!), Big(r, "deadline"),
            Big(r, "callbackGasLimit"), Big(r, "outputBytes"), Big(r, "redundancy"));
        return new InferenceOracleContract.Fulfilment(Big(v, "requestId"), request, Hex.Decode(v.GetProperty("output").GetString()!),
            Hex.Decode(v.GetProperty("runtime").GetString()!), Hex.Decode(v.GetProperty("signature").GetString()!));
    }

    private static string Describe(InferenceOracleContract.Fulfilment f) =>
        string.Join("|", f.RequestId, f.Request.Requester, f.Request.Fee, Hex.Encode(f.Request.ModelId), Hex.Encode(f.Request.InputHash),
            f.Request.Deadline, f.Request.CallbackGasLimit, f.Request.OutputBytes, f.Request.Redundancy, Hex.Encode(f.Output), Hex.Encode(f.Runtime),
            Hex.Encode(f.Signature));

    private static BigInteger Big(JsonElement e, string name) =>
        BigInteger.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}
