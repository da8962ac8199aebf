namespace OpenGradient.Oracle.Ethereum.Primitives;

/// <summary>0x-prefixed hex as Ethereum JSON-RPC and tools use it.</summary>
public static class Hex
{
    /// <summary>Lower-case, 0x-prefixed.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex with or without a 0x prefix. Odd length or a non-hex character is a <see cref="FormatException"/>.</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.AsSpan();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) digits = digits[2..];
        if (digits.Length % 2 != 0)
            throw new FormatException($"hex string has an odd number of digits ({digits.Length}): '{Shorten(hex)}'");
        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw new FormatException($"hex string contains a character that is not a hex digit: '{Shorten(hex)}'");
        }
    }

    /// <summary>Decodes hex that must be exactly <paramref name="length"/> bytes.</summary>
    public static byte[] DecodeFixed(string hex, int length)
    {
        var bytes = Decode(hex);
        if (bytes.Length != length)
            throw new FormatException($"expected {length} bytes of hex, got {bytes.Length}: '{Shorten(hex)}'");
        return bytes;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
