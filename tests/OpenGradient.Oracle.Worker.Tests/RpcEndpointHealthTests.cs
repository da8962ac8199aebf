using System.Net;
using System.Net.Sockets;

namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>The background RPC health check of every Chain:RpcUrls entry reaches /health/ready and /metrics.</summary>
[Collection(NodeCollection.Name)]
public sealed class RpcEndpointHealthTests(NodeInfrastructure infrastructure)
{
    [Fact]
    public async Task A_down_standby_makes_readiness_degraded_and_its_gauge_zero()
    {
        var closedPort = ClosedPort();
        await using var node = await infrastructure.StartNodeAsync(config =>
        {
            var chain = config.Section("Chain");
            chain["RpcUrls"] = new[] { infrastructure.Chain.Url.ToString(), $"http://127.0.0.1:{closedPort}/" };
            chain["RpcHealthCheckInterval"] = "00:00:00.500";
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        string body;
        do
        {
            using var response = await node.Http.GetAsync("/health/ready");
            (status, body) = (response.StatusCode, await response.Content.ReadAsStringAsync());
            if (body.Contains("Degraded", StringComparison.Ordinal)) break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status); // the primary serves: degraded, still ready
        Assert.Contains($"RPC endpoints not healthy (Chain:RpcUrls): 1 http://127.0.0.1:{closedPort}/ Down", body, StringComparison.Ordinal);
        Assert.Contains("\"rpcEndpoints\"", body, StringComparison.Ordinal);

        var metrics = await PrometheusText.ScrapeAsync(node.Http);
        Assert.Equal(1, metrics[$"oracle_rpc_endpoint_up{{endpoint=\"0\",url=\"http://127.0.0.1:{infrastructure.Chain.Port}/\"}}"]);
        Assert.Equal(0, metrics[$"oracle_rpc_endpoint_up{{endpoint=\"1\",url=\"http://127.0.0.1:{closedPort}/\"}}"]);
        Assert.Equal(0, metrics[$"oracle_rpc_endpoint_lag_blocks{{endpoint=\"0\",url=\"http://127.0.0.1:{infrastructure.Chain.Port}/\"}}"]);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
