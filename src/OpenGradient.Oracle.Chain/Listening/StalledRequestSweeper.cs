using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>
/// Re-queues requests that made no progress for <see cref="ChainOptions.StalledRequestTimeout"/>: a job lost with a
/// killed process (the job store keeps a fetched job invisible for a long time) or never queued (a crash between
/// storing a request and queueing it). Jobs check state before acting, so an extra run is harmless. Submitted requests
/// are the receipt tracker's.
/// </summary>
public sealed partial class StalledRequestSweeper(
    ChainContext context, IRequestStore requests, IJobScheduler scheduler, TimeProvider time, ILogger<StalledRequestSweeper> logger)
    : BackgroundService
{
    private const int BatchLimit = 500;
    private readonly ConcurrentDictionary<RequestKey, DateTimeOffset> _requeued = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = context.Options.StalledRequestTimeout;
        if (timeout <= TimeSpan.Zero) return;
        ChainIdentity identity;
        try
        {
            identity = await context.GetIdentityAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var interval = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                await SweepOnceAsync(identity, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a database outage: try again next round
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogSweepFailed(e);
            }
        }
    }

    /// <summary>Queues the next job of every stalled request once per timeout. Returns how many were queued.</summary>
    internal async Task<int> SweepOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var timeout = context.Options.StalledRequestTimeout;
        var now = time.GetUtcNow();
        var queued = 0;
        foreach (var status in new[] { RequestStatus.Discovered, RequestStatus.Inferring, RequestStatus.Inferred, RequestStatus.Submitting })
        {
            var list = await requests.ListByStatusAsync(status, BatchLimit, cancellationToken).ConfigureAwait(false);
            foreach (var stored in list)
            {
                if (stored.Key.ChainId != identity.ChainId || stored.Key.Oracle != identity.OracleText) continue;
                if (now - stored.UpdatedAt < timeout) continue;
                if (_requeued.TryGetValue(stored.Key, out var last) && now - last < timeout) continue;
                _requeued[stored.Key] = now;
                var job = status is RequestStatus.Discovered or RequestStatus.Inferring
                    ? scheduler.EnqueueInference(stored.Key)
                    : scheduler.EnqueueSubmission(stored.Key);
                queued++;
                LogRequeued(stored.Key.ToString(), status, now - stored.UpdatedAt, job);
            }
        }
        // Forget keys that moved on, so the map does not grow without bound.
        foreach (var (key, at) in _requeued)
            if (now - at > timeout * 4) _requeued.TryRemove(key, out _);
        return queued;
    }

    [LoggerMessage(EventId = 5501, Level = LogLevel.Warning,
        Message = "Request {RequestKey} stalled in {Status} for {Age}; queued job {JobId} again")]
    private partial void LogRequeued(string requestKey, RequestStatus status, TimeSpan age, string jobId);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Warning, Message = "Stalled-request sweep failed; retrying next round")]
    private partial void LogSweepFailed(Exception exception);
}
