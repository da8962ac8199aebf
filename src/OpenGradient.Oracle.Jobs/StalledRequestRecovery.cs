using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Queues again the requests whose job was lost: a node killed between storing a request and enqueueing it, or a
/// queue entry lost with its worker. At start every request short of submission is queued once (jobs check state, so
/// a request that still has a live job only costs a no-op run), except those in Submitting (see <see cref="SweepAsync"/>);
/// afterwards only requests that have not moved for <see cref="OracleJobsOptions.StalledAfter"/>. Submitted requests
/// belong to the chain's receipt tracking.
/// </summary>
internal sealed partial class StalledRequestRecovery(
    IRequestStore store, IJobScheduler scheduler, IOptions<OracleJobsOptions> options, TimeProvider time, ILogger<StalledRequestRecovery> logger)
    : BackgroundService
{
    private const int BatchLimit = 1000;

    private static readonly RequestStatus[] ResumableStatuses =
        [RequestStatus.Discovered, RequestStatus.Inferring, RequestStatus.Inferred, RequestStatus.Submitting];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var olderThan = TimeSpan.Zero; // start-up: whatever this node was doing when it stopped
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queued = await SweepAsync(olderThan, stoppingToken).ConfigureAwait(false);
                if (queued > 0) LogRequeued(queued, olderThan);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e); // database down: the next sweep tries again
            }
            olderThan = o.StalledAfter;
            try
            {
                await Task.Delay(o.RecoveryInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task<int> SweepAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stalled = new List<RequestKey>();
        foreach (var status in ResumableStatuses)
        {
            // A request in Submitting may be in the hands of a live job of another node sharing this database, between
            // taking it and storing its transaction: a second job now would send a second transaction. So it is only
            // queued again once it has not moved for StalledAfter, even at start-up (a crashed node's own job comes
            // back sooner anyway, when Hangfire's invisibility timeout hands it to a worker again). The earlier
            // statuses are safe to queue at once: their transitions are version-guarded, and a job that loses the race
            // leaves the request to the one that won.
            var age = status == RequestStatus.Submitting ? TimeSpanMax(olderThan, options.Value.StalledAfter) : olderThan;
            var requests = await store.ListByStatusAsync(status, BatchLimit, cancellationToken).ConfigureAwait(false);
            stalled.AddRange(requests.Where(r => r.UpdatedAt <= now - age).Select(r => r.Key));
        }
        if (stalled.Count > 0) scheduler.Enqueue(stalled);
        return stalled.Count;
    }

    private static TimeSpan TimeSpanMax(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Queued {Count} requests again that had not moved for {Age} (lost jobs after a crash?)")]
    private partial void LogRequeued(int count, TimeSpan age);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Stalled-request sweep failed; retrying at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
