using System.Text;
using OpenGradient.Oracle.Ethereum.Crypto;

namespace OpenGradient.Oracle.Ethereum.Primitives;

/// <summary>A 20-byte Ethereum account address. Prints with its EIP-55 checksum.</summary>
public readonly record struct Address
{
    public const int Length = 20;
    private readonly byte[]? _bytes;

    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"an address is {Length} bytes, got {bytes.Length}", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    public static Address Zero { get; } = new(new byte[Length]);

    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Length];

    /// <summary>
    /// Parses 0x + 40 hex digits. All-lower or all-upper input is accepted as is; mixed case must carry a
    /// correct EIP-55 checksum, so a mistyped address is caught instead of sending funds to it.
    /// </summary>
    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length != 2 + 2 * Length)
            throw new FormatException($"an address is 0x followed by 40 hex digits, got '{text}'");
        var address = new Address(Hex.Decode(text));
        var digits = text[2..];
        var mixedCase = digits.Any(char.IsUpper) && digits.Any(char.IsLower);
        if (mixedCase && address.ToString() != text)
            throw new FormatException($"address '{text}' has a wrong EIP-55 checksum; did you mean '{address}'?");
        return address;
    }

    public static bool TryParse(string text, out Address address)
    {
        try
        {
            address = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            address = default;
            return false;
        }
    }

    /// <summary>EIP-55 mixed-case checksum encoding.</summary>
    public override string ToString()
    {
        var lower = Convert.ToHexStringLower(Bytes);
        var hash = Keccak256.Hash(Encoding.ASCII.GetBytes(lower));
        var sb = new StringBuilder("0x", 2 + 2 * Length);
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            sb.Append(nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i]);
        }
        return sb.ToString();
    }

    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }
}
