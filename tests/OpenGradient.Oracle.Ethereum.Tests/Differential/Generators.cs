using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

/// <summary>Generators and helpers shared by the differential suites.</summary>
internal static class Generators
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Valid secp256k1 keys, with the edges 1 and n-1 mixed in.</summary>
    public static readonly Gen<byte[]> PrivateKeyBytes = Gen.Frequency(
        (20, Gen.Byte.Array[32].Where(b => { var d = Unsigned(b); return d > 0 && d < N; })),
        (1, Gen.Const(() => Word(BigInteger.One))),
        (1, Gen.Const(() => Word(N - 1))),
        (1, Gen.Byte[1, 255].Select(b => Word(b))));

    public static readonly Gen<byte[]> Hash32 = Gen.Byte.Array[32];

    /// <summary>Non-negative integers of 0..32 bytes, biased toward small and boundary values.</summary>
    public static readonly Gen<BigInteger> Uint256 = Gen.Frequency(
        (3, Gen.Byte.Array[0, 32].Select(Unsigned)),
        (2, Gen.ULong[0, 300].Select(u => (BigInteger)u)),
        (1, Gen.Int[0, 256].Select(bits => BigInteger.Pow(2, bits) - 1 < 0 ? BigInteger.Zero : (BigInteger.Pow(2, bits) - 1) & ((BigInteger.One << 256) - 1))));

    public static BigInteger Unsigned(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    public static byte[] Word(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var word = new byte[32];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    public static string H(ReadOnlySpan<byte> bytes) => Hex.Encode(bytes);

    public static string Describe(object value) => JsonSerializer.Serialize(value);

    /// <summary>Fails with the generated case and both answers, so a mismatch is reproducible from the log.</summary>
    public static void Same(string? expected, string? actual, object @case, string what)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            Assert.Fail($"{what} differs from ethers\n case:   {Describe(@case)}\n ethers: {expected}\n ours:   {actual}");
    }

    public static JsonArray Batch(this EthersBridge ethers, string op, object cases) =>
        ethers.Call(op, new { cases })!.AsArray();

    public static string Str(this JsonNode? node) => node!.GetValue<string>();

    public static PrivateKey Key(byte[] bytes) => PrivateKey.FromBytes(bytes);
}
