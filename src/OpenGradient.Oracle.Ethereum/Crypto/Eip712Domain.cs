using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>
/// The EIP-712 domain EIP712Domain(string name,string version,uint256 chainId,address verifyingContract), the shape
/// OpenZeppelin's EIP712 base contract uses. The separator is computed once.
/// </summary>
public sealed record Eip712Domain(string Name, string Version, BigInteger ChainId, Address VerifyingContract)
{
    /// <summary>The InferenceOracle's domain (docs/PROTOCOL.md).</summary>
    public static Eip712Domain InferenceOracle(BigInteger chainId, Address oracle) =>
        new("OpenGradient InferenceOracle", "1", chainId, oracle);

    private static readonly byte[] DomainTypeHash =
        Keccak256.Hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"u8);

    private byte[]? _separator;

    public ReadOnlySpan<byte> Separator => _separator ??= ComputeSeparator();

    public bool Equals(Eip712Domain? other) =>
        other is not null && Name == other.Name && Version == other.Version && ChainId == other.ChainId
        && VerifyingContract == other.VerifyingContract;

    public override int GetHashCode() => HashCode.Combine(Name, Version, ChainId, VerifyingContract);

    private byte[] ComputeSeparator()
    {
        ArgumentNullException.ThrowIfNull(Name);
        ArgumentNullException.ThrowIfNull(Version);
        if (ChainId.Sign < 0) throw new ArgumentOutOfRangeException(nameof(ChainId), ChainId, "chainId must not be negative");
        Span<byte> buffer = stackalloc byte[32 * 5];
        DomainTypeHash.CopyTo(buffer);
        Keccak256.Hash(Encoding.UTF8.GetBytes(Name), buffer[32..]);
        Keccak256.Hash(Encoding.UTF8.GetBytes(Version), buffer[64..]);
        Word.WriteInteger(ChainId, buffer.Slice(96, 32));
        buffer.Slice(128, 12).Clear();
        VerifyingContract.Bytes.CopyTo(buffer[140..]);
        return Keccak256.Hash(buffer);
    }
}
