using System.Globalization;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>One request as <c>/api/requests</c> returns it. Numbers that may exceed 2^53 are decimal strings.</summary>
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
    DateTimeOffset UpdatedAt)
{
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
