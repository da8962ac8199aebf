using System.Numerics;
using System.Security.Cryptography;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage.Tests;

/// <summary>Requests with random keys, so tests sharing a database never collide.</summary>
internal static class SampleRequests
{
    public static string RandomAddress() => "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public static byte[] Hash() => RandomNumberGenerator.GetBytes(32);

    public static RequestKey Key(ulong chainId = 31337, string? oracle = null, BigInteger? requestId = null) =>
        new(chainId, oracle ?? RandomAddress(), requestId ?? BigInteger.One);

    public static InferenceRequest Request(RequestKey? key = null, int inputBytes = 16)
    {
        var input = RandomNumberGenerator.GetBytes(inputBytes);
        return new InferenceRequest(
            key ?? Key(),
            new OnChainRequest(RandomAddress(), BigInteger.Pow(2, 96) - 1, Hash(), Hash(), ulong.MaxValue, 300_000, 8, 7),
            input,
            new LogPosition(ulong.MaxValue - 1, Hash(), Hash(), 3));
    }
}
