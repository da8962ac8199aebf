using System.Security.Cryptography;
using OpenGradient.Oracle.Ethereum.Primitives;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>
/// A secp256k1 private key: 32 bytes in 1..n-1. <see cref="ToString"/> shows only the address, so a key never lands in a
/// log by accident; <see cref="ExportBytes"/> is the one deliberate way out.
/// </summary>
public sealed class PrivateKey
{
    public const int Length = 32;
    private readonly BigInteger _d;
    private byte[]? _publicKey;
    private Address? _address;

    private PrivateKey(BigInteger d) => _d = d;

    /// <summary>Takes exactly 32 big-endian bytes; zero or a value ≥ n is an <see cref="ArgumentException"/>.</summary>
    public static PrivateKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"a private key is {Length} bytes, got {bytes.Length}", nameof(bytes));
        var d = new BigInteger(1, bytes);
        if (d.SignValue == 0 || d.CompareTo(Secp256k1.N) >= 0)
            throw new ArgumentException("a private key must be in 1..n-1 of secp256k1", nameof(bytes));
        return new PrivateKey(d);
    }

    /// <summary>Parses 0x + 64 hex digits (the prefix is optional). The message never echoes the input.</summary>
    public static PrivateKey Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length != 2 * Length || !digits.All(Uri.IsHexDigit))
            throw new FormatException($"a private key is 64 hex digits, got {digits.Length} characters (value not shown)");
        return FromBytes(Convert.FromHexString(digits));
    }

    public static PrivateKey Generate()
    {
        Span<byte> buffer = stackalloc byte[Length];
        while (true)
        {
            RandomNumberGenerator.Fill(buffer);
            var d = new BigInteger(1, buffer);
            if (d.SignValue > 0 && d.CompareTo(Secp256k1.N) < 0) return new PrivateKey(d);
        }
    }

    /// <summary>The 32 key bytes. Callers own the copy and should clear it.</summary>
    public byte[] ExportBytes() => _d.ToByteArrayUnsigned().PadLeft(Length);

    /// <summary>Uncompressed public key without the 0x04 prefix (X ‖ Y, 64 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey ??= Secp256k1.PublicKey(_d);

    public Address Address => _address ??= Secp256k1.AddressOf(PublicKey);

    /// <summary>Deterministic (RFC 6979) low-s signature over a 32-byte hash.</summary>
    public Signature Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
            throw new ArgumentException($"sign a 32-byte hash, got {hash32.Length} bytes", nameof(hash32));
        var (r, s, recId) = Secp256k1.Sign(hash32, _d);
        if (recId > 1)
            throw new CryptographicException("signature needs a recovery id above 1, which Ethereum cannot express"); // p ≈ 2^-128
        return new Signature(r.ToByteArrayUnsigned().PadLeft(32), s.ToByteArrayUnsigned().PadLeft(32), (byte)recId);
    }

    public override string ToString() => $"PrivateKey({Address})";
}

internal static class ByteArrayExtensions
{
    public static byte[] PadLeft(this byte[] bytes, int length)
    {
        if (bytes.Length == length) return bytes;
        if (bytes.Length > length) throw new ArgumentException($"value needs {bytes.Length} bytes, more than {length}");
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
