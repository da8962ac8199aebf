namespace OpenGradient.Oracle.Inference;

/// <summary>
/// Conversions between on-chain fixed-point integers (real value = q / 10^decimals) and ONNX float32 tensors,
/// exactly as docs/PROTOCOL.md "Node conversion" defines them. Every node must compute the same bits here.
/// </summary>
public static class FixedPoint
{
    public const int MaxDecimals = 18;

    // Powers of ten up to 1e22 are exact in double; these literals are the exact values.
    private static readonly double[] Pow10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
        1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    ];

    // 2^63 as a double: the first value above long.MaxValue.
    private const double TwoPow63 = 9223372036854775808.0;

    /// <summary>10^<paramref name="decimals"/> as an exact double.</summary>
    public static double Scale(int decimals) =>
        (uint)decimals <= MaxDecimals
            ? Pow10[decimals]
            : throw new ArgumentOutOfRangeException(nameof(decimals), decimals, $"decimals must be 0..{MaxDecimals}");

    /// <summary>Float32 ONNX input: <c>(float)((double)q / 10^decimals)</c>, the cast rounding to nearest even.</summary>
    public static float ToFloat32(long q, int decimals) => (float)(q / Scale(decimals));

    /// <summary>
    /// Float ONNX output: <c>round_half_to_even((double)y × 10^decimals)</c>, saturated to [min, max] (so are ±∞).
    /// Returns false only for NaN (the request fails with OUTPUT_NOT_FINITE).
    /// </summary>
    public static bool TryQuantize(double y, int decimals, long minValue, long maxValue, out long q)
    {
        if (minValue > maxValue) throw new ArgumentException($"minValue {minValue} > maxValue {maxValue}", nameof(minValue));
        var scaled = y * Scale(decimals);
        if (double.IsNaN(scaled))
        {
            q = 0;
            return false;
        }
        var rounded = Math.Round(scaled, MidpointRounding.ToEven);
        // Compare in the integer domain once the value is known to fit a long, so bounds near ±2^63 stay exact.
        long whole;
        if (rounded >= TwoPow63) whole = long.MaxValue;
        else if (rounded < -TwoPow63) whole = long.MinValue;
        else whole = (long)rounded;
        q = Math.Clamp(whole, minValue, maxValue);
        return true;
    }

    /// <summary>Integer ONNX output: exact, clamped to [min, max].</summary>
    public static long Clamp(long value, long minValue, long maxValue) => Math.Clamp(value, minValue, maxValue);
}
