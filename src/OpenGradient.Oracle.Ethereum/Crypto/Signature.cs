using OpenGradient.Oracle.Ethereum.Primitives;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>A malformed or non-recoverable signature: wrong length, bad v, r or s out of range, high s.</summary>
public sealed class SignatureFormatException(string message) : FormatException(message);

/// <summary>
/// A recoverable secp256k1 signature (r, s, yParity) with s in the lower half of the order (EIP-2), as
/// OpenZeppelin's ECDSA.recover requires. Encodes as 65 bytes r ‖ s ‖ v with v ∈ {27, 28}.
/// </summary>
public sealed class Signature : IEquatable<Signature>
{
    public const int Length = 65;
    private readonly byte[] _r;
    private readonly byte[] _s;

    /// <summary>r and s are 32 big-endian bytes each; yParity is 0 or 1.</summary>
    public Signature(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, byte yParity)
    {
        if (r.Length != 32) throw new SignatureFormatException($"r must be 32 bytes, got {r.Length}");
        if (s.Length != 32) throw new SignatureFormatException($"s must be 32 bytes, got {s.Length}");
        if (yParity > 1) throw new SignatureFormatException($"yParity must be 0 or 1, got {yParity}");
        var rv = new BigInteger(1, r);
        var sv = new BigInteger(1, s);
        if (rv.SignValue == 0 || rv.CompareTo(Secp256k1.N) >= 0)
            throw new SignatureFormatException("r must be in 1..n-1");
        if (sv.SignValue == 0) throw new SignatureFormatException("s must not be zero");
        if (sv.CompareTo(Secp256k1.HalfN) > 0)
            throw new SignatureFormatException("s is above n/2 (a malleable high-s signature); EIP-2 requires low s");
        _r = r.ToArray();
        _s = s.ToArray();
        YParity = yParity;
    }

    public ReadOnlySpan<byte> R => _r;
    public ReadOnlySpan<byte> S => _s;
    public byte YParity { get; }

    /// <summary>27 or 28, the v of a 65-byte signature and of pre-EIP-155 transactions.</summary>
    public byte V => (byte)(27 + YParity);

    /// <summary>Parses 65 bytes r ‖ s ‖ v; v may be 27/28 or 0/1.</summary>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new SignatureFormatException($"a signature is {Length} bytes (r ‖ s ‖ v), got {bytes.Length}");
        var v = bytes[64];
        var parity = v switch
        {
            27 or 28 => (byte)(v - 27),
            0 or 1 => v,
            _ => throw new SignatureFormatException($"v must be 27 or 28 (or 0/1), got {v}"),
        };
        return new Signature(bytes[..32], bytes[32..64], parity);
    }

    /// <summary>Parses 0x + 130 hex digits.</summary>
    public static Signature Parse(string hex)
    {
        byte[] bytes;
        try
        {
            bytes = Hex.Decode(hex);
        }
        catch (FormatException e)
        {
            throw new SignatureFormatException("signature: " + e.Message);
        }
        return FromBytes(bytes);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        _r.CopyTo(bytes, 0);
        _s.CopyTo(bytes, 32);
        bytes[64] = V;
        return bytes;
    }

    /// <summary>The uncompressed public key (64 bytes, no prefix) that produced this signature over <paramref name="hash32"/>.</summary>
    public byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
            throw new ArgumentException($"recover from a 32-byte hash, got {hash32.Length} bytes", nameof(hash32));
        return Secp256k1.Recover(hash32, new BigInteger(1, _r), new BigInteger(1, _s), YParity)
            ?? throw new SignatureFormatException("no public key recovers from this signature (r is not an x coordinate on the curve)");
    }

    /// <summary>The address whose key signed <paramref name="hash32"/>.</summary>
    public Address Recover(ReadOnlySpan<byte> hash32) => Secp256k1.AddressOf(RecoverPublicKey(hash32));

    public override string ToString() => Hex.Encode(ToBytes());

    public bool Equals(Signature? other) =>
        other is not null && YParity == other.YParity && _r.AsSpan().SequenceEqual(other._r) && _s.AsSpan().SequenceEqual(other._s);

    public override bool Equals(object? obj) => Equals(obj as Signature);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_r);
        h.AddBytes(_s);
        h.Add(YParity);
        return h.ToHashCode();
    }
}
