using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Ports;

/// <summary>
/// The node's counters and histograms, named by what happened rather than by a metrics library: Worker implements it
/// with Prometheus, tests and tools use <see cref="NullOracleMetrics"/>. Calls must be cheap and never throw.
/// </summary>
public interface IOracleMetrics
{
    /// <summary>The listener stored <paramref name="count"/> new requests.</summary>
    void RequestsDiscovered(int count = 1);

    /// <summary>Inference finished for one request (called by ProcessRequestsJob).</summary>
    /// <param name="modelId">The model id as 0x hex (a label: one series per model).</param>
    /// <param name="duration">Time spent in the runner.</param>
    /// <param name="failure">Null for an output, else the typed failure.</param>
    void InferenceCompleted(string modelId, TimeSpan duration, FailureReason? failure);

    /// <summary>
    /// <paramref name="count"/> requests were recorded as submitted (called by ProcessRequestsJob, once per request, so a
    /// batched transaction is counted once per request it carries; the submitter itself should not call this).
    /// </summary>
    void RequestsSubmitted(int count = 1);

    /// <summary>A submission was mined; <paramref name="gasUsed"/> from its receipt.</summary>
    void SubmissionMined(ulong gasUsed, bool succeeded);

    /// <summary>Our transaction settled a request, <paramref name="latency"/> after its log was seen (null if unknown).</summary>
    void RequestSettled(TimeSpan? latency = null);

    /// <summary>
    /// A request ended without a settled output: <paramref name="reason"/> is a <see cref="FailureReason"/> name
    /// (reported on-chain) or one of the node's terminal statuses (<c>FailedOnChain</c>, <c>Orphaned</c>,
    /// <c>SettledElsewhere</c>). Keep the set of reasons small: each is a series.
    /// </summary>
    void RequestFailed(string reason);

    /// <summary>How many blocks the listener is behind the chain head (a gauge: the latest value wins).</summary>
    void ListenerLag(ulong blocks);

    /// <summary>A JSON-RPC call failed (transport or error response).</summary>
    void RpcError(string method);

    /// <summary>A reorg rewound the listener.</summary>
    void Reorg();

    /// <summary>A pending transaction was replaced with higher fees.</summary>
    void FeeBump();

    /// <summary>The background RPC health check probed endpoint <paramref name="index"/> of Chain:RpcUrls
    /// (<paramref name="url"/> already stripped of credentials); a gauge per endpoint. Does nothing by default.</summary>
    void RpcEndpointChecked(int index, string url, bool up, ulong lagBlocks) { }

    /// <summary>Results are (or are no longer) held back because the market's fees are above Chain:MaxFeePerGasGwei;
    /// <paramref name="component"/> is "submitter" or "bumper". Does nothing by default.</summary>
    void FeeCapWaiting(string component, bool waiting) { }

    /// <summary>The operator's standing as last read before sending (OperatorRegistry.isActive): false while results
    /// are held back. Does nothing by default.</summary>
    void OperatorActive(bool active) { }
}

/// <summary>Metrics that go nowhere: the default until a host registers a real implementation.</summary>
public sealed class NullOracleMetrics : IOracleMetrics
{
    public static NullOracleMetrics Instance { get; } = new();

    private NullOracleMetrics() { }

    public void RequestsDiscovered(int count = 1) { }

    public void InferenceCompleted(string modelId, TimeSpan duration, FailureReason? failure) { }

    public void RequestsSubmitted(int count = 1) { }

    public void SubmissionMined(ulong gasUsed, bool succeeded) { }

    public void RequestSettled(TimeSpan? latency = null) { }

    public void RequestFailed(string reason) { }

    public void ListenerLag(ulong blocks) { }

    public void RpcError(string method) { }

    public void Reorg() { }

    public void FeeBump() { }
}
