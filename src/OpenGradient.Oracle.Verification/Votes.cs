using System.Numerics;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Crypto;

namespace OpenGradient.Oracle.Verification;

/// <summary>What a commitment votes on (docs/PROTOCOL.md, "Settlement with redundancy k").</summary>
internal static class Votes
{
    private static readonly AbiType[] FailureVoteTypes = [AbiType.String, AbiType.UInt(16)];

    /// <summary>A result votes on <c>keccak256(output)</c>.</summary>
    public static byte[] ForOutput(ReadOnlySpan<byte> output) => Keccak256.Hash(output);

    /// <summary>A failure report votes on <c>keccak256(abi.encode("failure", reason))</c>.</summary>
    public static byte[] ForFailure(ushort reason) =>
        Keccak256.Hash(AbiEncoder.Encode(FailureVoteTypes, ["failure", new BigInteger(reason)]));

    /// <summary>A uint256 as the 32-byte indexed topic it is in logs.</summary>
    public static byte[] Topic(BigInteger value)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
            throw new ArgumentOutOfRangeException(nameof(value), value, "not a uint256");
        var word = new byte[32];
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }
}
