using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage.Tests;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>A node started from a config file against real PostgreSQL and a real Hardhat devnet, probed over HTTP.</summary>
[Collection(NodeCollection.Name)]
public sealed class HostTests(NodeInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly TestRunner _runner = new();
    private readonly TestSubmitter _submitter = new();
    private StartedNode _node = null!;

    public async Task InitializeAsync() => _node = await infrastructure.StartNodeAsync(services: s =>
    {
        // Inference and submission are other components' business; here they only have to move a request along.
        s.AddSingleton<IInferenceRunner>(sp => _runner.WithLogger(sp.GetRequiredService<ILogger<TestRunner>>()));
        s.AddSingleton<IResultSubmitter>(_submitter);
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private IRequestStore Store => _node.Services.GetRequiredService<IRequestStore>();

    [Fact]
    public async Task Status_page_shows_the_node_status_and_links_to_hangfire()
    {
        await Store.AddIfAbsentAsync(SampleRequests.Request(SampleRequests.Key(oracle: NodeConfig.Oracle, requestId: 4242)));

        using var response = await _node.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("Node status", html, StringComparison.Ordinal);
        Assert.Contains("<td>31337</td>", html, StringComparison.Ordinal);
        Assert.Contains(NodeConfig.Oracle, html, StringComparison.Ordinal);
        Assert.Contains(_node.Config.OperatorAddress, html, StringComparison.Ordinal);
        // Hardhat funds its first account with 10000 ETH; nothing has spent from it in this test.
        Assert.Contains("<th>Operator balance</th><td>10000 ETH</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Pending transactions</th><td>0</td>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"ok\">reachable</span>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/hangfire\"", html, StringComparison.Ordinal);
        Assert.Contains("Requests by status", html, StringComparison.Ordinal);
        Assert.Contains(">4242<", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Status_page_encodes_what_it_shows()
    {
        var key = SampleRequests.Key(oracle: NodeConfig.Oracle);
        await Store.AddIfAbsentAsync(SampleRequests.Request(key));
        await Store.TransitionAsync((await Store.GetAsync(key))!,
            new RequestTransition.ObserveSettledElsewhere("<script>alert('x')</script> & more"));

        var html = await _node.Http.GetStringAsync("/?status=SettledElsewhere");

        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Status_page_rejects_an_unknown_status_filter()
    {
        using var response = await _node.Http.GetAsync("/?status=Nope");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Live_probe_answers_while_the_process_runs()
    {
        using var response = await _node.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Healthy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_probe_is_healthy_when_database_and_rpc_answer()
    {
        using var response = await _node.Http.GetAsync("/health/ready");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("chain").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_lists_stored_requests_and_filters_by_status()
    {
        var keys = Enumerable.Range(1, 3).Select(i => SampleRequests.Key(oracle: NodeConfig.Oracle, requestId: 9000 + i)).ToList();
        foreach (var key in keys) Assert.True(await Store.AddIfAbsentAsync(SampleRequests.Request(key)));
        var moved = await Store.TransitionAsync((await Store.GetAsync(keys[0]))!,
            new RequestTransition.CompleteInference(InferenceOutcome.Failed(FailureReason.InputShapeMismatch)));

        using var all = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/requests?limit=100"));
        var listed = all.RootElement.EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToList();
        foreach (var key in keys) Assert.Contains(key.ToString(), listed);

        using var inferred = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/requests?status=inferred"));
        var only = Assert.Single(inferred.RootElement.EnumerateArray());
        Assert.Equal(keys[0].ToString(), only.GetProperty("key").GetString());
        Assert.Equal("Inferred", only.GetProperty("status").GetString());
        Assert.Equal("InputShapeMismatch", only.GetProperty("failureReason").GetString());
        Assert.Equal("9001", only.GetProperty("requestId").GetString());
        Assert.Equal(moved.Version, only.GetProperty("version").GetInt64());

        using var limited = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/requests?status=Discovered&limit=1"));
        Assert.Single(limited.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Status_page_and_api_show_each_requests_share_of_its_mined_transactions_gas()
    {
        // Three requests settled by one fulfilBatch, a fourth whose transaction is still pending. The transactions'
        // sender is not the node's operator, so the node's own receipt tracker leaves them alone.
        var keys = Enumerable.Range(1, 4).Select(i => SampleRequests.Key(oracle: NodeConfig.Oracle, requestId: 7100 + i)).ToList();
        var transactions = _node.Services.GetRequiredService<IOutboundTransactionStore>();
        var batch = new OutboundTransaction(31337, SampleRequests.RandomAddress(), NodeConfig.Oracle, 40, SampleRequests.Hash(), [2], 10, 1, 900_000,
            OutboundTransactionStatus.Pending, keys.Take(3).ToList(), DateTimeOffset.UtcNow);
        var pending = batch with { Hash = SampleRequests.Hash(), Nonce = 41, Requests = [keys[3]] };
        Assert.True(await transactions.AddAsync(batch));
        Assert.True(await transactions.AddAsync(pending));
        foreach (var (key, tx) in keys.Select((k, i) => (k, i < 3 ? batch : pending)))
        {
            await Store.AddIfAbsentAsync(SampleRequests.Request(key));
            var outcome = InferenceOutcome.Success([1, 2, 3, 4]);
            var stored = await Store.TransitionAsync((await Store.GetAsync(key))!, new RequestTransition.CompleteInference(outcome));
            stored = await Store.TransitionAsync(stored, new RequestTransition.BeginSubmission());
            stored = await Store.TransitionAsync(stored, new RequestTransition.RecordSubmission(new SubmissionRecord(tx.Hash, tx.Nonce)));
            if (tx == batch) await Store.TransitionAsync(stored, new RequestTransition.Settle());
        }
        Assert.True(await transactions.RecordReceiptAsync(31337, batch.Hash, new OutboundReceipt(12, Succeeded: true, 150_001, 1_875_000_000)));

        var html = await _node.Http.GetStringAsync("/?limit=1000");
        foreach (var key in keys.Take(3))
            Assert.Matches($@"<tr><td><code[^>]*>{key.RequestId}</code></td><td>Settled</td>.*?<td class=""gas""><span title=""[^""]*"">50,000</span> <small class=""muted"">1/3 of 150,001</small></td>", html);
        Assert.Matches($@"<tr><td><code[^>]*>{keys[3].RequestId}</code></td><td>Submitted</td>.*?<td class=""gas""><span class=""muted"" title=""not mined yet"">—</span></td>", html);
        Assert.Contains("batch of 3 requests, transaction 0x" + Convert.ToHexStringLower(batch.Hash) + ": 150,001 gas at 1.875 gwei", html, StringComparison.Ordinal);

        using var api = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/requests?limit=1000"));
        var byId = api.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("requestId").GetString()!, e => e.GetProperty("gas"));
        var gas = byId[keys[0].RequestId.ToString()];
        Assert.Equal(50_000UL, gas.GetProperty("perRequest").GetUInt64());
        Assert.Equal(150_001UL, gas.GetProperty("transactionGasUsed").GetUInt64());
        Assert.Equal(3, gas.GetProperty("batchSize").GetInt32());
        Assert.Equal("1875000000", gas.GetProperty("effectiveGasPriceWei").GetString());
        Assert.Equal("0x" + Convert.ToHexStringLower(batch.Hash), gas.GetProperty("transactionHash").GetString());
        Assert.False(gas.GetProperty("reverted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, byId[keys[3].RequestId.ToString()].ValueKind);
    }

    [Fact]
    public async Task Api_rejects_an_unknown_status_and_a_bad_limit()
    {
        using var status = await _node.Http.GetAsync("/api/requests?status=Bogus");
        Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
        Assert.Contains("Settled", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var limit = await _node.Http.GetAsync("/api/requests?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
    }

    [Fact]
    public async Task Metrics_expose_the_counters_after_they_move()
    {
        var metrics = _node.Services.GetRequiredService<IOracleMetrics>();
        var before = await PrometheusText.ScrapeAsync(_node.Http);
        Assert.Equal(0, before["oracle_requests_discovered_total"]);

        metrics.RequestsDiscovered(2);
        metrics.RequestFailed(nameof(FailureReason.ModelHashMismatch));
        metrics.SubmissionMined(61_000, succeeded: true);
        metrics.RequestSettled(TimeSpan.FromSeconds(1.5));
        metrics.ListenerLag(7);
        await Store.AddIfAbsentAsync(SampleRequests.Request(SampleRequests.Key(oracle: NodeConfig.Oracle)));

        var after = await PrometheusText.ScrapeAsync(_node.Http);
        Assert.Equal(2, after["oracle_requests_discovered_total"]);
        Assert.Equal(1, after["oracle_requests_failed_total{reason=\"ModelHashMismatch\"}"]);
        Assert.Equal(1, after["oracle_submissions_mined_total{result=\"succeeded\"}"]);
        Assert.Equal(61_000, after["oracle_submission_gas_used_sum"]);
        Assert.Equal(1, after["oracle_requests_settled_total"]);
        Assert.Equal(1.5, after["oracle_settle_latency_seconds_sum"]);
        Assert.Equal(7, after["oracle_listener_lag_blocks"]);
        Assert.Equal(1, after["oracle_requests{status=\"Discovered\"}"]);
        Assert.Equal(1, after["oracle_request_store_up"]);
        Assert.Equal(0, after["oracle_jobs{state=\"enqueued\"}"]);
    }

    [Fact]
    public async Task A_request_run_by_the_jobs_moves_the_metrics_and_its_log_lines_carry_its_key()
    {
        var key = SampleRequests.Key(oracle: NodeConfig.Oracle, requestId: 77);
        var request = SampleRequests.Request(key);
        var modelId = "0x" + Convert.ToHexStringLower(request.Request.ModelId);
        await Store.AddIfAbsentAsync(request);

        _node.Services.GetRequiredService<IJobScheduler>().Enqueue([key]);
        var stored = await WaitForAsync(key, s => s.State.Status == RequestStatus.Submitted);

        Assert.Equal(FailureReason.InputMalformed, stored.State.Outcome?.Failure);
        var metrics = await PrometheusText.ScrapeAsync(_node.Http);
        Assert.Equal(1, metrics["oracle_requests_inferred_total{outcome=\"failure\"}"]);
        Assert.Equal(1, metrics["oracle_requests_failed_total{reason=\"InputMalformed\"}"]);
        Assert.Equal(1, metrics["oracle_requests_submitted_total"]);
        Assert.Equal(1, metrics[$"oracle_inference_duration_seconds_count{{model=\"{modelId}\"}}"]);
        Assert.Equal(1, metrics["oracle_requests{status=\"Submitted\"}"]);

        var line = Assert.Single(_node.LogEvents, e => e.MessageTemplate.Text.StartsWith("Test runner", StringComparison.Ordinal));
        Assert.Equal(key.ToString(), line.Properties["RequestKey"].ToString().Trim('"'));
        Assert.Equal(modelId, line.Properties["ModelId"].ToString().Trim('"'));

        var page = await _node.Http.GetStringAsync("/?status=Submitted");
        Assert.Contains("InputMalformed", page, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(_submitter.LastHash!)[..8], page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hangfire_dashboard_answers_loopback_clients()
    {
        using var response = await _node.Http.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("OpenGradient oracle jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_logger_providers_receive_the_host_events()
    {
        Assert.Contains(_node.ProviderLines, l => l.Contains("Application started", StringComparison.Ordinal));
    }

    private async Task<StoredRequest> WaitForAsync(RequestKey key, Func<StoredRequest, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var s = await Store.GetAsync(key);
            if (s is not null && done(s)) return s;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"request {key} stuck in {s?.State.Status}");
            await Task.Delay(100);
        }
    }
}

/// <summary>Reports every input as malformed, logging one line (to check the job's log scope reaches it).</summary>
internal sealed partial class TestRunner : IInferenceRunner
{
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public TestRunner WithLogger(ILogger logger)
    {
        _logger = logger;
        return this;
    }

    public Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        LogRunning(_logger, request.Input.Length);
        return Task.FromResult(InferenceOutcome.Failed(FailureReason.InputMalformed));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Test runner got {InputBytes} bytes")]
    private static partial void LogRunning(ILogger logger, int inputBytes);
}

/// <summary>Pretends to broadcast: returns a fresh transaction hash.</summary>
internal sealed class TestSubmitter : IResultSubmitter
{
    private long _nonce;

    public byte[]? LastHash { get; private set; }

    public Task<SubmissionReceipt> SubmitAsync(IReadOnlyList<ResultSubmission> results, CancellationToken cancellationToken = default)
    {
        LastHash = SampleRequests.Hash();
        return Task.FromResult(new SubmissionReceipt(LastHash, (ulong)Interlocked.Increment(ref _nonce)));
    }
}
