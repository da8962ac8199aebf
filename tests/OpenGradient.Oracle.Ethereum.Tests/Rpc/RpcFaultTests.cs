using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Ethereum.Tests.Rpc;

/// <summary>The client's view of a provider in trouble, through a real loopback proxy in front of a real node.</summary>
public sealed class RpcFaultTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    [Fact]
    public async Task Outage_drop_and_rate_limit_are_transient_transport_failures_and_the_client_recovers()
    {
        await using var proxy = FaultyProxy.Start(node.Port);
        using var rpc = new EthRpcClient(proxy.Url, timeout: TimeSpan.FromSeconds(3));
        Assert.Equal(HardhatNode.ChainId, await rpc.ChainIdAsync());

        proxy.Inject(ProxyFault.Refuse);
        var refused = await Assert.ThrowsAsync<RpcTransportException>(() => rpc.ChainIdAsync());
        Assert.True(refused.IsTransient, refused.Message);

        proxy.Inject(ProxyFault.TooManyRequests);
        var throttled = await Assert.ThrowsAsync<RpcTransportException>(() => rpc.ChainIdAsync());
        Assert.True(throttled.IsTransient, throttled.Message);
        Assert.Equal(429, throttled.HttpStatus);
        Assert.True(proxy.Throttled >= 1);

        proxy.Inject(ProxyFault.Drop);
        var dropped = await Assert.ThrowsAsync<RpcTransportException>(() => rpc.ChainIdAsync());
        Assert.True(dropped.IsTransient, dropped.Message);
        Assert.True(proxy.Dropped >= 1);

        proxy.Inject(ProxyFault.None);
        Assert.Equal(HardhatNode.ChainId, await rpc.ChainIdAsync());
    }
}
