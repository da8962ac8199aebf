using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Verification;

/// <summary>How a request ended on-chain.</summary>
public enum SettlementKind
{
    /// <summary><c>InferenceFulfilled</c>: an output was settled.</summary>
    Fulfilled,

    /// <summary><c>InferenceFailed</c>: a failure reason was settled.</summary>
    Failed,
}

/// <summary>Where a log was emitted: block, its hash, the transaction and the log's index in the block.</summary>
public sealed record ChainPosition(ulong BlockNumber, byte[] BlockHash, byte[] TransactionHash, ulong LogIndex);

/// <summary>The model's registry entry, read at <see cref="AtBlock"/> (the settlement block).</summary>
public sealed record ModelRecord(
    byte[] ModelId,
    string Uri,
    Address Owner,
    BigInteger Fee,
    bool Revoked,
    TensorSpec Input,
    TensorSpec Output,
    ulong AtBlock);

/// <summary>The settlement event: <see cref="Output"/> and <see cref="OutputHash"/> for a fulfilment, <see cref="Reason"/>
/// for a failure.</summary>
public sealed record SettlementRecord(
    SettlementKind Kind,
    byte[]? Output,
    byte[]? OutputHash,
    ushort? Reason,
    ChainPosition Position);

/// <summary>
/// One operator's commitment: the <c>CommitmentRecorded</c> event (operator, vote, runtime) joined with the item of the
/// <c>fulfil</c> / <c>fulfilBatch</c> / <c>reportFailure</c> calldata that carried it (output or reason, signature).
/// </summary>
/// <param name="Method">The oracle function that carried it: fulfil, fulfilBatch or reportFailure.</param>
public sealed record CommitmentRecord(
    Address Operator,
    SettlementKind Kind,
    byte[] Vote,
    byte[] Runtime,
    byte[]? Output,
    ushort? Reason,
    byte[] Signature,
    string Method,
    ChainPosition Position);

/// <summary>An operator's registry state read at <see cref="AtBlock"/> (the block of its commitment).</summary>
public sealed record OperatorRecord(Address Operator, bool Registered, BigInteger Stake, ulong UnbondingAt, bool Active, ulong AtBlock);

/// <summary>
/// Everything needed to verify one settled request offline (docs/VERIFICATION.md, "Proof bundle"). The same record
/// is what <see cref="SettlementReader"/> gathers from the chain, so online and offline verification run one code path.
/// </summary>
public sealed record ProofBundle(
    ulong ChainId,
    Address Oracle,
    Address ModelRegistry,
    Address OperatorRegistry,
    BigInteger RequestId,
    InferenceOracleContract.Request Request,
    byte[] Input,
    ChainPosition Requested,
    ModelRecord Model,
    SettlementRecord Settlement,
    IReadOnlyList<CommitmentRecord> Commitments,
    BigInteger MinStake,
    IReadOnlyList<OperatorRecord> Operators)
{
    public const string FormatName = "opengradient-oracle-proof";
    public const int FormatVersion = 1;
}
