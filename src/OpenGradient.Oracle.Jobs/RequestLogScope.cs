using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Log scopes that put the request's identity on every line written while a job works on it, including lines from the
/// runner and the submitter (scopes are shared by all loggers of one factory; Serilog turns them into properties).
/// </summary>
internal static class RequestLogScope
{
    // One property, "chainId/oracle/requestId": not "RequestId", which ASP.NET Core already uses for HTTP requests.
    public static IDisposable? Begin(ILogger logger, RequestKey key) =>
        logger.BeginScope(new Dictionary<string, object> { ["RequestKey"] = key.ToString() });

    public static IDisposable? BeginModel(ILogger logger, string modelId) =>
        logger.BeginScope(new Dictionary<string, object> { ["ModelId"] = modelId });

    public static IDisposable? BeginTransaction(ILogger logger, string txHash) =>
        logger.BeginScope(new Dictionary<string, object> { ["TxHash"] = txHash });
}
