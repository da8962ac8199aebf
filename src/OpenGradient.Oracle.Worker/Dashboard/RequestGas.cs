using System.Globalization;
using System.Numerics;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>
/// What settling one request cost: its share of the gas of the transaction that carried its result. A fulfilBatch of
/// <see cref="BatchSize"/> requests is paid once, so each request is shown <see cref="TransactionGasUsed"/> divided by
/// the batch size (rounded); the whole transaction's gas and price stay alongside.
/// </summary>
// EffectiveGasPriceWei: a decimal string, like the other wei amounts of /api/requests.
public sealed record RequestGas(
    ulong PerRequest,
    ulong TransactionGasUsed,
    int BatchSize,
    string? EffectiveGasPriceWei,
    string TransactionHash,
    bool Reverted)
{
    /// <summary>
    /// The mined (or reverted) transaction that carried the request's current submission, from
    /// <paramref name="mined"/>: the submitted transaction itself, or when that one was replaced by a fee bump, the
    /// version of the same nonce that was mined. Null while nothing of the submission is mined (or it never was submitted).
    /// </summary>
    internal static RequestGas? For(StoredRequest stored, IEnumerable<OutboundTransaction> mined)
    {
        if (stored.State.Submission is not { } submission) return null;
        OutboundTransaction? bySibling = null;
        foreach (var tx in mined)
        {
            if (tx.GasUsed is null || !tx.Requests.Contains(stored.Key)) continue;
            if (tx.Hash.AsSpan().SequenceEqual(submission.TransactionHash)) return From(tx);
            if (tx.Nonce == submission.Nonce) bySibling = tx;
        }
        return bySibling is null ? null : From(bySibling);
    }

    private static RequestGas From(OutboundTransaction tx)
    {
        var gas = tx.GasUsed!.Value;
        var n = Math.Max(tx.Requests.Count, 1);
        return new RequestGas(
            (gas + (ulong)n / 2) / (ulong)n,
            gas,
            n,
            tx.EffectiveGasPrice?.ToString(CultureInfo.InvariantCulture),
            RequestView.Hex(tx.Hash),
            tx.Status == OutboundTransactionStatus.Reverted);
    }

    /// <summary>The transaction's fee in wei (gas × effective price), when the price is known.</summary>
    internal BigInteger? TransactionFeeWei =>
        EffectiveGasPriceWei is { } price ? TransactionGasUsed * BigInteger.Parse(price, NumberStyles.None, CultureInfo.InvariantCulture) : null;
}
