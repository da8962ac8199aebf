using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using EngineRequest = OpenGradient.Oracle.Core.Inference.InferenceRequest;

namespace OpenGradient.Oracle.Chain.Models;

/// <summary>A model as registered: immutable specs and URI.</summary>
internal sealed record RegisteredModel(string Uri, TensorSpec Input, TensorSpec Output);

/// <summary>
/// Reads models from the ModelRegistry the oracle points to. Specs and URI never change for a model id, so they are
/// cached. Revocation can happen at any time and is permanent, so a model found active at block B was active at every
/// earlier block. A request is checked with the cheap <c>modelTerms</c> read at the current head unless a read at a head
/// at or above the request's block was made less than <see cref="StatusMaxAge"/> ago: a revocation is noticed within
/// that time, and always for the first request made after it. Under load that is about one read per model per block
/// instead of one per request (a revoked model stays revoked and is cached as such).
/// </summary>
internal sealed class ModelCatalog(ChainContext context, TimeProvider time) : IDisposable
{
    internal static readonly TimeSpan StatusMaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, RegisteredModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);

    // Per model: the head at which it was last read active, and when.
    private readonly ConcurrentDictionary<string, (ulong Head, long At)> _lastActive = new(StringComparer.Ordinal);

    // One modelTerms read at a time: the jobs of a block that all need a fresh answer wait for the first one's.
    private readonly SemaphoreSlim _termsRead = new(1, 1);
    private Address? _registry;

    public void Dispose() => _termsRead.Dispose();

    /// <summary>The model, or the typed failure that reports it (unknown or revoked), for a request made in
    /// <paramref name="requestBlock"/>. Throws for RPC faults.</summary>
    public async Task<(RegisteredModel? Model, FailureReason? Failure, string? Detail)> LookupAsync(byte[] modelId, ulong requestBlock,
        CancellationToken cancellationToken)
    {
        var key = Hex.Encode(modelId);
        if (_revoked.ContainsKey(key)) return (null, FailureReason.ModelRevoked, $"model {key} is revoked");
        var registry = await RegistryAsync(cancellationToken).ConfigureAwait(false);
        var rpc = context.Rpc;

        if (!_models.TryGetValue(key, out var model))
        {
            ModelRegistryContract.ModelInfo info;
            try
            {
                info = ModelRegistryContract.DecodeGetModelOutput(await rpc.EthCallAsync(
                    new TransactionRequest { To = registry, Data = ModelRegistryContract.EncodeGetModel(modelId) }, null, cancellationToken).ConfigureAwait(false));
            }
            catch (ContractRevertException e) when (e.Decode(KnownErrors.Abi).Name == "ModelRegistryUnknownModel")
            {
                return (null, FailureReason.ModelUnknown, $"model {key} is not registered");
            }
            if (info.Revoked)
            {
                _revoked[key] = true;
                return (null, FailureReason.ModelRevoked, $"model {key} is revoked");
            }
            model = new RegisteredModel(info.Uri, ToCore(info.Input), ToCore(info.Output));
            _models[key] = model;
            return (model, null, null);
        }

        if (!await IsActiveAtAsync(key, modelId, registry, requestBlock, cancellationToken).ConfigureAwait(false))
        {
            _revoked[key] = true;
            return (null, FailureReason.ModelRevoked, $"model {key} is revoked");
        }
        return (model, null, null);
    }

    private async Task<bool> IsActiveAtAsync(string key, byte[] modelId, Address registry, ulong requestBlock, CancellationToken cancellationToken)
    {
        if (FreshlyActive(key, requestBlock)) return true;
        await _termsRead.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_revoked.ContainsKey(key)) return false;
            if (FreshlyActive(key, requestBlock)) return true;
            var head = await context.Rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
            var terms = ModelRegistryContract.DecodeModelTermsOutput(await context.Rpc.EthCallAsync(
                new TransactionRequest { To = registry, Data = ModelRegistryContract.EncodeModelTerms(modelId) }, BlockTag.Number(head), cancellationToken)
                .ConfigureAwait(false));
            if (terms.Active) _lastActive[key] = (head, time.GetTimestamp());
            return terms.Active;
        }
        finally
        {
            _termsRead.Release();
        }
    }

    private bool FreshlyActive(string key, ulong requestBlock) =>
        _lastActive.TryGetValue(key, out var last) && requestBlock <= last.Head && time.GetElapsedTime(last.At) < StatusMaxAge;

    private async Task<Address> RegistryAsync(CancellationToken cancellationToken)
    {
        if (_registry is { } known) return known;
        var identity = await context.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
        var output = await context.Rpc.EthCallAsync(
            new TransactionRequest { To = identity.Oracle, Data = InferenceOracleContract.EncodeModelRegistry() }, null, cancellationToken).ConfigureAwait(false);
        var registry = InferenceOracleContract.DecodeModelRegistryOutput(output);
        _registry = registry;
        return registry;
    }

    internal static TensorSpec ToCore(ModelRegistryContract.TensorSpec spec) => new(
        (ElementType)(byte)spec.ElementType,
        (byte)spec.Decimals,
        (long)spec.MinValue,
        (long)spec.MaxValue,
        spec.Shape.Select(d => (uint)d).ToArray());
}

/// <summary>
/// <see cref="IInferenceRunner"/> for the jobs: looks the model up in the registry, then runs it with
/// <see cref="IOracleInference"/>. Bad input and bad models become typed failures; RPC faults are thrown (the job retries).
/// </summary>
internal sealed partial class RegistryInferenceRunner(ModelCatalog catalog, IOracleInference inference, ILogger<RegistryInferenceRunner> logger)
    : IInferenceRunner
{
    public async Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (model, failure, detail) = await catalog.LookupAsync(request.Request.ModelId, request.Log.BlockNumber, cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            LogFailed(request.Key.ToString(), failure!.Value, detail ?? "");
            return InferenceOutcome.Failed(failure!.Value);
        }

        var result = await inference.RunAsync(
            new EngineRequest(request.Request.ModelId, string.IsNullOrEmpty(model.Uri) ? null : model.Uri, model.Input, model.Output, request.Input),
            cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess) return InferenceOutcome.Success(result.Output);
        LogFailed(request.Key.ToString(), result.Failure.Reason, result.Failure.Detail);
        return InferenceOutcome.Failed(result.Failure.Reason);
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Request {RequestKey}: inference failed with {Reason}: {Detail}")]
    private partial void LogFailed(string requestKey, FailureReason reason, string detail);
}
