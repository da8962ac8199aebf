using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>
/// The verifier's digests and votes against tests/vectors/commitments.json, which Hardhat wrote with ethers and checked
/// against the contract: the verifier cannot drift from what the chain signs and counts.
/// </summary>
public sealed class SharedVectorTests
{
    private static readonly JsonElement Vectors =
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "vectors", "commitments.json"))).RootElement;

    private static ChainPosition Nowhere => new(0, new byte[32], new byte[32], 0);

    [Fact]
    public void Commitment_digests_output_votes_and_signers_match_the_vectors()
    {
        var vectors = Vectors.GetProperty("commitments").EnumerateArray().ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var f = v.GetProperty("fields");
            var output = Hex.Decode(v.GetProperty("output").GetString()!);
            var commitment = new CommitmentRecord(Address.Parse(v.GetProperty("signer").GetString()!), SettlementKind.Fulfilled,
                Hex.Decode(f.GetProperty("outputHash").GetString()!), Hex.Decode(f.GetProperty("runtime").GetString()!), output, null,
                Hex.Decode(v.GetProperty("signature").GetString()!), "fulfil", Nowhere);

            Assert.Equal(commitment.Vote, Votes.ForOutput(output));
            var digest = CommitmentDigests.Digest(Domain(v), Big(f, "requestId"), Hex.Decode(f.GetProperty("modelId").GetString()!),
                Hex.Decode(f.GetProperty("inputHash").GetString()!), commitment);
            Assert.Equal(v.GetProperty("digest").GetString(), Hex.Encode(digest));
            Assert.Equal(commitment.Operator, Signature.FromBytes(commitment.Signature).Recover(digest));
        }
    }

    [Fact]
    public void Failure_digests_votes_and_signers_match_the_vectors()
    {
        var vectors = Vectors.GetProperty("failureReports").EnumerateArray().ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var f = v.GetProperty("fields");
            var reason = (ushort)f.GetProperty("reason").GetInt32();
            var report = new CommitmentRecord(Address.Parse(v.GetProperty("signer").GetString()!), SettlementKind.Failed,
                Hex.Decode(v.GetProperty("vote").GetString()!), Hex.Decode(f.GetProperty("runtime").GetString()!), null, reason,
                Hex.Decode(v.GetProperty("signature").GetString()!), "reportFailure", Nowhere);

            Assert.Equal(Hex.Encode(report.Vote), Hex.Encode(Votes.ForFailure(reason)));
            var digest = CommitmentDigests.Digest(Domain(v), Big(f, "requestId"), Hex.Decode(f.GetProperty("modelId").GetString()!),
                Hex.Decode(f.GetProperty("inputHash").GetString()!), report);
            Assert.Equal(v.GetProperty("digest").GetString(), Hex.Encode(digest));
            Assert.Equal(report.Operator, Signature.FromBytes(report.Signature).Recover(digest));
        }
    }

    private static Eip712Domain Domain(JsonElement v) =>
        Eip712Domain.InferenceOracle(Big(v, "chainId"), Address.Parse(v.GetProperty("verifyingContract").GetString()!));

    private static BigInteger Big(JsonElement e, string name) =>
        BigInteger.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}
