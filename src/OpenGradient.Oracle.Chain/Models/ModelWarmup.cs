using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Inference;

namespace OpenGradient.Oracle.Chain.Models;

/// <summary>
/// Loads every model in the model folder when the node starts, in the background, so the first request for a model
/// does not pay for verifying its hash and building its ONNX Runtime session. A model that fails to load here is only
/// counted: requests for it fail with their own named reason when they come.
/// </summary>
internal sealed partial class ModelWarmup(IOracleInference inference, ILogger<ModelWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (directory, loaded, failed) = await inference.PreloadModelDirectoryAsync(stoppingToken).ConfigureAwait(false);
        if (directory is null) return;
        if (failed > 0) LogFailed(failed, directory);
        LogLoaded(loaded, directory);
    }

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Loaded {Count} models from {Directory} ahead of their first request")]
    private partial void LogLoaded(int count, string directory);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Warning, Message = "{Count} model files in {Directory} did not load (see the model store's log)")]
    private partial void LogFailed(int count, string directory);
}
