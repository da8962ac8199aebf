using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// Issue 6's fault-injection suite: each scenario injects one kind of fault into a running node process while requests
/// flow, then checks that every request settled, each exactly once, with no submission wasted.
/// </summary>
[Collection(nameof(ResilienceCollection))]
public sealed class FaultInjectionTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Killing_the_worker_three_times_during_300_requests_loses_and_duplicates_nothing()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres);
        var random = new Random(20261130);

        var load = run.SendAsync(300);
        for (var kill = 1; kill <= 3; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_500, 4_000)));
            await run.Worker.KillAsync();
            await run.Watcher.PollAsync();
            run.Log($"injected: SIGKILL #{kill} with {run.Watcher.Settled.Count} settled so far");
            run.Worker.Launch();
        }
        var sent = await load;

        await run.AssertAllSettledOnceAsync("kill -9 x3", sent, SettleTimeout);
        Assert.Equal(4, run.Worker.Starts);
    }

    [Fact]
    public async Task An_rpc_outage_and_a_429_storm_delay_settlement_but_lose_nothing()
    {
        await using var proxy = FaultyProxy.Start(node.Port);
        // Retries at most a second apart, so the node is sure to be calling during the short 429 window (with the
        // default back-off, ten seconds of outage can leave it waiting through all of it).
        await using var run = await ResilienceRun.StartAsync(output, node, postgres, proxy.Url, adjust: c =>
        {
            c["Chain"]!["MaxRetryDelay"] = "00:00:01";
            c["Chain"]!["RpcHealthCheckInterval"] = "00:00:01";
        });

        var first = await run.SendAsync(40);
        proxy.Inject(ProxyFault.Refuse);
        run.Log("injected: RPC outage (connections refused and cut) for 10 s");
        var during = run.SendAsync(40); // the dApps still reach the chain directly; only the node's provider is down
        await Task.Delay(TimeSpan.FromSeconds(10));
        proxy.Inject(ProxyFault.TooManyRequests);
        run.Log("injected: 429 Too Many Requests for 5 s");
        await Task.Delay(TimeSpan.FromSeconds(5));
        proxy.Inject(ProxyFault.None);
        var second = await during;

        await run.AssertAllSettledOnceAsync("rpc outage + 429 storm", [.. first, .. second], SettleTimeout);
        run.Log($"proxy: forwarded {proxy.Forwarded} connections, cut {proxy.Cut}, throttled {proxy.Throttled}");
        Assert.True(proxy.Throttled > 0, "the node made no call during the 429 window, so the storm was not exercised");
    }

    [Fact]
    public async Task Stopping_and_restarting_postgresql_mid_run_loses_nothing()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres);

        var load = run.SendAsync(60);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await postgres.StopAsync();
        run.Log("injected: PostgreSQL stopped for 8 s");
        await Task.Delay(TimeSpan.FromSeconds(8));
        await postgres.StartAsync();
        var sent = await load;

        await run.AssertAllSettledOnceAsync("postgres restart", sent, SettleTimeout);
    }
}

[CollectionDefinition(nameof(ResilienceCollection), DisableParallelization = true)]
public sealed class ResilienceCollection;
