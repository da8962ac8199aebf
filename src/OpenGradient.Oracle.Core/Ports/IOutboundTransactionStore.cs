using System.Numerics;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Core.Ports;

public enum OutboundTransactionStatus
{
    /// <summary>Signed and broadcast (or about to be); no receipt yet.</summary>
    Pending = 0,
    /// <summary>Mined with status 1.</summary>
    Mined = 1,
    /// <summary>Mined with status 0.</summary>
    Reverted = 2,
    /// <summary>Another transaction with the same nonce was mined.</summary>
    Replaced = 3,
    /// <summary>Gone from the mempool and never mined.</summary>
    Dropped = 4,
}

/// <summary>A transaction we signed, kept so it can be rebroadcast, bumped or matched to receipts after a restart.</summary>
// To: The contract called (the oracle for fulfilments).
// Requests: The requests whose results the transaction carries.
// GasUsed, EffectiveGasPrice: From the receipt, once Mined or Reverted (null before, and for older rows).
public sealed record OutboundTransaction(
    ulong ChainId,
    string From,
    string To,
    ulong Nonce,
    byte[] Hash,
    byte[] RawTransaction,
    BigInteger MaxFeePerGas,
    BigInteger MaxPriorityFeePerGas,
    ulong GasLimit,
    OutboundTransactionStatus Status,
    IReadOnlyList<RequestKey> Requests,
    DateTimeOffset CreatedAt,
    ulong? MinedBlockNumber = null,
    ulong? GasUsed = null,
    BigInteger? EffectiveGasPrice = null)
{
    public string From { get; init; } = AddressText.Normalize(From, nameof(From));
    public string To { get; init; } = AddressText.Normalize(To, nameof(To));
    public byte[] Hash { get; init; } = Hash is { Length: 32 } ? Hash : throw new ArgumentException("a transaction hash is 32 bytes", nameof(Hash));
}

/// <summary>What a receipt says about one of our transactions: where it was mined, whether it succeeded, what it cost.</summary>
public sealed record OutboundReceipt(ulong BlockNumber, bool Succeeded, ulong GasUsed, BigInteger EffectiveGasPrice)
{
    public OutboundTransactionStatus Status => Succeeded ? OutboundTransactionStatus.Mined : OutboundTransactionStatus.Reverted;
}

public interface IOutboundTransactionStore
{
    /// <summary>Stores a transaction and the requests it carries. Returns false if a transaction with the same hash exists.</summary>
    Task<bool> AddAsync(OutboundTransaction transaction, CancellationToken cancellationToken = default);

    Task<OutboundTransaction?> GetAsync(ulong chainId, byte[] hash, CancellationToken cancellationToken = default);

    /// <summary><see cref="GetAsync"/> for several hashes in one query; hashes not stored are left out.</summary>
    Task<IReadOnlyList<OutboundTransaction>> GetManyAsync(ulong chainId, IReadOnlyCollection<byte[]> hashes, CancellationToken cancellationToken = default);

    /// <summary>Transactions of one sender in <paramref name="status"/>, lowest nonce first.</summary>
    Task<IReadOnlyList<OutboundTransaction>> ListByStatusAsync(ulong chainId, string from, OutboundTransactionStatus status, CancellationToken cancellationToken = default);

    /// <summary>Every transaction that carried <paramref name="key"/>, oldest first. A submitter checks this before
    /// sending again, which is what makes a re-run submission job safe.</summary>
    Task<IReadOnlyList<OutboundTransaction>> ListForRequestAsync(RequestKey key, CancellationToken cancellationToken = default);

    /// <summary><see cref="ListForRequestAsync"/> for several requests in one query (a batch checks all its requests
    /// at once); every key is in the result, with an empty list where nothing carried it.</summary>
    Task<IReadOnlyDictionary<RequestKey, IReadOnlyList<OutboundTransaction>>> ListForRequestsAsync(IReadOnlyCollection<RequestKey> keys,
        CancellationToken cancellationToken = default);

    /// <summary>Every Mined or Reverted transaction that carried any of <paramref name="keys"/>, oldest first: one query
    /// for a page of requests (the dashboard's gas column) instead of one per request.</summary>
    Task<IReadOnlyList<OutboundTransaction>> ListMinedForRequestsAsync(IReadOnlyCollection<RequestKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Records a status without a receipt (a replacement, a drop). A status other than Mined or Reverted clears
    /// the gas of an earlier receipt, which no longer describes the transaction. Returns false if no such transaction is stored.</summary>
    Task<bool> SetStatusAsync(ulong chainId, byte[] hash, OutboundTransactionStatus status, ulong? minedBlockNumber, CancellationToken cancellationToken = default);

    /// <summary>Records a receipt: Mined or Reverted, the block, and the gas it used at which price. Returns false if no
    /// such transaction is stored.</summary>
    Task<bool> RecordReceiptAsync(ulong chainId, byte[] hash, OutboundReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary><see cref="RecordReceiptAsync"/> for several transactions in one statement (the receipt tracker records
    /// every receipt of a poll at once). Returns how many were stored.</summary>
    Task<int> RecordReceiptsAsync(ulong chainId, IReadOnlyList<(byte[] Hash, OutboundReceipt Receipt)> receipts, CancellationToken cancellationToken = default);
}
