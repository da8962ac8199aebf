using Microsoft.Extensions.Hosting;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>The background loop of the finality components: wait for the chain identity, poll, wait
/// <see cref="ChainOptions.PollInterval"/> when caught up, and outlive RPC and database outages with back-off.</summary>
public abstract class PollingLoop(ChainContext context, TimeProvider time) : BackgroundService
{
    /// <summary>One step. Returns true when there is nothing more to do right now.</summary>
    internal abstract Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken);

    /// <summary>A poll failed (it is retried after <paramref name="delay"/>).</summary>
    private protected abstract void OnPollFailed(int failures, TimeSpan delay, Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChainIdentity identity;
        try
        {
            identity = await context.GetIdentityAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var idle = await PollOnceAsync(identity, stoppingToken).ConfigureAwait(false);
                failures = 0;
                if (idle) await Task.Delay(context.Options.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // outlive RPC and database outages: log, back off, try again
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures++;
                var delay = Backoff.Delay(failures, context.Options.PollInterval, context.Options.MaxRetryDelay);
                OnPollFailed(failures, delay, e);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
