using OpenGradient.Oracle.Ethereum.Abi;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>Where a revert was seen: before broadcasting (nothing was spent) or in a mined transaction.</summary>
public enum RevertStage
{
    /// <summary>eth_estimateGas / eth_call refused the transaction; it was never broadcast.</summary>
    Simulation,

    /// <summary>The transaction was mined with status 0; gas was spent.</summary>
    Execution,
}

/// <summary>A contract refused a transaction. <see cref="Reason"/> names the custom error when the ABI knows it.</summary>
public sealed class ContractRevertedException : Exception
{
    public ContractRevertedException(RevertStage stage, RevertReason reason, byte[]? transactionHash = null, Exception? inner = null)
        : base(Describe(stage, reason, transactionHash), inner)
    {
        Stage = stage;
        Reason = reason;
        TransactionHash = transactionHash;
    }

    public ContractRevertedException() : this("contract reverted") { }

    public ContractRevertedException(string message) : base(message) => Reason = ContractAbi.DecodeBuiltinRevert([]);

    public ContractRevertedException(string message, Exception inner) : base(message, inner) => Reason = ContractAbi.DecodeBuiltinRevert([]);

    public RevertStage Stage { get; }

    public RevertReason Reason { get; }

    /// <summary>The custom error's name (e.g. <c>InferenceOracleNotPending</c>), or null for Error(string)/Panic/unknown.</summary>
    public string? ErrorName => Reason.Name;

    /// <summary>Set for <see cref="RevertStage.Execution"/>.</summary>
    public byte[]? TransactionHash { get; }

    private static string Describe(RevertStage stage, RevertReason reason, byte[]? hash) => stage switch
    {
        RevertStage.Simulation => $"the contract refused the call: {reason}",
        _ => $"transaction {(hash is null ? "" : Ethereum.Primitives.Hex.Encode(hash) + " ")}reverted: {reason}",
    };
}
