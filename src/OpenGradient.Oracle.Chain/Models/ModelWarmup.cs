using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Inference;

namespace OpenGradient.Oracle.Chain.Models;

/// <summary>
/// Loads every model in the model folder when the node starts, in the background, so the first request for a model
/// does not pay for verifying its hash and building its ONNX Runtime session. A model that fails to load here is only
/// logged: requests for it fail with their own named reason when they come.
/// </summary>
internal sealed partial class ModelWarmup(IOracleInference inference, string? modelDirectory, ILogger<ModelWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (modelDirectory is null || !Directory.Exists(modelDirectory)) return;
        var loaded = 0;
        foreach (var file in Directory.EnumerateFiles(modelDirectory, "*.onnx"))
        {
            byte[] modelId;
            try
            {
                modelId = Keccak256.Hash(await File.ReadAllBytesAsync(file, stoppingToken).ConfigureAwait(false));
            }
            catch (IOException e)
            {
                LogUnreadable(file, e.Message);
                continue;
            }
            var failure = await inference.PreloadAsync(modelId, null, stoppingToken).ConfigureAwait(false);
            if (failure is null) loaded++;
            else LogFailed(file, failure.ToString() ?? "");
        }
        LogLoaded(loaded, modelDirectory);
    }

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Loaded {Count} models from {Directory} ahead of their first request")]
    private partial void LogLoaded(int count, string directory);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Warning, Message = "Model file {File} could not be read: {Error}")]
    private partial void LogUnreadable(string file, string error);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Warning, Message = "Model file {File} did not load: {Failure}")]
    private partial void LogFailed(string file, string failure);
}
