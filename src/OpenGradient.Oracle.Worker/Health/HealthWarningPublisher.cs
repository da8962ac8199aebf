using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace OpenGradient.Oracle.Worker.Health;

/// <summary>
/// Runs with ASP.NET Core's periodic health-check publishing, so problems reach the log even when nobody polls
/// /health: a low operator balance, a stalled listener or an unreachable RPC or database is logged as a warning.
/// </summary>
internal sealed partial class HealthWarningPublisher(ILogger<HealthWarningPublisher> logger) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (name, entry) in report.Entries)
            if (entry.Status != HealthStatus.Healthy) LogNotHealthy(name, entry.Status, entry.Description ?? "");
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Health check {Check} is {Status}: {Description}")]
    private partial void LogNotHealthy(string check, HealthStatus status, string description);
}
