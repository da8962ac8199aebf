using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>The secp256k1 curve and the raw operations Ethereum needs: public keys, signing with recovery id, recovery.</summary>
internal static class Secp256k1
{
    public static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    public static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    public static readonly BigInteger N = Curve.N;
    public static readonly BigInteger HalfN = N.ShiftRight(1);
    private static readonly FixedPointCombMultiplier Multiplier = new();

    /// <summary>Uncompressed public key without the 0x04 prefix: X ‖ Y, 64 bytes.</summary>
    public static byte[] PublicKey(BigInteger d)
    {
        var q = Multiplier.Multiply(Domain.G, d).Normalize();
        return q.GetEncoded(false).AsSpan(1).ToArray();
    }

    public static Address AddressOf(ReadOnlySpan<byte> publicKey64)
    {
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(publicKey64, hash);
        return new Address(hash[12..]);
    }

    /// <summary>
    /// RFC 6979 deterministic ECDSA (HMAC-SHA256), the same steps as BouncyCastle's ECDsaSigner but keeping the point R,
    /// so the recovery id comes for free instead of from trial recoveries. s is normalised to the lower half (EIP-2).
    /// </summary>
    public static (BigInteger R, BigInteger S, int RecoveryId) Sign(ReadOnlySpan<byte> hash32, BigInteger d)
    {
        var e = new BigInteger(1, hash32);
        var k = new Org.BouncyCastle.Crypto.Signers.HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest());
        k.Init(N, d, hash32.ToArray());
        while (true)
        {
            var kv = k.NextK();
            var p = Multiplier.Multiply(Domain.G, kv).Normalize();
            var x = p.AffineXCoord.ToBigInteger();
            var r = x.Mod(N);
            if (r.SignValue == 0) continue;
            // Constant-time inversion (safegcd), several times faster than BigInteger.ModInverse's extended Euclid,
            // which was the largest single cost of a signature.
            var s = BigIntegers.ModOddInverse(N, kv).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0) continue;
            var recId = (p.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(N) >= 0 ? 2 : 0);
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recId ^= 1;
            }
            return (r, s, recId);
        }
    }

    /// <summary>SEC 1 v2 §4.1.6 public key recovery. Returns null when no point recovers (an invalid signature).</summary>
    public static byte[]? Recover(ReadOnlySpan<byte> hash32, BigInteger r, BigInteger s, int recoveryId)
    {
        if (r.SignValue <= 0 || r.CompareTo(N) >= 0 || s.SignValue <= 0 || s.CompareTo(N) >= 0) return null;
        var x = r;
        if ((recoveryId & 2) != 0) x = x.Add(N);
        var prime = Curve.Curve.Field.Characteristic;
        if (x.CompareTo(prime) >= 0) return null;
        var encoded = new byte[33];
        encoded[0] = (byte)(0x02 | (recoveryId & 1));
        var xBytes = x.ToByteArrayUnsigned();
        xBytes.CopyTo(encoded.AsSpan(33 - xBytes.Length));
        ECPoint rPoint;
        try
        {
            rPoint = Curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null; // x is not on the curve
        }
        var e = new BigInteger(1, hash32);
        var rInv = BigIntegers.ModOddInverseVar(N, r); // r is public: variable time is fine
        var u1 = N.Subtract(e).Multiply(rInv).Mod(N);
        var u2 = s.Multiply(rInv).Mod(N);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, rPoint, u2).Normalize();
        if (q.IsInfinity) return null;
        return q.GetEncoded(false).AsSpan(1).ToArray();
    }

    public static ECPrivateKeyParameters PrivateParameters(BigInteger d) => new(d, Domain);
}
