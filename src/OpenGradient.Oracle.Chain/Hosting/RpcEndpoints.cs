using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>How an RPC endpoint looked at its last probe (or failed call).</summary>
public enum RpcEndpointStatus
{
    /// <summary>Not probed yet.</summary>
    Unknown,

    /// <summary>Answers, serves the expected chain and is within <see cref="ChainOptions.RpcMaxLagBlocks"/> of the best head.</summary>
    Healthy,

    /// <summary>Answers the expected chain but is more than <see cref="ChainOptions.RpcMaxLagBlocks"/> behind the best head.</summary>
    Lagging,

    /// <summary>Did not answer (connection error, HTTP 429/5xx, timeout, JSON-RPC error) at the last probe or call.</summary>
    Down,

    /// <summary>Serves another chain id: never used, whatever else fails.</summary>
    WrongChain,
}

/// <summary>One endpoint's last known state.</summary>
internal sealed record RpcEndpointState(
    RpcEndpointStatus Status, string? LastError, ulong? ChainId, ulong? BlockNumber, ulong LagBlocks, DateTimeOffset? CheckedAt)
{
    public static readonly RpcEndpointState Unknown = new(RpcEndpointStatus.Unknown, null, null, null, 0, null);

    /// <summary>Lower is preferred; null means never call it.</summary>
    public int? Rank => Status switch
    {
        RpcEndpointStatus.Healthy => 0,
        RpcEndpointStatus.Lagging => 1,
        RpcEndpointStatus.Unknown => 2,
        RpcEndpointStatus.Down => 3,
        _ => null,
    };
}

/// <summary>
/// The configured RPC endpoints and what is known about each: <see cref="RpcHealthMonitor"/> writes probe results,
/// <see cref="FailoverHandler"/> reports failed calls and asks for the order to try them in. The order is by status
/// (healthy, lagging, unknown, down), then by position in Chain:RpcUrls, so calls return to the primary as soon as a
/// probe finds it healthy again; an endpoint on the wrong chain is left out.
/// </summary>
internal sealed class RpcEndpointSet
{
    private readonly RpcEndpointState[] _states;
    private readonly Lock _lock = new();
    private int _lastUsed;

    public RpcEndpointSet(IReadOnlyList<Uri> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0) throw new ArgumentException("at least one endpoint is needed", nameof(urls));
        Urls = urls;
        Labels = urls.Select(Redact).ToArray();
        _states = Enumerable.Repeat(RpcEndpointState.Unknown, urls.Count).ToArray();
    }

    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>The URLs as they may appear in logs, metrics and the open readiness endpoint.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Index of the endpoint that answered the last call.</summary>
    public int LastUsed => Volatile.Read(ref _lastUsed);

    public RpcEndpointState this[int index]
    {
        get
        {
            lock (_lock) return _states[index];
        }
    }

    public void Record(int index, RpcEndpointState state)
    {
        lock (_lock) _states[index] = state;
    }

    /// <summary>A call failed: try the others first until a probe finds this one healthy again. A wrong chain stays wrong.</summary>
    public void ReportCallFailure(int index, string error)
    {
        lock (_lock)
        {
            var s = _states[index];
            if (s.Status != RpcEndpointStatus.WrongChain) _states[index] = s with { Status = RpcEndpointStatus.Down, LastError = error };
        }
    }

    public void ReportAnswered(int index) => Volatile.Write(ref _lastUsed, index);

    /// <summary>Indexes to try, best first; empty when every endpoint serves the wrong chain.</summary>
    public IReadOnlyList<int> PreferenceOrder()
    {
        lock (_lock)
        {
            return Enumerable.Range(0, _states.Length)
                .Where(i => _states[i].Rank is not null)
                .OrderBy(i => _states[i].Rank)
                .ThenBy(i => i)
                .ToArray();
        }
    }

    public IReadOnlyList<RpcEndpointReport> Snapshot()
    {
        lock (_lock)
        {
            return _states.Select((s, i) => new RpcEndpointReport(i, Labels[i], s.Status.ToString(), s.Rank is not null, s.LastError,
                s.ChainId, s.BlockNumber, s.LagBlocks, s.CheckedAt)).ToArray();
        }
    }

    /// <summary>scheme://host:port/, with "…" for a path or query: hosted RPC providers put API keys in the path.</summary>
    internal static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var hidden = url.PathAndQuery is not ("/" or "") ? "…" : "";
        return $"{url.Scheme}://{url.Host}:{url.Port}/{hidden}";
    }
}
