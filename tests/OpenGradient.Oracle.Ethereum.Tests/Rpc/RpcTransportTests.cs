using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Ethereum.Tests.Rpc;

public sealed class RpcTransportTests
{
    private sealed class CannedHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static EthRpcClient With(HttpStatusCode status, string body) =>
        new(new Uri("http://node.invalid/"), new HttpClient(new CannedHandler(status, body)));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task An_unreachable_port_is_a_transient_transport_failure()
    {
        using var client = new EthRpcClient(new Uri($"http://127.0.0.1:{FreePort()}/"), timeout: TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<RpcTransportException>(() => client.ChainIdAsync());
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task A_node_that_never_answers_times_out_as_a_transient_transport_failure()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var client = new EthRpcClient(new Uri($"http://127.0.0.1:{port}/"), timeout: TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<RpcTransportException>(() => client.BlockNumberAsync());
        Assert.True(e.IsTransient);
        Assert.Contains("within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_turned_into_a_transport_failure()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var client = new EthRpcClient(new Uri($"http://127.0.0.1:{port}/"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.BlockNumberAsync(cts.Token));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    public async Task Http_failures_carry_whether_a_retry_may_help(HttpStatusCode status, bool transient)
    {
        using var client = With(status, "<html>nope</html>");
        var e = await Assert.ThrowsAsync<RpcTransportException>(() => client.ChainIdAsync());
        Assert.Equal(transient, e.IsTransient);
        Assert.Equal((int)status, e.HttpStatus);
    }

    [Fact]
    public async Task A_json_rpc_error_keeps_code_message_and_data()
    {
        using var client = With(HttpStatusCode.OK, """{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low","data":{"x":1}}}""");
        var e = await Assert.ThrowsAsync<RpcErrorException>(() => client.ChainIdAsync());
        Assert.Equal((-32000L, "nonce too low"), (e.Code, e.RpcMessage));
        Assert.Equal(1, e.ErrorData!.Value.GetProperty("x").GetInt32());
    }

    [Theory]
    [InlineData("""{"code":3,"message":"execution reverted","data":"0x08c379a0"}""")]
    [InlineData("""{"code":-32603,"message":"Error: VM Exception while processing transaction: reverted","data":{"message":"m","data":"0x08c379a0"}}""")]
    public async Task A_revert_keeps_the_raw_revert_data_in_either_node_dialect(string error)
    {
        using var client = With(HttpStatusCode.OK, $$"""{"jsonrpc":"2.0","id":1,"error":{{error}}}""");
        var e = await Assert.ThrowsAsync<ContractRevertException>(() => client.EthCallAsync(new TransactionRequest()));
        Assert.Equal(new byte[] { 0x08, 0xc3, 0x79, 0xa0 }, e.RevertData);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_permanent_transport_failure()
    {
        using var client = With(HttpStatusCode.OK, "not json");
        var e = await Assert.ThrowsAsync<RpcTransportException>(() => client.ChainIdAsync());
        Assert.False(e.IsTransient);
    }
}
