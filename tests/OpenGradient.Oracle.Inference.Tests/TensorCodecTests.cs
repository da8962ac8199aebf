using CsCheck;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Inference.Tests;

public sealed class TensorCodecTests
{
    private static readonly Gen<ElementType> Types = Gen.OneOfConst(ElementType.Int8, ElementType.Int16, ElementType.Int32, ElementType.Int64);

    private static readonly Gen<(TensorSpec Spec, long[] Values)> SpecAndValues =
        from type in Types
        from shape in Gen.UInt[1, 6].Array[1, 4]
        let spec = new TensorSpec(type, 0, type.MinValue(), type.MaxValue(), shape)
        from values in Gen.Long[type.MinValue(), type.MaxValue()].Array[(int)spec.ElementCount]
        select (spec, values);

    [Fact]
    public void Encode_then_decode_is_the_identity()
    {
        SpecAndValues.Sample(t =>
        {
            var bytes = TensorCodec.Encode(t.Values, t.Spec);
            Assert.Equal(t.Spec.ByteLength, bytes.Length);
            Assert.Equal(t.Values, TensorCodec.Decode(bytes, t.Spec));
        });
    }

    [Fact]
    public void Decode_then_encode_is_the_identity_on_any_bytes_of_the_right_length()
    {
        SpecAndValues.SelectMany(t => Gen.Byte.Array[(int)t.Spec.ByteLength].Select(b => (t.Spec, b))).Sample(t =>
            Assert.Equal(t.b, TensorCodec.Encode(TensorCodec.Decode(t.b, t.Spec), t.Spec)));
    }

    [Fact]
    public void Any_other_length_is_rejected()
    {
        SpecAndValues.Select(Gen.Int[-8, 8]).Sample((t, delta) =>
        {
            if (delta == 0) return;
            var length = (int)Math.Max(0, t.Spec.ByteLength + delta);
            if (length == t.Spec.ByteLength) return;
            Assert.False(TensorCodec.TryDecode(new byte[length], t.Spec, new long[t.Spec.ElementCount]));
        });
    }

    [Fact]
    public void Elements_are_big_endian_twos_complement_row_major()
    {
        var spec = new TensorSpec(ElementType.Int32, 4, int.MinValue, int.MaxValue, [1, 3]);
        Assert.Equal(Convert.FromHexString("00000001FFFFFFFF80000000"), TensorCodec.Encode([1, -1, int.MinValue], spec));
        var int16 = new TensorSpec(ElementType.Int16, 0, short.MinValue, short.MaxValue, [2]);
        Assert.Equal([258, -2], TensorCodec.Decode(Convert.FromHexString("0102FFFE"), int16));
        var int8 = new TensorSpec(ElementType.Int8, 0, -128, 127, [2]);
        Assert.Equal([-128, 127], TensorCodec.Decode(Convert.FromHexString("807F"), int8));
        var int64 = new TensorSpec(ElementType.Int64, 18, long.MinValue, long.MaxValue, [1]);
        Assert.Equal(Convert.FromHexString("8000000000000000"), TensorCodec.Encode([long.MinValue], int64));
    }

    [Fact]
    public void Encoding_a_value_that_does_not_fit_the_type_is_a_caller_bug()
    {
        var int8 = new TensorSpec(ElementType.Int8, 0, -128, 127, [1]);
        Assert.Throws<ArgumentException>(() => TensorCodec.Encode([128], int8));
        Assert.Throws<ArgumentException>(() => TensorCodec.Encode([1, 2], int8));
        Assert.Throws<ArgumentException>(() => TensorCodec.Decode(new byte[2], int8));
    }
}
