using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// Probes every configured RPC endpoint every <see cref="ChainOptions.RpcHealthCheckInterval"/> with eth_chainId and
/// eth_blockNumber, directly (not through the failover), each bounded by <see cref="ProbeTimeout"/>. Records in
/// <see cref="RpcEndpointSet"/> whether it answers, whether it serves <see cref="ChainOptions.ChainId"/> (another chain
/// marks it <see cref="RpcEndpointStatus.WrongChain"/>, and the failover never uses it) and how far its head lags the
/// best one; reports a gauge per endpoint to <see cref="IOracleMetrics"/> and logs each change of status.
/// </summary>
internal sealed partial class RpcHealthMonitor : BackgroundService
{
    private readonly ChainContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger<RpcHealthMonitor> _logger;
    private readonly IOracleMetrics _metrics;
    private readonly EthRpcClient[] _probes;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _round = new(1, 1);

    public RpcHealthMonitor(ChainContext context, TimeProvider time, ILogger<RpcHealthMonitor> logger, IOracleMetrics? metrics = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _time = time;
        _logger = logger;
        _metrics = metrics ?? NullOracleMetrics.Instance;
        ProbeTimeout = context.Options.RpcTimeout < TimeSpan.FromSeconds(5) ? context.Options.RpcTimeout : TimeSpan.FromSeconds(5);
        // One plain client for all probes: a probe must reach exactly its endpoint, never fail over.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _probes = context.Endpoints.Urls.Select(u => new EthRpcClient(u, _http, ProbeTimeout, time)).ToArray();
    }

    /// <summary>Limit of one endpoint's probe (both calls): <see cref="ChainOptions.RpcTimeout"/>, at most 5 s.</summary>
    public TimeSpan ProbeTimeout { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await ProbeAllAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(_context.Options.RpcHealthCheckInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Probes every endpoint once (in parallel) and records the results. Rounds never overlap.</summary>
    public async Task ProbeAllAsync(CancellationToken cancellationToken = default)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var expected = _context.Options.ChainId ?? KnownChainId();
            var answers = await Task.WhenAll(_probes.Select(p => ProbeAsync(p, cancellationToken))).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var best = answers
                .Where(a => a.Error is null && (expected is null || a.ChainId == expected))
                .Select(a => a.Block ?? 0)
                .DefaultIfEmpty(0UL)
                .Max();
            for (var i = 0; i < answers.Length; i++)
            {
                var a = answers[i];
                RpcEndpointState state;
                if (a.Error is not null)
                    state = new RpcEndpointState(RpcEndpointStatus.Down, a.Error, null, null, 0, now);
                else if (expected is { } chain && a.ChainId != chain)
                    state = new RpcEndpointState(RpcEndpointStatus.WrongChain,
                        string.Create(CultureInfo.InvariantCulture, $"serves chain {a.ChainId}, not Chain:ChainId {chain}"), a.ChainId, a.Block, 0, now);
                else
                {
                    var lag = best > a.Block ? best - a.Block!.Value : 0;
                    state = lag > (ulong)_context.Options.RpcMaxLagBlocks
                        ? new RpcEndpointState(RpcEndpointStatus.Lagging,
                            string.Create(CultureInfo.InvariantCulture, $"{lag} blocks behind the best endpoint (Chain:RpcMaxLagBlocks {_context.Options.RpcMaxLagBlocks})"),
                            a.ChainId, a.Block, lag, now)
                        : new RpcEndpointState(RpcEndpointStatus.Healthy, null, a.ChainId, a.Block, lag, now);
                }
                var before = _context.Endpoints[i].Status;
                _context.Endpoints.Record(i, state);
                _metrics.RpcEndpointChecked(i, _context.Endpoints.Labels[i], state.Status == RpcEndpointStatus.Healthy, state.LagBlocks);
                if (state.Status != before)
                {
                    if (state.Status == RpcEndpointStatus.Healthy) LogHealthy(i, _context.Endpoints.Labels[i], before);
                    else LogUnhealthy(i, _context.Endpoints.Labels[i], state.Status, state.LastError ?? "");
                }
            }
        }
        finally
        {
            _round.Release();
        }
    }

    private ulong? KnownChainId()
    {
        var identity = _context.GetIdentityAsync(CancellationToken.None);
        return identity.IsCompletedSuccessfully ? identity.Result.ChainId : null;
    }

    private async Task<ProbeAnswer> ProbeAsync(EthRpcClient probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var chainId = await probe.ChainIdAsync(timeout.Token).ConfigureAwait(false);
            var block = await probe.BlockNumberAsync(timeout.Token).ConfigureAwait(false);
            return new ProbeAnswer(chainId, block, null);
        }
        catch (Exception e) when (e is RpcTransportException or RpcErrorException or System.Text.Json.JsonException)
        {
            return new ProbeAnswer(null, null, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeAnswer(null, null, string.Create(CultureInfo.InvariantCulture, $"no answer within {ProbeTimeout.TotalSeconds:0.###} s"));
        }
    }

    public override void Dispose()
    {
        foreach (var probe in _probes) probe.Dispose();
        _http.Dispose();
        _round.Dispose();
        base.Dispose();
    }

    private sealed record ProbeAnswer(ulong? ChainId, ulong? Block, string? Error);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "RPC endpoint {Index} ({Url}) is healthy (was {Before})")]
    private partial void LogHealthy(int index, string url, RpcEndpointStatus before);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "RPC endpoint {Index} ({Url}) is {Status}: {Error}")]
    private partial void LogUnhealthy(int index, string url, RpcEndpointStatus status, string error);
}
