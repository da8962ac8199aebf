using CsCheck;

namespace OpenGradient.Oracle.Inference.Tests;

public sealed class FixedPointTests
{
    private static long Quantize(double y, int decimals, long min = long.MinValue, long max = long.MaxValue)
    {
        Assert.True(FixedPoint.TryQuantize(y, decimals, min, max, out var q));
        return q;
    }

    [Theory]
    [InlineData(0.5, 0L)]
    [InlineData(1.5, 2L)]
    [InlineData(2.5, 2L)]
    [InlineData(3.5, 4L)]
    [InlineData(-0.5, 0L)]
    [InlineData(-1.5, -2L)]
    [InlineData(-2.5, -2L)]
    [InlineData(-3.5, -4L)]
    [InlineData(2.4999999999999996, 2L)]
    [InlineData(2.5000000000000004, 3L)]
    public void Output_ties_round_to_even_on_both_signs(double y, long expected) => Assert.Equal(expected, Quantize(y, 0));

    [Theory]
    [InlineData(0.125, 2, 12L)]    // 12.5 -> 12
    [InlineData(0.375, 2, 38L)]    // 37.5 -> 38
    [InlineData(-0.125, 2, -12L)]
    [InlineData(-0.375, 2, -38L)]
    [InlineData(0.0000025, 7, 25L)] // 25.000000000000004 in double: rounds to nearest
    [InlineData(5.5, 0, 6L)]
    [InlineData(-6.5, 0, -6L)]
    public void Output_is_scaled_in_double_then_rounded_half_to_even(double y, int decimals, long expected)
    {
        Assert.Equal(expected, Quantize(y, decimals));
    }

    [Fact]
    public void Values_above_the_range_saturate_to_max_and_below_to_min()
    {
        Assert.Equal(1_000_000, Quantize(2.0, 6, 0, 1_000_000));
        Assert.Equal(0, Quantize(-0.25, 6, 0, 1_000_000));
        Assert.Equal(1_000_000, Quantize(1.0000004, 6, 0, 1_000_000));
        Assert.Equal(999_999, Quantize(0.9999994, 6, 0, 1_000_000));
    }

    [Fact]
    public void Infinities_saturate()
    {
        Assert.Equal(1_000_000, Quantize(double.PositiveInfinity, 6, -5, 1_000_000));
        Assert.Equal(-5, Quantize(double.NegativeInfinity, 6, -5, 1_000_000));
        Assert.Equal(long.MaxValue, Quantize(double.PositiveInfinity, 18));
        Assert.Equal(long.MinValue, Quantize(double.NegativeInfinity, 0));
    }

    [Fact]
    public void NaN_is_not_quantized()
    {
        Assert.False(FixedPoint.TryQuantize(double.NaN, 6, 0, 1_000_000, out _));
        Assert.False(FixedPoint.TryQuantize(float.NaN, 0, long.MinValue, long.MaxValue, out _));
    }

    [Fact]
    public void Decimals_0_and_18_scale_exactly()
    {
        Assert.Equal(7, Quantize(7.0, 0));
        Assert.Equal(-7, Quantize(-7.0, 0));
        Assert.Equal(1_000_000_000_000_000_000, Quantize(1.0, 18));
        Assert.Equal(-1_000_000_000_000_000_000, Quantize(-1.0, 18));
        Assert.Equal(500_000_000_000_000_000, Quantize(0.5, 18));
        // 10 × 10^18 does not fit an int64: saturates instead of wrapping.
        Assert.Equal(long.MaxValue, Quantize(10.0, 18));
        Assert.Equal(long.MinValue, Quantize(-10.0, 18));
        Assert.Equal(1L << 62, Quantize(4.611686018427387904, 18));
        Assert.Equal(1e18, FixedPoint.Scale(18));
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedPoint.Scale(19));
    }

    [Fact]
    public void Bounds_near_int64_limits_are_exact()
    {
        // 2^63 - 1 is not a double; a value at 2^63 must still come out as the exact bound.
        Assert.Equal(long.MaxValue - 1, Quantize(9.3e18, 0, 0, long.MaxValue - 1));
        Assert.Equal(long.MinValue + 1, Quantize(-9.3e18, 0, long.MinValue + 1, 0));
        Assert.Equal(long.MinValue, Quantize(-9223372036854775808.0, 0));
    }

    [Fact]
    public void Input_conversion_divides_in_double_then_rounds_to_float()
    {
        Assert.Equal(1.5f, FixedPoint.ToFloat32(15_000, 4));
        Assert.Equal((float)0.0001, FixedPoint.ToFloat32(1, 4));
        Assert.Equal(-100f, FixedPoint.ToFloat32(-1_000_000, 4));
        Assert.Equal(42f, FixedPoint.ToFloat32(42, 0));
        Assert.Equal((float)(9223372036854775807.0 / 1e18), FixedPoint.ToFloat32(long.MaxValue, 18));
        Gen.Long.Select(Gen.Int[0, 18]).Sample((q, d) => FixedPoint.ToFloat32(q, d) == (float)((double)q / Math.Pow(10, d)));
    }

    [Fact]
    public void Quantized_values_always_lie_in_the_range()
    {
        Gen.Double.Select(Gen.Int[0, 18], Gen.Long, Gen.Long).Sample((y, d, a, b) =>
        {
            long min = Math.Min(a, b), max = Math.Max(a, b);
            if (!FixedPoint.TryQuantize(y, d, min, max, out var q)) return double.IsNaN(y);
            return q >= min && q <= max;
        });
    }

    [Fact]
    public void Integers_scaled_back_round_trip()
    {
        Gen.Long[-(1L << 40), 1L << 40].Sample(q => Quantize(q / 1e6, 6) == q);
        Gen.Int.Sample(q => Quantize(q, 0) == q);
    }

    [Fact]
    public void Integer_outputs_are_clamped()
    {
        Assert.Equal(5, FixedPoint.Clamp(5, -10, 10));
        Assert.Equal(10, FixedPoint.Clamp(11, -10, 10));
        Assert.Equal(-10, FixedPoint.Clamp(long.MinValue, -10, 10));
    }
}
