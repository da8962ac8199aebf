using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Hosting;

/// <summary>
/// Background health checks of Chain:RpcUrls against real Hardhat nodes behind loopback proxies that can go down:
/// a down or wrong-chain standby is reported and skipped, traffic moves to a healthy standby and back to the primary.
/// </summary>
public sealed class RpcHealthTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private static ChainOptions Options(params Uri[] urls)
    {
        var o = new ChainOptions
        {
            OracleAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ChainId = HardhatNode.ChainId,
            RpcTimeout = TimeSpan.FromSeconds(5),
            RpcHealthCheckInterval = TimeSpan.FromMilliseconds(200),
        };
        foreach (var url in urls) o.RpcUrls.Add(url.ToString());
        return o;
    }

    private static (ChainContext Context, RpcHealthMonitor Monitor) Create(ChainOptions options)
    {
        var context = ChainContext.Create(options, new InMemoryOperatorKeyProvider(PrivateKey.Generate()), Support.Loggers.For<RpcHealthTests>());
        return (context, new RpcHealthMonitor(context, TimeProvider.System, Support.Loggers.For<RpcHealthMonitor>()));
    }

    [Fact]
    public async Task A_down_standby_is_reported_unhealthy_and_skipped_when_the_primary_fails()
    {
        await using var primary = FaultyProxy.Start(node.Port);
        await using var dead = FaultyProxy.Start(node.Port);
        dead.Inject(ProxyFault.Drop);
        await using var standby = FaultyProxy.Start(node.Port);
        var (context, monitor) = Create(Options(primary.Url, dead.Url, standby.Url));
        using var _ = context;
        using var __ = monitor;

        await monitor.ProbeAllAsync();
        var report = context.Endpoints.Snapshot();

        Assert.Equal(["Healthy", "Down", "Healthy"], report.Select(e => e.Status));
        Assert.NotNull(report[1].LastError);
        Assert.Equal(HardhatNode.ChainId, report[0].ChainId);
        var droppedByProbe = dead.Dropped;
        Assert.True(droppedByProbe > 0, "the probe never reached the dead standby");

        primary.Inject(ProxyFault.Refuse);
        for (var i = 0; i < 5; i++) await context.Rpc.BlockNumberAsync(); // answers (a fresh node is at block 0)

        Assert.Equal(2, context.Endpoints.LastUsed);
        Assert.Equal(droppedByProbe, dead.Dropped); // no call went to the down standby
    }

    [Fact]
    public async Task Traffic_moves_to_the_healthy_standby_and_back_to_the_primary_when_it_recovers()
    {
        await using var primary = FaultyProxy.Start(node.Port);
        await using var standby = FaultyProxy.Start(node.Port);
        var (context, monitor) = Create(Options(primary.Url, standby.Url));
        using var _ = context;
        using var __ = monitor;
        await monitor.StartAsync(CancellationToken.None);
        try
        {
            await UntilAsync(() => context.Endpoints.Snapshot().All(e => e.Healthy), "both endpoints healthy");
            await context.Rpc.BlockNumberAsync();
            Assert.Equal(0, context.Endpoints.LastUsed);

            primary.Inject(ProxyFault.Refuse);
            await UntilAsync(() => context.Endpoints[0].Status == RpcEndpointStatus.Down, "the primary reported down");
            await context.Rpc.BlockNumberAsync(); // answers (a fresh node is at block 0)
            Assert.Equal(1, context.Endpoints.LastUsed);
            Assert.Equal(RpcEndpointStatus.Healthy, context.Endpoints[1].Status);

            primary.Inject(ProxyFault.None);
            await UntilAsync(() => context.Endpoints[0].Status == RpcEndpointStatus.Healthy, "the primary healthy again");
            await context.Rpc.BlockNumberAsync(); // answers (a fresh node is at block 0)
            Assert.Equal(0, context.Endpoints.LastUsed);

            // And it really is the primary that answers: with the standby gone, calls still succeed at once.
            standby.Inject(ProxyFault.Refuse);
            await context.Rpc.BlockNumberAsync(); // answers (a fresh node is at block 0)
            Assert.Equal(0, context.Endpoints.LastUsed);
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_standby_on_another_chain_is_never_used_even_when_the_primary_is_down()
    {
        await using var otherChain = await HardhatNode.StartAsync(HardhatNode.ChainId + 1);
        await using var primary = FaultyProxy.Start(node.Port);
        var (context, monitor) = Create(Options(primary.Url, otherChain.Url));
        using var _ = context;
        using var __ = monitor;

        await monitor.ProbeAllAsync();
        var report = context.Endpoints.Snapshot();

        Assert.Equal("Healthy", report[0].Status);
        Assert.Equal("WrongChain", report[1].Status);
        Assert.False(report[1].Usable);
        Assert.Equal(HardhatNode.ChainId + 1, report[1].ChainId);
        Assert.Contains("serves chain 31338, not Chain:ChainId 31337", report[1].LastError, StringComparison.Ordinal);

        primary.Inject(ProxyFault.Refuse);
        await Assert.ThrowsAsync<RpcTransportException>(() => context.Rpc.ChainIdAsync());

        primary.Inject(ProxyFault.None);
        Assert.Equal(HardhatNode.ChainId, await context.Rpc.ChainIdAsync());
        Assert.Equal(0, context.Endpoints.LastUsed);

        // With nothing but the wrong chain configured, start-up stops with both ids, as with a single URL.
        var (wrongOnly, wrongMonitor) = Create(Options(otherChain.Url));
        using var ___ = wrongOnly;
        using var ____ = wrongMonitor;
        await wrongMonitor.ProbeAllAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => wrongOnly.InitializeAsync());
        Assert.StartsWith("Chain:ChainId is 31337 but every RPC endpoint serves another chain", e.Message, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{otherChain.Port}/ serves chain 31338", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_are_shown_without_credentials_path_or_query()
    {
        Assert.Equal("https://rpc.example.org:443/…", RpcEndpointSet.Redact(new Uri("https://user:secret@rpc.example.org/v3/KEY?x=1")));
        Assert.Equal("http://127.0.0.1:8545/", RpcEndpointSet.Redact(new Uri("http://127.0.0.1:8545")));
    }

    [Fact]
    public void Several_urls_need_a_chain_id_and_the_health_settings_are_checked()
    {
        var o = Options(new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"));
        o.ChainId = null;
        o.RpcHealthCheckInterval = TimeSpan.Zero;
        o.RpcMaxLagBlocks = -1;

        var failures = new ChainOptionsValidator().Validate(null, o).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Chain:ChainId is not set but Chain:RpcUrls lists several endpoints", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Chain:RpcHealthCheckInterval must be a positive time span", StringComparison.Ordinal));
        Assert.Contains("Chain:RpcMaxLagBlocks is -1; use 0 or more", failures);
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > WaitLimit) throw new TimeoutException($"not reached within {WaitLimit.TotalSeconds:0} s: {what}");
            await Task.Delay(50);
        }
    }
}
