using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Inference;

namespace OpenGradient.Oracle.Inference;

/// <summary>The engine, its model store and their lifetime as one object (the integrator registers it as a singleton).</summary>
public interface IOracleInference : IInferenceEngine, IModelPreloader, IDisposable
{
    /// <summary>Loads every model in <see cref="InferenceOptions.ModelDirectory"/> ahead of its first request (the node
    /// calls this at start). Returns the folder and how many loaded; a model that does not load is only counted out:
    /// requests for it fail with their own named reason when they come.</summary>
    Task<(string? Directory, int Loaded, int Failed)> PreloadModelDirectoryAsync(CancellationToken cancellationToken = default);
}

/// <summary>Builds the inference service. DI wiring (AddOracleInference) is left to the integrator.</summary>
public static class OracleInference
{
    /// <param name="options">Model sources; validated here (<see cref="ArgumentException"/> names the setting).</param>
    /// <param name="httpClient">Used for loopback http(s) model URIs; one without proxy is created when null.</param>
    /// <param name="loggerFactory">Optional.</param>
    public static IOracleInference Create(InferenceOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        var store = new ModelStore(options, httpClient, loggerFactory?.CreateLogger("OpenGradient.Oracle.Inference.ModelStore"));
        var engine = new InferenceEngine(store, loggerFactory?.CreateLogger("OpenGradient.Oracle.Inference.InferenceEngine"));
        return new Service(store, engine);
    }

    private sealed class Service(ModelStore store, InferenceEngine engine) : IOracleInference
    {
        public ValueTask<InferenceResult> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
            engine.RunAsync(request, cancellationToken);

        public ValueTask<InferenceFailure?> PreloadAsync(ReadOnlyMemory<byte> modelId, string? uri, CancellationToken cancellationToken = default) =>
            store.PreloadAsync(modelId, uri, cancellationToken);

        public Task<(string? Directory, int Loaded, int Failed)> PreloadModelDirectoryAsync(CancellationToken cancellationToken = default) =>
            store.PreloadDirectoryAsync(cancellationToken);

        public void Dispose()
        {
            engine.Dispose();
            store.Dispose();
        }
    }
}
