using System.Globalization;
using System.Numerics;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>Exact conversions between fixed-point integers (q / 10^decimals) and their decimal text.</summary>
public static class FixedPointText
{
    /// <summary>q / 10^decimals as exact decimal text, without trailing fractional zeros ("0.5621", "-3", "12.25").</summary>
    public static string Format(BigInteger q, int decimals)
    {
        if (decimals == 0) return q.ToString(CultureInfo.InvariantCulture);
        var negative = q.Sign < 0;
        var digits = BigInteger.Abs(q).ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var whole = digits[..^decimals];
        var fraction = digits[^decimals..].TrimEnd('0');
        return (negative ? "-" : "") + whole + (fraction.Length > 0 ? "." + fraction : "");
    }

    /// <summary>
    /// Parses decimal text into q = value × 10^decimals. Refuses (false) text with more fractional digits than
    /// <paramref name="decimals"/>: the input would be rounded, and the node would compute on a different number than
    /// the user wrote.
    /// </summary>
    public static bool TryParse(string text, int decimals, out BigInteger q)
    {
        q = BigInteger.Zero;
        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
            s = s[..e];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length + fraction.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit)) return false;
        var digits = BigInteger.Parse("0" + whole + fraction, CultureInfo.InvariantCulture);
        var scale = decimals + exponent - fraction.Length;
        if (scale >= 0)
        {
            q = digits * BigInteger.Pow(10, scale);
        }
        else
        {
            var divisor = BigInteger.Pow(10, -scale);
            if (!(digits % divisor).IsZero) return false;
            q = digits / divisor;
        }
        if (negative) q = -q;
        return true;
    }
}
