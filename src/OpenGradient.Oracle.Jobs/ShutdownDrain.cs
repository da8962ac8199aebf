using Hangfire.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenGradient.Oracle.Jobs;

/// <summary>How many jobs this process is running right now (a Hangfire server filter around every perform).</summary>
internal sealed class RunningJobs : IServerFilter
{
    private int _count;

    public int Count => Math.Max(0, Volatile.Read(ref _count));

    public void OnPerforming(PerformingContext context) => Interlocked.Increment(ref _count);

    public void OnPerformed(PerformedContext context) => Interlocked.Decrement(ref _count);
}

/// <summary>
/// Graceful shutdown (SIGTERM, Ctrl+C, <c>StopAsync</c>): before any hosted service stops, Hangfire is told to take no
/// new jobs, and the running ones get up to <see cref="OracleJobsOptions.ShutdownTimeout"/> to finish while everything
/// they need (the chain submitter's batching loop, the database) still runs. The host stops the other services only
/// afterwards. A job still running at the deadline gets its cancellation token, is put back in the queue by Hangfire
/// and, being safe to run twice, completes after the next start.
/// </summary>
internal sealed partial class ShutdownDrain(
    RunningJobs running, IHostApplicationLifetime lifetime, IOptions<OracleJobsOptions> options, TimeProvider time, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Hangfire's server stops fetching on ApplicationStopping; SIGTERM has raised it already, StopAsync has not yet.
        lifetime.StopApplication();
        var timeout = options.Value.ShutdownTimeout;
        var started = time.GetTimestamp();
        var atStart = running.Count;
        LogDraining(atStart, timeout);
        try
        {
            while (running.Count > 0 && time.GetElapsedTime(started) < timeout)
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's own shutdown timeout ran out first.
        }
        var left = running.Count;
        if (left == 0) LogDrained(atStart, time.GetElapsedTime(started));
        else LogNotDrained(left, timeout);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information,
        Message = "Shutting down: no new jobs are taken; waiting up to {Timeout} (Jobs:ShutdownTimeout) for {Running} running jobs")]
    private partial void LogDraining(int running, TimeSpan timeout);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information,
        Message = "Shutdown drained: the {Running} jobs running at the stop signal finished in {Elapsed}")]
    private partial void LogDrained(int running, TimeSpan elapsed);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Warning,
        Message = "Shutdown not drained: {Running} jobs still running after {Timeout} (Jobs:ShutdownTimeout) are cancelled; they run again after the next start")]
    private partial void LogNotDrained(int running, TimeSpan timeout);
}
