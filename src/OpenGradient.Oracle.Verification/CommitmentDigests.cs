using System.Numerics;
using OpenGradient.Oracle.Ethereum.Crypto;

namespace OpenGradient.Oracle.Verification;

/// <summary>The EIP-712 digest a commitment's signature covers (docs/PROTOCOL.md, "EIP-712").</summary>
internal static class CommitmentDigests
{
    /// <summary>Commitment(requestId, modelId, inputHash, keccak256(output), runtime) for a result,
    /// FailureReport(requestId, modelId, inputHash, reason, runtime) for a failure.</summary>
    public static byte[] Digest(Eip712Domain domain, BigInteger requestId, byte[] modelId, byte[] inputHash, CommitmentRecord commitment)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        return commitment.Kind == SettlementKind.Fulfilled
            ? CommitmentSigning.CommitmentDigest(domain, requestId, modelId, inputHash, Votes.ForOutput(commitment.Output ?? []), commitment.Runtime)
            : CommitmentSigning.FailureDigest(domain, requestId, modelId, inputHash, commitment.Reason ?? 0, commitment.Runtime);
    }
}
