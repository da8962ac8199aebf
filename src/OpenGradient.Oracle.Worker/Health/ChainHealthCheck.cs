using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Worker.Health;

/// <summary>Ready only when the chain RPC answers and the listener keeps polling (see <see cref="INodeHealth"/>).</summary>
internal sealed class ChainHealthCheck(INodeHealth node, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await node.CheckAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>
        {
            ["chainId"] = report.ChainId,
            ["oracle"] = report.Oracle,
            ["chainHead"] = (object?)report.ChainHead ?? "unknown",
            ["lastProcessedBlock"] = (object?)report.LastProcessedBlock ?? "none",
            ["lagBlocks"] = report.LagBlocks,
        };
        if (report.RpcEndpoints is { } endpoints)
            data["rpcEndpoints"] = endpoints.Select(e => new
            {
                e.Index, e.Url, e.Status, e.Usable, e.LastError, e.ChainId, e.BlockNumber, e.LagBlocks, e.CheckedAt,
            }).ToArray();
        if (!report.RpcReachable)
            return HealthCheckResult.Unhealthy("chain RPC unreachable (Chain:RpcUrls): " + (report.RpcError ?? "no answer"), data: data);

        var now = time.GetUtcNow();
        var stallAfter = options.Value.ListenerStallAfter;
        if (report.ListenerProgressAt is { } progress)
        {
            if (now - progress > stallAfter)
                return HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                    $"listener stalled: last poll completed at {progress:O}, more than Health:ListenerStallAfter ({stallAfter}) ago"), data: data);
        }
        else if (now - _startedAt > stallAfter)
        {
            return HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"listener stalled: no poll completed in the {stallAfter} (Health:ListenerStallAfter) since start"), data: data);
        }
        if (report.OperatorBalance is { } balance && options.Value.MinOperatorBalanceEth > 0)
        {
            var minimum = new System.Numerics.BigInteger(decimal.Round(options.Value.MinOperatorBalanceEth * 1_000_000_000_000_000_000m, 0));
            data["operatorBalanceWei"] = balance.ToString(CultureInfo.InvariantCulture);
            if (balance < minimum)
                return HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                    $"operator {report.Operator} holds {(decimal)balance / 1_000_000_000_000_000_000m:0.######} ETH, below Health:MinOperatorBalanceEth ({options.Value.MinOperatorBalanceEth}); top it up before it cannot pay for fulfilments"), data: data);
        }
        // Calls still get through, but the failover has less to fall back on: say which endpoints are out and why.
        if (report.RpcEndpoints?.Where(e => e.Status is "Down" or "WrongChain" or "Lagging").ToArray() is { Length: > 0 } troubled)
            return HealthCheckResult.Degraded("RPC endpoints not healthy (Chain:RpcUrls): " + string.Join("; ",
                troubled.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Index} {e.Url} {e.Status}: {e.LastError}"))), data: data);
        return HealthCheckResult.Healthy("chain RPC answers and the listener is polling", data);
    }
}
