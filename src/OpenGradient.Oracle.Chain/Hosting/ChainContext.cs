using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>What every chain component shares once start-up checks passed: the chain id (verified with the node), the
/// oracle, the operator and the oracle's EIP-712 domain.</summary>
public sealed record ChainIdentity(ulong ChainId, Address Oracle, Address Operator)
{
    /// <summary>The oracle as Core carries it (lower-case hex).</summary>
    public string OracleText { get; } = Oracle.ToString().ToLowerInvariant();

    public Eip712Domain Domain { get; } = Eip712Domain.InferenceOracle(ChainId, Oracle);
}

/// <summary>
/// Shared RPC client plus the <see cref="ChainIdentity"/>, which becomes available when <see cref="ChainStartup"/> has
/// checked the node. Components await <see cref="GetIdentityAsync"/>, so a job that runs before the check waits for it.
/// </summary>
public sealed class ChainContext : IDisposable
{
    private readonly TaskCompletionSource<ChainIdentity> _identity = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable? _owned;
    private int _reorgs;

    /// <param name="owned">Disposed with the context (the HTTP client behind <paramref name="rpc"/>).</param>
    public ChainContext(EthRpcClient rpc, IOperatorKeyProvider key, ChainOptions options, IDisposable? owned = null)
        : this(rpc, key, options, owned, null)
    {
    }

    private ChainContext(EthRpcClient rpc, IOperatorKeyProvider key, ChainOptions options, IDisposable? owned, RpcEndpointSet? endpoints)
    {
        _owned = owned;
        Rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Endpoints = endpoints ?? new RpcEndpointSet(options.RpcUrls.Count > 0 ? options.RpcUrls.Select(u => new Uri(u)).ToArray() : [rpc.Endpoint]);
    }

    public EthRpcClient Rpc { get; }

    public IOperatorKeyProvider Key { get; }

    public ChainOptions Options { get; }

    /// <summary>The configured RPC endpoints and their health (probed by <see cref="RpcHealthMonitor"/>; only a context
    /// from <see cref="Create"/> routes its calls by it).</summary>
    internal RpcEndpointSet Endpoints { get; }

    public Task<ChainIdentity> GetIdentityAsync(CancellationToken cancellationToken = default) => _identity.Task.WaitAsync(cancellationToken);

    /// <summary>How many reorgs the listener has seen. Cached readings of chain state (<see cref="CachedReading{T}"/>)
    /// taken before the count moved are read again: they may describe a branch that is gone.</summary>
    internal int Reorgs => Volatile.Read(ref _reorgs);

    /// <summary>Called by the listener when it finds the chain reorganised under its cursor.</summary>
    internal void NoteReorg() => Interlocked.Increment(ref _reorgs);

    /// <summary>Asks the node for its chain id, compares it with the configuration and publishes the identity.</summary>
    /// <exception cref="InvalidOperationException">the node serves another chain.</exception>
    public async Task<ChainIdentity> InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_identity.Task.IsCompletedSuccessfully) return _identity.Task.Result;
        // The health probes found only wrong-chain endpoints: the failover refuses them, so say it here, fatally.
        if (Options.ChainId is { } configured && Endpoints.PreferenceOrder().Count == 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Chain:ChainId is {configured} but every RPC endpoint serves another chain ({string.Join(", ", Endpoints.Snapshot().Select(e => $"{e.Url} serves chain {e.ChainId}"))}); fix Chain:ChainId or Chain:RpcUrls"));
        var actual = await Rpc.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (Options.ChainId is { } expected && expected != actual)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Chain:ChainId is {expected} but the node at {Rpc.Endpoint} serves chain {actual}; fix Chain:ChainId or Chain:RpcUrls"));
        var identity = new ChainIdentity(actual, Options.Oracle, Key.Address);
        _identity.TrySetResult(identity);
        return identity;
    }

    /// <summary>Whether the configured oracle address holds a contract (a wrong address only ever sees no requests).</summary>
    public async Task<bool> OracleHasCodeAsync(CancellationToken cancellationToken = default) =>
        (await Rpc.GetCodeAsync(Options.Oracle, BlockTag.Latest, cancellationToken).ConfigureAwait(false)).Length > 0;

    public void Dispose()
    {
        Rpc.Dispose();
        _owned?.Dispose();
    }

    /// <summary>A context whose RPC client fails over across every configured URL (see <see cref="FailoverHandler"/>).</summary>
    public static ChainContext Create(ChainOptions options, IOperatorKeyProvider key, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoints = new RpcEndpointSet(options.RpcUrls.Select(u => new Uri(u)).ToArray());
        var http = new HttpClient(new FailoverHandler(endpoints, logger))
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        return new ChainContext(new EthRpcClient(options.PrimaryRpcUrl, http, options.RpcTimeout), key, options, http, endpoints);
    }
}

/// <summary>
/// Start-up checks before the listener and tracker run: the operator key must unlock (fatal), and the node must serve
/// Chain:ChainId (fatal, whenever it is first reached). An unreachable RPC does not stop the start: the node comes up
/// unready (<c>INodeHealth</c> reports the RPC unreachable) and keeps trying in the background; the chain components wait for it.
/// An oracle address without code is a warning.
/// </summary>
internal sealed partial class ChainStartup(
    ChainContext context, RpcHealthMonitor rpcHealth, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ChainStartup> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _background;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Unlocking the key first: a wrong password is the most common start-up mistake and needs no network.
        _ = context.Key.Address;
        // One round of RPC probes first, so the chain-id check below never goes to a standby serving another chain.
        await rpcHealth.ProbeAllAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or RpcErrorException)
        {
            LogRpcDown(context.Rpc.Endpoint.ToString(), e.Message);
            _background = Task.Run(() => RetryAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_background is { } background)
        {
            try
            {
                await background.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var identity = await context.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (!await context.OracleHasCodeAsync(cancellationToken).ConfigureAwait(false))
            LogNoCode(identity.Oracle.ToString(), identity.ChainId);
        LogReady(identity.ChainId, identity.Oracle.ToString(), identity.Operator.ToString(), context.Rpc.Endpoint.ToString());
    }

    private async Task RetryAsync(CancellationToken stoppingToken)
    {
        for (var failures = 1; !stoppingToken.IsCancellationRequested; failures++)
        {
            try
            {
                await Task.Delay(Listening.Backoff.Delay(failures, context.Options.PollInterval, context.Options.MaxRetryDelay), time, stoppingToken)
                    .ConfigureAwait(false);
                await InitializeAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcTransportException or RpcErrorException)
            {
                if (failures % 10 == 0) LogRpcDown(context.Rpc.Endpoint.ToString(), e.Message);
            }
            catch (InvalidOperationException e)
            {
                LogFatal(e.Message);
                lifetime.StopApplication();
                return;
            }
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Chain {ChainId}: serving oracle {Oracle} as operator {Operator} through {RpcUrl}")]
    private partial void LogReady(ulong chainId, string oracle, string @operator, string rpcUrl);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning,
        Message = "Chain:OracleAddress {Oracle} has no contract code on chain {ChainId}; no request will ever arrive (check deployment.json)")]
    private partial void LogNoCode(string oracle, ulong chainId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "The chain RPC ({RpcUrl}) is unreachable at start-up ({Error}); starting unready and retrying")]
    private partial void LogRpcDown(string rpcUrl, string error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Critical, Message = "Stopping the node: {Error}")]
    private partial void LogFatal(string error);
}

internal static class ChainIdentityExtensions
{
    public static string OperatorText(this ChainIdentity identity) => identity.Operator.ToString().ToLowerInvariant();
}
