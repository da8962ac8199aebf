using Microsoft.Extensions.Logging;

namespace OpenGradient.Oracle.Inference;

internal static partial class LogMessages
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Model {ModelId} loaded from {Source} ({Bytes} bytes)")]
    public static partial void ModelLoaded(this ILogger logger, string modelId, string source, int bytes);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Model {ModelId} not loaded: {Reason} {Detail}")]
    public static partial void ModelNotLoaded(this ILogger logger, string modelId, Core.Models.FailureReason reason, string detail);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Indexed {Count} ONNX files in {Directory}")]
    public static partial void DirectoryIndexed(this ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "ONNX Runtime failed for model {ModelId}: {Detail}")]
    public static partial void RunFailed(this ILogger logger, string modelId, string detail);
}
