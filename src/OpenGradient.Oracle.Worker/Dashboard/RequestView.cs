using System.Globalization;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>One request as <c>/api/requests</c> returns it. Numbers that may exceed 2^53 are decimal strings.
/// <see cref="Gas"/> is null until the transaction carrying the result is mined.</summary>
public sealed record RequestView(
    string Key,
    ulong ChainId,
    string Oracle,
    string RequestId,
    string Status,
    string ModelId,
    string Requester,
    string Fee,
    string InputHash,
    int InputBytes,
    ulong Deadline,
    ulong BlockNumber,
    string LogTransactionHash,
    string? Output,
    string? FailureReason,
    string? SubmissionTransactionHash,
    ulong? SubmissionNonce,
    string? Detail,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    RequestGas? Gas = null)
{
    /// <summary>Views of <paramref name="requests"/>, each with its gas found among <paramref name="mined"/>
    /// (<see cref="IOutboundTransactionStore.ListMinedForRequestsAsync"/> of the same requests).</summary>
    internal static List<RequestView> From(IReadOnlyList<StoredRequest> requests, IReadOnlyList<OutboundTransaction> mined)
    {
        var byRequest = new Dictionary<Core.Requests.RequestKey, List<OutboundTransaction>>();
        foreach (var tx in mined)
            foreach (var key in tx.Requests)
            {
                if (!byRequest.TryGetValue(key, out var list)) byRequest[key] = list = [];
                list.Add(tx);
            }
        return requests.Select(r => From(r) with { Gas = RequestGas.For(r, byRequest.GetValueOrDefault(r.Key) ?? []) }).ToList();
    }

    internal static RequestView From(StoredRequest stored)
    {
        var r = stored.Request;
        var state = stored.State;
        return new RequestView(
            stored.Key.ToString(),
            stored.Key.ChainId,
            stored.Key.Oracle,
            stored.Key.RequestId.ToString(CultureInfo.InvariantCulture),
            state.Status.ToString(),
            Hex(r.Request.ModelId),
            r.Request.Requester,
            r.Request.Fee.ToString(CultureInfo.InvariantCulture),
            Hex(r.Request.InputHash),
            r.Input.Length,
            r.Request.Deadline,
            r.Log.BlockNumber,
            Hex(r.Log.TransactionHash),
            state.Outcome?.Output is { } output ? Hex(output) : null,
            state.Outcome?.Failure?.ToString(),
            state.Submission is { } s ? Hex(s.TransactionHash) : null,
            state.Submission?.Nonce,
            state.Detail,
            stored.Version,
            stored.CreatedAt,
            stored.UpdatedAt);
    }

    internal static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
