using System.Numerics;

namespace OpenGradient.Oracle.Core.Requests;

/// <summary>
/// The on-chain <c>Request</c> struct of <c>InferenceOracle</c>, field for field (docs/PROTOCOL.md). Fulfilments and
/// failure reports carry it back, so it is kept exactly as emitted.
/// </summary>
// Requester: msg.sender of requestInference, lower-case 0x hex.
// Fee: uint96, in wei.
// ModelId: bytes32.
// InputHash: bytes32, keccak256 of the input bytes.
// Deadline: uint64 unix seconds.
public sealed record OnChainRequest(
    string Requester,
    BigInteger Fee,
    byte[] ModelId,
    byte[] InputHash,
    ulong Deadline,
    uint CallbackGasLimit,
    uint OutputBytes,
    byte Redundancy)
{
    public string Requester { get; init; } = AddressText.Normalize(Requester, nameof(Requester));
    public byte[] ModelId { get; init; } = Bytes32(ModelId, nameof(ModelId));
    public byte[] InputHash { get; init; } = Bytes32(InputHash, nameof(InputHash));
    public BigInteger Fee { get; init; } = Fee.Sign >= 0 && Fee.GetBitLength() <= 96
        ? Fee : throw new ArgumentOutOfRangeException(nameof(Fee), Fee, "fee is a uint96");

    internal static byte[] Bytes32(byte[] value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value.Length == 32 ? value : throw new ArgumentException($"{name} must be 32 bytes, got {value.Length}", name);
    }
}

/// <summary>Where the <c>InferenceRequested</c> log was seen; a reorg check compares <see cref="BlockHash"/>.</summary>
public sealed record LogPosition(ulong BlockNumber, byte[] BlockHash, byte[] TransactionHash, uint LogIndex)
{
    public byte[] BlockHash { get; init; } = OnChainRequest.Bytes32(BlockHash, nameof(BlockHash));
    public byte[] TransactionHash { get; init; } = OnChainRequest.Bytes32(TransactionHash, nameof(TransactionHash));
}

/// <summary>One <c>InferenceRequested</c> event, everything the node needs to serve it.</summary>
/// <remarks>Byte arrays compare by reference: compare requests by <see cref="Key"/>.</remarks>
public sealed record InferenceRequest(RequestKey Key, OnChainRequest Request, byte[] Input, LogPosition Log);
