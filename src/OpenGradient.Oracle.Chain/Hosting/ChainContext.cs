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

    /// <param name="owned">Disposed with the context (the HTTP client behind <paramref name="rpc"/>).</param>
    public ChainContext(EthRpcClient rpc, IOperatorKeyProvider key, ChainOptions options, IDisposable? owned = null)
    {
        _owned = owned;
        Rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    public EthRpcClient Rpc { get; }

    public IOperatorKeyProvider Key { get; }

    public ChainOptions Options { get; }

    public Task<ChainIdentity> GetIdentityAsync(CancellationToken cancellationToken = default) => _identity.Task.WaitAsync(cancellationToken);

    /// <summary>Asks the node for its chain id, compares it with the configuration and publishes the identity.</summary>
    /// <exception cref="InvalidOperationException">the node serves another chain, or the oracle has no code there.</exception>
    public async Task<ChainIdentity> InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_identity.Task.IsCompletedSuccessfully) return _identity.Task.Result;
        var actual = await Rpc.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (Options.ChainId is { } expected && expected != actual)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Chain:ChainId is {expected} but the node at {Rpc.Endpoint} serves chain {actual}; fix Chain:ChainId or Chain:RpcUrls"));
        var oracle = Options.Oracle;
        var code = await Rpc.GetCodeAsync(oracle, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        if (code.Length == 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Chain:OracleAddress {oracle} has no contract code on chain {actual} at {Rpc.Endpoint}; check deployment.json"));
        var identity = new ChainIdentity(actual, oracle, Key.Address);
        _identity.TrySetResult(identity);
        return identity;
    }

    public void Dispose()
    {
        Rpc.Dispose();
        _owned?.Dispose();
    }

    /// <summary>A context whose RPC client fails over across every configured URL (see <see cref="FailoverHandler"/>).</summary>
    public static ChainContext Create(ChainOptions options, IOperatorKeyProvider key, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = new HttpClient(new FailoverHandler(options.RpcUrls.Select(u => new Uri(u)).ToArray(), logger))
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        return new ChainContext(new EthRpcClient(options.PrimaryRpcUrl, http, options.RpcTimeout), key, options, http);
    }
}

/// <summary>Runs the start-up checks (key unlock, chain id, oracle code) before the listener and tracker start.</summary>
internal sealed partial class ChainStartup(ChainContext context, ILogger<ChainStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Unlocking the key first: a wrong password is the most common start-up mistake and needs no network.
        var operatorAddress = context.Key.Address;
        var identity = await context.InitializeAsync(cancellationToken).ConfigureAwait(false);
        LogReady(identity.ChainId, identity.Oracle.ToString(), operatorAddress.ToString(), context.Rpc.Endpoint.ToString());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Chain {ChainId}: serving oracle {Oracle} as operator {Operator} through {RpcUrl}")]
    private partial void LogReady(ulong chainId, string oracle, string @operator, string rpcUrl);
}

internal static class ChainIdentityExtensions
{
    public static string OperatorText(this ChainIdentity identity) => identity.Operator.ToString().ToLowerInvariant();
}
