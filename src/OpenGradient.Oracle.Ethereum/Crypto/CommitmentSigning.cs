using System.Numerics;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>
/// The typed fast path for the oracle's EIP-712 messages (docs/PROTOCOL.md):
/// Commitment(uint256 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 runtime) and
/// FailureReport(uint256 requestId,bytes32 modelId,bytes32 inputHash,uint16 reason,bytes32 runtime).
/// Byte arguments are 32 bytes each.
/// </summary>
public static class CommitmentSigning
{
    public const string CommitmentType =
        "Commitment(uint256 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 runtime)";

    public const string FailureReportType =
        "FailureReport(uint256 requestId,bytes32 modelId,bytes32 inputHash,uint16 reason,bytes32 runtime)";

    private static readonly byte[] CommitmentTypeHash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(CommitmentType));
    private static readonly byte[] FailureReportTypeHash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(FailureReportType));

    public static byte[] CommitmentDigest(Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ReadOnlySpan<byte> outputHash, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(domain);
        Span<byte> buffer = stackalloc byte[32 * 6];
        CommitmentTypeHash.CopyTo(buffer);
        WriteUint256(requestId, buffer.Slice(32, 32), nameof(requestId));
        Copy32(modelId, buffer.Slice(64, 32), nameof(modelId));
        Copy32(inputHash, buffer.Slice(96, 32), nameof(inputHash));
        Copy32(outputHash, buffer.Slice(128, 32), nameof(outputHash));
        Copy32(runtime, buffer.Slice(160, 32), nameof(runtime));
        return TypedData.Eip712Hash(domain.Separator, Keccak256.Hash(buffer));
    }

    public static byte[] FailureDigest(Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ushort reason, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(domain);
        Span<byte> buffer = stackalloc byte[32 * 6];
        FailureReportTypeHash.CopyTo(buffer);
        WriteUint256(requestId, buffer.Slice(32, 32), nameof(requestId));
        Copy32(modelId, buffer.Slice(64, 32), nameof(modelId));
        Copy32(inputHash, buffer.Slice(96, 32), nameof(inputHash));
        buffer.Slice(128, 32).Clear();
        buffer[158] = (byte)(reason >> 8);
        buffer[159] = (byte)reason;
        Copy32(runtime, buffer.Slice(160, 32), nameof(runtime));
        return TypedData.Eip712Hash(domain.Separator, Keccak256.Hash(buffer));
    }

    public static Signature SignCommitment(PrivateKey key, Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ReadOnlySpan<byte> outputHash, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(CommitmentDigest(domain, requestId, modelId, inputHash, outputHash, runtime));
    }

    public static Signature SignFailure(PrivateKey key, Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ushort reason, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(FailureDigest(domain, requestId, modelId, inputHash, reason, runtime));
    }

    public static Address RecoverCommitment(Signature signature, Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ReadOnlySpan<byte> outputHash, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Recover(CommitmentDigest(domain, requestId, modelId, inputHash, outputHash, runtime));
    }

    public static Address RecoverFailure(Signature signature, Eip712Domain domain, BigInteger requestId, ReadOnlySpan<byte> modelId,
        ReadOnlySpan<byte> inputHash, ushort reason, ReadOnlySpan<byte> runtime)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Recover(FailureDigest(domain, requestId, modelId, inputHash, reason, runtime));
    }

    private static void WriteUint256(BigInteger value, Span<byte> word, string name)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a uint256");
        Word.WriteInteger(value, word);
    }

    private static void Copy32(ReadOnlySpan<byte> value, Span<byte> word, string name)
    {
        if (value.Length != 32) throw new ArgumentException($"{name} must be 32 bytes, got {value.Length}", name);
        value.CopyTo(word);
    }
}
