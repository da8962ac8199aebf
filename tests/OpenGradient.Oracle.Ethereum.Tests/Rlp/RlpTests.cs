using CsCheck;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rlp;

namespace OpenGradient.Oracle.Ethereum.Tests.Rlp;

public sealed class RlpTests
{
    [Theory]
    [InlineData("0x", "empty input")]
    [InlineData("0x8105", "single byte below 0x80 wrapped as a string")]
    [InlineData("0xb80100", "long form used for a short string")]
    [InlineData("0xb90038" + "00", "length prefix with a leading zero")]
    [InlineData("0x83616263ff", "trailing byte")]
    [InlineData("0x8361", "truncated string")]
    [InlineData("0xc3", "truncated list")]
    [InlineData("0xb8", "missing length bytes")]
    [InlineData("0xbfffffffffffffffff", "oversized length of length")]
    [InlineData("0xbbffffffff", "length beyond the input")]
    [InlineData("0xf800", "long form list of zero length")]
    [InlineData("0xc181", "item inside a list runs past the list")]
    public void Non_canonical_or_broken_input_is_an_RlpException(string hex, string why)
    {
        var ex = Assert.Throws<RlpException>(() => RlpItem.Decode(Hex.Decode(hex)));
        Assert.False(string.IsNullOrEmpty(ex.Message), why);
    }

    [Fact]
    public void Known_encodings_from_the_yellow_paper_examples_decode_and_reencode()
    {
        // "dog", ["cat","dog"], "", [], 0x0f, 0x0400, set-theoretic [ [], [[]], [ [], [[]] ] ], a 56-byte string
        string[] vectors =
        [
            "0x83646f67", "0xc88363617483646f67", "0x80", "0xc0", "0x0f", "0x820400", "0xc7c0c1c0c3c0c1c0",
            "0xb838" + Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes("Lorem ipsum dolor sit amet, consectetur adipisicing elit")),
        ];
        foreach (var v in vectors) Assert.Equal(v, Hex.Encode(RlpItem.Decode(Hex.Decode(v)).Encode()));
    }

    [Fact]
    public void Random_bytes_either_fail_with_RlpException_or_round_trip_exactly()
    {
        Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            RlpItem item;
            try
            {
                item = RlpItem.Decode(bytes);
            }
            catch (RlpException)
            {
                return;
            }
            // Canonical decoding is injective: whatever decodes must re-encode to the same bytes.
            Assert.Equal(Hex.Encode(bytes), Hex.Encode(item.Encode()));
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_encodings_never_throw_anything_but_RlpException()
    {
        Gen.Select(Differential.RlpDifferentialTests.Items(3), Gen.Int, Gen.Byte).Sample((item, position, value) =>
        {
            var bytes = item.Encode();
            if (bytes.Length == 0) return;
            var mutated = (byte[])bytes.Clone();
            mutated[(int)((uint)position % (uint)bytes.Length)] = value;
            var truncated = bytes[..(int)((uint)position % (uint)bytes.Length)];
            foreach (var candidate in new[] { mutated, truncated })
            {
                try
                {
                    Assert.Equal(Hex.Encode(candidate), Hex.Encode(RlpItem.Decode(candidate).Encode()));
                }
                catch (RlpException)
                {
                }
            }
        }, iter: 5_000);
    }
}
