using System.Net;
using System.Net.Sockets;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>/health/ready follows the database and the chain RPC going away and coming back.</summary>
[Collection(NodeCollection.Name)]
public sealed class ReadinessTests(NodeInfrastructure infrastructure)
{
    [Fact]
    public async Task Ready_probe_reports_a_stopped_database_and_recovers()
    {
        // A cluster of its own: stopping the shared one would disturb the other tests.
        await using var postgres = new PostgresServer();
        await postgres.StartAsync();
        await using var node = await infrastructure.StartNodeAsync(postgres: postgres);
        var (status, _) = await ReadyAsync(node);
        Assert.Equal(HttpStatusCode.OK, status);

        await postgres.StopAsync();
        var (down, body) = await WaitForReadyStatusAsync(node, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Contains("PostgreSQL unreachable", body, StringComparison.Ordinal);

        // The page still renders during the outage and says what is wrong.
        var page = await node.Http.GetStringAsync("/");
        Assert.Contains("Database unavailable", page, StringComparison.Ordinal);

        await postgres.StartAsync();
        var (up, upBody) = await WaitForReadyStatusAsync(node, HttpStatusCode.OK);
        Assert.True(up == HttpStatusCode.OK, upBody);
    }

    [Fact]
    public async Task A_node_stops_promptly_although_a_database_restart_left_the_schedulers_locks_behind()
    {
        // A restart that cuts the connection of a scheduler pass leaves its lock row behind (the test above hit this
        // once in CI, and its stop timed out). Hangfire.PostgreSql's lock loop does not heed shutdown, so a stop waited
        // for the rows to expire: 10 minutes by default, past the 20 s StartedNode gives a stop.
        var node = await infrastructure.StartNodeAsync();
        Assert.Equal(2, await HangfireLocks.OrphanAsync(node.ConnectionString, HangfireLocks.SchedulePoller, HangfireLocks.RecurringJobs));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the schedulers poll every 200 ms here: both are now waiting

        // Not a speed target: DisposeAsync throws once its 20 s run out, which is what this looks for.
        var stopError = await Record.ExceptionAsync(async () => await node.DisposeAsync());

        Assert.Null(stopError);
    }

    [Fact]
    public async Task Ready_probe_reports_an_unreachable_rpc()
    {
        var closedPort = ClosedPort();
        await using var node = await infrastructure.StartNodeAsync(config =>
            config.Section("Chain")["RpcUrls"] = new[] { $"http://127.0.0.1:{closedPort}" });

        var (status, body) = await WaitForReadyStatusAsync(node, HttpStatusCode.ServiceUnavailable);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("chain RPC unreachable", body, StringComparison.Ordinal);
        var live = await node.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Ready_probe_reports_an_operator_balance_below_the_minimum_as_degraded()
    {
        // Hardhat's account #0 holds 10,000 ETH: a 20,000 ETH minimum makes it "low".
        await using var node = await infrastructure.StartNodeAsync(config =>
            config.Settings["Health"] = new Dictionary<string, object?> { ["MinOperatorBalanceEth"] = 20000 });

        var (status, body) = await WaitForBodyAsync(node, "Degraded");

        Assert.Equal(HttpStatusCode.OK, status); // degraded still serves: the key can pay for a while
        Assert.Contains("below Health:MinOperatorBalanceEth", body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode, string)> WaitForBodyAsync(StartedNode node, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var (status, body) = await ReadyAsync(node);
            if (body.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return (status, body);
            await Task.Delay(250);
        }
    }

    private static async Task<(HttpStatusCode, string)> ReadyAsync(StartedNode node)
    {
        using var response = await node.Http.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls until the probe answers <paramref name="expected"/> or a generous deadline passes; returns the last answer.</summary>
    private static async Task<(HttpStatusCode, string)> WaitForReadyStatusAsync(StartedNode node, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var answer = await ReadyAsync(node);
            if (answer.Item1 == expected || DateTime.UtcNow > deadline) return answer;
            await Task.Delay(250);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
