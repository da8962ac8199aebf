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
/// <c>fulfil</c> / <c>fulfilBatch</c> / <c>fulfilBatchPacked</c> / <c>reportFailure</c> calldata that carried it (output or reason, signature).
/// </summary>
/// <param name="Method">The oracle function that carried it: fulfil, fulfilBatch, fulfilBatchPacked, reexecute or reportFailure.</param>
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
    IReadOnlyList<OperatorRecord> Operators,
    FinalityHistory? Finality = null)
{
    /// <summary>Re-execution commitments of a challenge round carry this method name.</summary>
    public const string ReexecuteMethod = "reexecute";

    /// <summary>The output that counts: the final one of an opted-in request once finalized, else the settled one.</summary>
    public byte[]? EffectiveOutput => Finality?.FinalOutput ?? Settlement.Output;

    /// <summary>The hash of <see cref="EffectiveOutput"/> as the chain reported it.</summary>
    public byte[]? EffectiveOutputHash => Finality?.FinalOutputHash ?? Settlement.OutputHash;

    public const string FormatName = "opengradient-oracle-proof";
    public const int FormatVersion = 1;
}

/// <summary>How a challenge round of an opted-in request ended (docs/PROTOCOL.md, "Challenge window").</summary>
public enum ChallengeOutcome
{
    /// <summary>Not challenged, or challenged and the round is still open.</summary>
    None,

    /// <summary><c>ChallengeResolved(originalCorrect = true)</c>: the re-executors confirmed the provisional output.</summary>
    OriginalCorrect,

    /// <summary><c>ChallengeResolved(originalCorrect = false)</c>: the re-executors' majority replaced it.</summary>
    OriginalWrong,

    /// <summary><c>ChallengeTimedOut</c>: no majority in the round; the provisional output stands.</summary>
    TimedOut,
}

/// <summary>A <c>challenge</c> of a provisional result.</summary>
public sealed record ChallengeRecord(Address Challenger, byte[] ClaimedOutputHash, ChainPosition Position);

/// <summary>
/// The two-phase history of a request that opted into the challenge window (null in a bundle otherwise): the
/// provisional result, an optional challenge and its outcome, and the final output once <c>ResultFinalized</c> was
/// emitted. Re-execution commitments of a challenge round are in <see cref="ProofBundle.Commitments"/> with method
/// <c>reexecute</c>.
/// </summary>
public sealed record FinalityHistory(
    ulong ChallengeWindow,
    Address ProvisionalOperator,
    byte[] ProvisionalOutputHash,
    ulong ChallengeDeadline,
    ChallengeRecord? Challenge,
    ChallengeOutcome Outcome,
    byte[]? FinalOutput,
    byte[]? FinalOutputHash,
    ChainPosition? Finalized);
