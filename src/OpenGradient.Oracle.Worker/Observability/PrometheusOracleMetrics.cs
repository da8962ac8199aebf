using Hangfire;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using Prometheus;

namespace OpenGradient.Oracle.Worker.Observability;

/// <summary>
/// <see cref="IOracleMetrics"/> on prometheus-net, in a registry of its own (not the static default) so that two hosts
/// in one process (tests, the CLI) never share counters. Served at <c>/metrics</c>.
/// </summary>
internal sealed partial class PrometheusOracleMetrics : IOracleMetrics
{
    private readonly Counter _discovered;
    private readonly Counter _inferred;
    private readonly Histogram _inferenceDuration;
    private readonly Counter _submitted;
    private readonly Counter _mined;
    private readonly Histogram _gasUsed;
    private readonly Counter _settled;
    private readonly Histogram _settleLatency;
    private readonly Counter _failed;
    private readonly Gauge _listenerLag;
    private readonly Counter _rpcErrors;
    private readonly Counter _reorgs;
    private readonly Counter _feeBumps;
    private readonly Gauge _requestsByStatus;
    private readonly Gauge _storeUp;
    private readonly Gauge _jobs;
    private readonly Gauge _rpcEndpointUp;
    private readonly Gauge _rpcEndpointLag;
    private readonly Gauge _feeCapWaiting;
    private readonly Gauge _operatorActive;

    public PrometheusOracleMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _discovered = factory.CreateCounter("oracle_requests_discovered_total", "Requests the listener stored.");
        _inferred = factory.CreateCounter("oracle_requests_inferred_total", "Requests whose inference finished, by outcome.",
            "outcome");
        _inferenceDuration = factory.CreateHistogram("oracle_inference_duration_seconds", "Time to run one inference, by model.",
            ["model"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 4, 10) });
        _submitted = factory.CreateCounter("oracle_requests_submitted_total", "Requests whose result transaction was broadcast.");
        _mined = factory.CreateCounter("oracle_submissions_mined_total", "Result transactions mined, by receipt status.", "result");
        _gasUsed = factory.CreateHistogram("oracle_submission_gas_used", "Gas used by one mined result transaction.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(25_000, 2, 10) });
        _settled = factory.CreateCounter("oracle_requests_settled_total", "Requests our transaction settled.");
        _settleLatency = factory.CreateHistogram("oracle_settle_latency_seconds", "From the request's log to its settlement.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 12) });
        _failed = factory.CreateCounter("oracle_requests_failed_total", "Requests that ended without a settled output, by reason.",
            "reason");
        _listenerLag = factory.CreateGauge("oracle_listener_lag_blocks", "Blocks between the chain head and the listener's cursor.");
        _rpcErrors = factory.CreateCounter("oracle_rpc_errors_total", "Failed JSON-RPC calls, by method.", "method");
        _reorgs = factory.CreateCounter("oracle_reorgs_total", "Reorgs that rewound the listener.");
        _feeBumps = factory.CreateCounter("oracle_fee_bumps_total", "Pending transactions replaced with higher fees.");
        _requestsByStatus = factory.CreateGauge("oracle_requests", "Stored requests by status (read from the database at scrape time).",
            "status");
        _storeUp = factory.CreateGauge("oracle_request_store_up", "1 when the last scrape could read request counts from the database.");
        _jobs = factory.CreateGauge("oracle_jobs", "Hangfire jobs by state (queue depth), read at scrape time.", "state");
        _feeCapWaiting = factory.CreateGauge("oracle_fee_cap_waiting",
            "1 while results wait because the market's fees are above Chain:MaxFeePerGasGwei (submitter: new results; bumper: stuck ones).",
            "component");
        _operatorActive = factory.CreateGauge("oracle_operator_active",
            "1 while the operator is active in the OperatorRegistry as last read before sending; 0 while results are held back.");
        _rpcEndpointUp = factory.CreateGauge("oracle_rpc_endpoint_up",
            "1 when the RPC endpoint (index in Chain:RpcUrls, URL without path) answered the last health probe on the right chain and in step.",
            "endpoint", "url");
        _rpcEndpointLag = factory.CreateGauge("oracle_rpc_endpoint_lag_blocks", "Blocks the RPC endpoint is behind the best configured one.",
            "endpoint", "url");
    }

    public CollectorRegistry Registry { get; }

    public void RequestsDiscovered(int count = 1) => _discovered.Inc(count);

    public void InferenceCompleted(string modelId, TimeSpan duration, FailureReason? failure)
    {
        _inferred.WithLabels(failure is null ? "output" : "failure").Inc();
        _inferenceDuration.WithLabels(modelId).Observe(duration.TotalSeconds);
    }

    public void RequestsSubmitted(int count = 1) => _submitted.Inc(count);

    public void SubmissionMined(ulong gasUsed, bool succeeded)
    {
        _mined.WithLabels(succeeded ? "succeeded" : "reverted").Inc();
        _gasUsed.Observe(gasUsed);
    }

    public void RequestSettled(TimeSpan? latency = null)
    {
        _settled.Inc();
        if (latency is { } l) _settleLatency.Observe(l.TotalSeconds);
    }

    public void RequestFailed(string reason) => _failed.WithLabels(reason).Inc();

    public void ListenerLag(ulong blocks) => _listenerLag.Set(blocks);

    public void RpcError(string method) => _rpcErrors.WithLabels(method).Inc();

    public void Reorg() => _reorgs.Inc();

    public void FeeBump() => _feeBumps.Inc();

    public void FeeCapWaiting(string component, bool waiting) => _feeCapWaiting.WithLabels(component).Set(waiting ? 1 : 0);

    public void OperatorActive(bool active) => _operatorActive.Set(active ? 1 : 0);

    public void RpcEndpointChecked(int index, string url, bool up, ulong lagBlocks)
    {
        var endpoint = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _rpcEndpointUp.WithLabels(endpoint, url).Set(up ? 1 : 0);
        _rpcEndpointLag.WithLabels(endpoint, url).Set(lagBlocks);
    }

    /// <summary>
    /// Refreshes the per-status gauge before each scrape. A database outage must not fail the whole scrape (the other
    /// series matter most exactly then), so it sets <c>oracle_request_store_up</c> to 0 and keeps the last counts.
    /// </summary>
    public void RefreshFromStore(IRequestStore store, JobStorage jobs, ILogger logger)
    {
        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                var counts = await store.CountByStatusAsync(timeout.Token).ConfigureAwait(false);
                foreach (var (status, count) in counts) _requestsByStatus.WithLabels(status.ToString()).Set(count);
                var statistics = jobs.GetMonitoringApi().GetStatistics();
                _jobs.WithLabels("enqueued").Set(statistics.Enqueued);
                _jobs.WithLabels("scheduled").Set(statistics.Scheduled);
                _jobs.WithLabels("processing").Set(statistics.Processing);
                _jobs.WithLabels("failed").Set(statistics.Failed);
                _storeUp.Set(1);
            }
#pragma warning disable CA1031 // any store failure is reported as store_up 0; the scrape itself must go on
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                _storeUp.Set(0);
                LogStoreUnavailable(logger, e.GetType().Name, e.Message);
            }
        });
        foreach (var status in Enum.GetValues<RequestStatus>()) _requestsByStatus.WithLabels(status.ToString()).Set(0);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning,
        Message = "Metrics scrape could not read request counts ({ErrorType}: {Error}); oracle_request_store_up is 0")]
    private static partial void LogStoreUnavailable(ILogger logger, string errorType, string error);
}
