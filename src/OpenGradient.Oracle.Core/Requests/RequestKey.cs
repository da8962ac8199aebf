using System.Globalization;
using System.Numerics;

namespace OpenGradient.Oracle.Core.Requests;

/// <summary>
/// Identifies a request on the node side: <c>(chainId, oracle address, requestId)</c> (docs/PROTOCOL.md).
/// The oracle address is kept as lower-case <c>0x</c> hex so that keys compare and hash by value.
/// </summary>
public readonly record struct RequestKey
{
    public RequestKey(ulong chainId, string oracle, BigInteger requestId)
    {
        if (requestId.Sign < 0 || requestId.GetBitLength() > 256)
            throw new ArgumentOutOfRangeException(nameof(requestId), requestId, "a request id is a uint256");
        ChainId = chainId;
        Oracle = AddressText.Normalize(oracle, nameof(oracle));
        RequestId = requestId;
    }

    public ulong ChainId { get; }

    /// <summary>The oracle contract, lower-case 0x-prefixed hex.</summary>
    public string Oracle { get; }

    public BigInteger RequestId { get; }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{ChainId}/{Oracle}/{RequestId}");
}

/// <summary>Validation of the 20-byte addresses Core carries as text (Core knows nothing of the Ethereum project).</summary>
public static class AddressText
{
    /// <summary>Returns <paramref name="address"/> as lower-case 0x hex or throws <see cref="ArgumentException"/>.</summary>
    public static string Normalize(string address, string paramName)
    {
        ArgumentNullException.ThrowIfNull(address, paramName);
        if (address.Length != 42 || address[0] != '0' || (address[1] != 'x' && address[1] != 'X')
            || !address.AsSpan(2).ContainsOnlyHex())
            throw new ArgumentException($"'{address}' is not a 20-byte 0x-prefixed hex address", paramName);
        return "0x" + address[2..].ToLowerInvariant();
    }

    private static bool ContainsOnlyHex(this ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }
}
