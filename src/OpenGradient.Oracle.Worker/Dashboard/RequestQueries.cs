using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>The request lists the page and <c>/api/requests</c> show, read through <see cref="IRequestStore"/>.</summary>
internal static class RequestQueries
{
    /// <summary>
    /// Requests in <paramref name="status"/>, or when null, the most recently updated across all statuses. The store lists
    /// one status at a time (oldest update first), so "all" asks each status that has requests and merges; with more
    /// than <paramref name="limit"/> in one status the newest of those may be missing from the merge.
    /// </summary>
    public static async Task<IReadOnlyList<StoredRequest>> ListAsync(
        IRequestStore store, RequestStatus? status, int limit, CancellationToken cancellationToken)
    {
        if (status is { } one) return await store.ListByStatusAsync(one, limit, cancellationToken).ConfigureAwait(false);

        var counts = await store.CountByStatusAsync(cancellationToken).ConfigureAwait(false);
        var all = new List<StoredRequest>();
        foreach (var (s, count) in counts)
            if (count > 0) all.AddRange(await store.ListByStatusAsync(s, limit, cancellationToken).ConfigureAwait(false));
        return all.OrderByDescending(r => r.UpdatedAt).Take(limit).ToList();
    }

    /// <summary>
    /// <see cref="ListAsync"/> as views, with the gas of each request's mined transaction: one more query for the
    /// whole page, not one per request.
    /// </summary>
    public static async Task<IReadOnlyList<RequestView>> ListViewsAsync(
        IRequestStore store, IOutboundTransactionStore transactions, RequestStatus? status, int limit, CancellationToken cancellationToken)
    {
        var requests = await ListAsync(store, status, limit, cancellationToken).ConfigureAwait(false);
        var mined = await transactions.ListMinedForRequestsAsync(requests.Select(r => r.Key).ToList(), cancellationToken).ConfigureAwait(false);
        return RequestView.From(requests, mined);
    }

    /// <summary>Parses a status name (case-insensitive); null when <paramref name="text"/> is empty.</summary>
    public static bool TryParseStatus(string? text, out RequestStatus? status)
    {
        status = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (Enum.TryParse<RequestStatus>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            && !int.TryParse(text, out _))
        {
            status = parsed;
            return true;
        }
        return false;
    }

    public static string StatusNames => string.Join(", ", Enum.GetNames<RequestStatus>());
}
