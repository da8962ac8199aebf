using System.Numerics;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Tests.Abi;

public sealed class AbiDecoderPropertyTests
{
    private static void DecodesOrRejects(AbiType[] types, byte[] data)
    {
        try
        {
            AbiDecoder.Decode(types, data);
        }
        catch (AbiDecodingException)
        {
            // The only acceptable failure.
        }
    }

    [Fact]
    public void Random_bytes_never_throw_anything_but_AbiDecodingException()
    {
        Gen.Select(AbiGen.Types, Gen.Byte.Array[0, 400]).Sample((types, data) => DecodesOrRejects(types, data), iter: 3000);
    }

    [Fact]
    public void Random_words_of_small_numbers_never_throw_anything_but_AbiDecodingException()
    {
        // Small words look like plausible offsets and lengths, which reach deeper into the decoder than noise does.
        var word = Gen.Int[0, 200].Select(v => { var w = new byte[32]; w[31] = (byte)v; return w; });
        Gen.Select(AbiGen.Types, word.Array[0, 12]).Sample((types, words) => DecodesOrRejects(types, [.. words.SelectMany(w => w)]), iter: 3000);
    }

    [Fact]
    public void Corrupted_valid_encodings_never_throw_anything_but_AbiDecodingException()
    {
        Gen.Select(AbiGen.Case, Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 100]).Sample((c, position, b, cut) =>
        {
            var data = AbiEncoder.Encode(c.Types, c.Values);
            if (data.Length > 0) data[position % data.Length] = b;
            DecodesOrRejects(c.Types, data[..Math.Max(0, data.Length - cut)]);
        }, iter: 3000);
    }

    [Fact]
    public void Encoding_then_decoding_gives_back_the_values()
    {
        AbiGen.Case.Sample(c =>
        {
            var decoded = AbiDecoder.Decode(c.Types, AbiEncoder.Encode(c.Types, c.Values));
            Assert.Equal(AbiGen.ToJson(c.Values)!.ToJsonString(), AbiGen.ToJson(decoded)!.ToJsonString());
        }, iter: 2000);
    }

    private static byte[] Word(params (int Index, byte Value)[] bytes)
    {
        var w = new byte[32];
        foreach (var (i, v) in bytes) w[i] = v;
        return w;
    }

    [Fact]
    public void A_bool_other_than_0_or_1_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Bool, Word((31, 2))));

    [Fact]
    public void A_uint8_with_high_bits_set_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.UInt(8), Word((30, 1))));

    [Fact]
    public void An_int8_must_be_sign_extended()
    {
        var minusOne = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.Equal(BigInteger.MinusOne, AbiDecoder.Decode(AbiType.Int(8), minusOne));
        minusOne[0] = 0;
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Int(8), minusOne));
    }

    [Fact]
    public void An_address_with_dirty_high_bytes_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Address, Word((0, 1))));

    [Fact]
    public void Bytes4_with_dirty_padding_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.FixedBytes(4), Word((4, 1))));

    [Fact]
    public void An_offset_past_the_end_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Bytes, Word((31, 64))));

    [Fact]
    public void A_huge_array_length_is_rejected_without_allocating()
    {
        var data = Word((31, 32)).Concat(Enumerable.Repeat((byte)0x7F, 1).Concat(new byte[31])).ToArray();
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Parse("uint256[]"), data));
    }

    [Fact]
    public void Offsets_reused_to_inflate_the_output_are_rejected()
    {
        // uint256[][] whose 4,000 outer items all point at one inner array of 4,000 words: 128 KB decoding to 16M values.
        const int n = 4000;
        var data = new byte[32 * (2 + n + 1 + n)];
        data[31] = 32;                                   // offset of the outer array
        data[62] = n >> 8; data[63] = n & 0xFF;          // outer length
        var inner = 32 * n;                              // every item points just past the offsets
        for (var i = 0; i < n; i++) { data[64 + 32 * i + 30] = (byte)(inner >> 8); data[64 + 32 * i + 31] = (byte)inner; }
        var innerAt = 64 + inner;
        data[innerAt + 30] = n >> 8; data[innerAt + 31] = n & 0xFF;
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.Parse("uint256[][]"), data));
    }

    [Fact]
    public void Truncated_data_is_rejected() =>
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode([AbiType.UInt256, AbiType.UInt256], new byte[40]));

    [Fact]
    public void Invalid_utf8_in_a_string_is_rejected()
    {
        var data = AbiEncoder.Encode(AbiType.Bytes, new byte[] { 0xC3, 0x28 });
        Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(AbiType.String, data));
    }

    [Fact]
    public void A_value_out_of_range_is_an_encoding_error_naming_the_position()
    {
        var e = Assert.Throws<AbiEncodingException>(() => AbiEncoder.Encode([AbiType.Parse("(bool,uint8[])")], [new object?[] { true, new object?[] { 1, 256 } }]));
        Assert.Contains("[0][1][1]", e.Message, StringComparison.Ordinal);
        Assert.Contains("uint8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decoding_error_names_the_position_of_the_bad_value()
    {
        var type = AbiType.Parse("(bool,uint8[])");
        var data = AbiEncoder.Encode(type, new object?[] { true, new object?[] { 1, 2 } });
        data[^32] = 1; // high byte of the word holding the second uint8
        var e = Assert.Throws<AbiDecodingException>(() => AbiDecoder.Decode(type, data));
        Assert.Equal("[0][1][1]", e.Path);
        Assert.StartsWith("at [0][1][1]: value out of range for uint8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uint256")]
    [InlineData("(address,(bytes32,string)[2],int8)[]")]
    [InlineData("bytes1[3][][2]")]
    [InlineData("()")]
    public void Canonical_type_strings_round_trip(string text) => Assert.Equal(text, AbiType.Parse(text).CanonicalName);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("bytes33")]
    [InlineData("bytes0")]
    [InlineData("uint256[0]")]
    [InlineData("uint256[01]")]
    [InlineData("(uint256")]
    [InlineData("(uint256,)")]
    [InlineData("uint256 ")]
    [InlineData("tuple")]
    public void Non_canonical_type_strings_are_rejected(string text) => Assert.Throws<FormatException>(() => AbiType.Parse(text));

    [Fact]
    public void Uint_is_an_alias_of_uint256() => Assert.Equal(AbiType.UInt256, AbiType.Parse("uint"));

    [Fact]
    public void Reverts_decode_as_Error_string_Panic_custom_or_unknown()
    {
        var abi = ContractAbi.Parse("""[{"type":"error","name":"Nope","inputs":[{"name":"who","type":"address"},{"name":"n","type":"uint8"}]}]""");
        var custom = abi.DecodeRevert(abi.GetError("Nope").Encode(Address.Zero, 7));
        Assert.Equal((RevertKind.Custom, "Nope"), (custom.Kind, custom.Name));
        Assert.Equal(new BigInteger(7), custom.Arguments[1]);

        var error = abi.DecodeRevert(AbiError.ErrorString.Encode("boom"));
        Assert.Equal((RevertKind.ErrorString, "boom"), (error.Kind, error.Arguments[0]));

        var panic = abi.DecodeRevert(AbiError.Panic.Encode(0x11));
        Assert.Equal((RevertKind.Panic, (object?)new BigInteger(0x11)), (panic.Kind, panic.Arguments[0]));

        Assert.Equal(RevertKind.Empty, abi.DecodeRevert([]).Kind);
        Assert.Equal(RevertKind.Unknown, abi.DecodeRevert([1, 2, 3, 4, 5]).Kind);
        // A known selector with garbage after it is unknown, not an exception.
        Assert.Equal(RevertKind.Unknown, abi.DecodeRevert([.. abi.GetError("Nope").Selector, 1]).Kind);
    }
}
