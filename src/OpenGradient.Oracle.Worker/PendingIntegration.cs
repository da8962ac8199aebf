// =====================================================================================================================
// PENDING INTEGRATION — TEMPORARY STAND-INS. DELETE THIS WHOLE FILE WHEN BRANCH `chain` IS MERGED.
//
// The chain helper is writing the real `AddOracleChain()` and `AddOracleInference()` (IHostApplicationBuilder
// extensions in namespace OpenGradient.Oracle.Chain) that register IResultSubmitter, IInferenceRunner, the listener and
// receipt hosted services, and INodeHealth. Until then these stand-ins, with exactly those names, let the Worker build
// and its tests run. Once both exist the calls are ambiguous and the build fails, which is the reminder to delete this.
//
// What the stand-ins do:
//   - AddOracleChain: binds and validates the `Chain` keys the Worker relies on (RpcUrls, ChainId, OracleAddress) with
//     messages naming each key; INodeHealth probes the first RPC URL with eth_blockNumber and reads the listener cursor
//     from IChainCursorStore. There is no listener, so "listener progress" is the time of the probe (never stalled).
//     IResultSubmitter throws: nothing is ever sent.
//   - AddOracleInference: IInferenceRunner throws: nothing is ever inferred.
// The real INodeHealth must report ListenerProgressAt from the listener's last completed poll (see the port).
// =====================================================================================================================
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain;

/// <summary>STAND-IN (PendingIntegration.cs): replaced by the Chain project's registrations at merge.</summary>
public static class PendingChainIntegration
{
    public static IHostApplicationBuilder AddOracleChain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StandInChainOptions>().Bind(builder.Configuration.GetSection("Chain")).ValidateOnStart();
        builder.Services.AddOptions<StandInOperatorOptions>().Bind(builder.Configuration.GetSection("Operator"));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StandInChainOptions>, StandInChainOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<INodeHealth, StandInNodeHealth>();
        builder.Services.TryAddSingleton<IResultSubmitter, StandInResultSubmitter>();
        return builder;
    }

    public static IHostApplicationBuilder AddOracleInference(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IInferenceRunner, StandInInferenceRunner>();
        return builder;
    }
}

internal sealed class StandInChainOptions
{
    public IList<string> RpcUrls { get; } = [];

    public ulong ChainId { get; set; }

    public string? OracleAddress { get; set; }
}

internal sealed class StandInOperatorOptions
{
    public string? KeystorePath { get; set; }
}

internal sealed class StandInChainOptionsValidator : IValidateOptions<StandInChainOptions>
{
    public ValidateOptionsResult Validate(string? name, StandInChainOptions o)
    {
        var problems = new List<string>();
        if (o.RpcUrls.Count == 0)
            problems.Add("Chain:RpcUrls is empty; set at least one JSON-RPC endpoint, e.g. [\"http://127.0.0.1:8545\"]");
        for (var i = 0; i < o.RpcUrls.Count; i++)
            if (!Uri.TryCreate(o.RpcUrls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                problems.Add($"Chain:RpcUrls:{i} is '{o.RpcUrls[i]}', not an absolute http(s) URL; use e.g. http://127.0.0.1:8545");
        if (o.ChainId == 0)
            problems.Add("Chain:ChainId is missing or 0; set the chain id the RPC serves (31337 for a Hardhat devnet)");
        if (string.IsNullOrWhiteSpace(o.OracleAddress))
            problems.Add("Chain:OracleAddress is missing; set it to the InferenceOracle contract address (0x followed by 40 hex digits)");
        else
        {
            try
            {
                AddressText.Normalize(o.OracleAddress, "Chain:OracleAddress");
            }
            catch (ArgumentException)
            {
                problems.Add($"Chain:OracleAddress is '{o.OracleAddress}', not a 20-byte 0x-prefixed hex address");
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

internal sealed class StandInNodeHealth(
    IOptions<StandInChainOptions> chain, IOptions<StandInOperatorOptions> operatorOptions, IChainCursorStore cursors,
    TimeProvider time) : INodeHealth, IDisposable
{
    private readonly EthRpcClient _rpc = new(new Uri(chain.Value.RpcUrls[0]), timeout: TimeSpan.FromSeconds(3), timeProvider: time);
    private readonly string _oracle = AddressText.Normalize(chain.Value.OracleAddress!, "Chain:OracleAddress");
    private readonly string? _operator = ReadKeystoreAddress(operatorOptions.Value.KeystorePath);

    public async Task<ChainHealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        ulong? head = null;
        System.Numerics.BigInteger? balance = null;
        string? error = null;
        try
        {
            head = await _rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
            if (_operator is not null)
                balance = await _rpc.GetBalanceAsync(OpenGradient.Oracle.Ethereum.Primitives.Address.Parse(_operator), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or RpcErrorException)
        {
            error = e.Message;
        }
        ulong? last = null;
        try
        {
            last = (await cursors.GetAsync(chain.Value.ChainId, _oracle, cancellationToken).ConfigureAwait(false))?.BlockNumber;
        }
#pragma warning disable CA1031 // stand-in: a database outage is the database check's to report
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
        }
        return new ChainHealthReport(chain.Value.ChainId, _oracle, _operator, error is null, error, head, last, time.GetUtcNow(), balance);
    }

    public void Dispose() => _rpc.Dispose();

    // The keystore's "address" field needs no password; the real Chain side reports the address of the key it loaded.
    private static string? ReadKeystoreAddress(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("address", out var a) && a.GetString() is { Length: 40 } hex ? "0x" + hex.ToLowerInvariant() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed class StandInResultSubmitter : IResultSubmitter
{
    public Task<SubmissionReceipt> SubmitAsync(IReadOnlyList<ResultSubmission> results, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("stand-in IResultSubmitter (PendingIntegration.cs): the Chain project's AddOracleChain is not merged yet");
}

internal sealed class StandInInferenceRunner : IInferenceRunner
{
    public Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("stand-in IInferenceRunner (PendingIntegration.cs): the Chain project's AddOracleInference is not merged yet");
}
