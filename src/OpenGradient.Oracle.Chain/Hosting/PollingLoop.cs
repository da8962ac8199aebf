using Microsoft.Extensions.Hosting;
using OpenGradient.Oracle.Chain.Listening;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// The background loop every chain follower shares (request listener, receipt tracker, finality components): wait for
/// the chain identity, poll, wait <see cref="IdleDelay"/> when caught up, and outlive RPC and database outages with
/// jittered back-off.
/// </summary>
public abstract class PollingLoop : BackgroundService
{
    private protected PollingLoop(ChainContext context, TimeProvider time)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        Time = time ?? throw new ArgumentNullException(nameof(time));
    }

    private protected ChainContext Context { get; }

    private protected TimeProvider Time { get; }

    /// <summary>The pause between polls once caught up, and the base of the back-off after a failure.</summary>
    private protected virtual TimeSpan IdleDelay => Context.Options.PollInterval;

    /// <summary>One step. Returns true when there is nothing more to do right now.</summary>
    internal abstract Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken);

    /// <summary>Runs once before the first poll (retried like a poll when it fails).</summary>
    private protected virtual Task BeforeFirstPollAsync(ChainIdentity identity, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A poll completed (whether it found work or not).</summary>
    private protected virtual void OnPollCompleted()
    {
    }

    /// <summary>A poll failed (it is retried after <paramref name="delay"/>).</summary>
    private protected abstract void OnPollFailed(int failures, TimeSpan delay, Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChainIdentity identity;
        try
        {
            identity = await Context.GetIdentityAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var started = false;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!started)
                {
                    await BeforeFirstPollAsync(identity, stoppingToken).ConfigureAwait(false);
                    started = true;
                }
                var idle = await PollOnceAsync(identity, stoppingToken).ConfigureAwait(false);
                OnPollCompleted();
                failures = 0;
                if (idle) await Task.Delay(IdleDelay, Time, stoppingToken).ConfigureAwait(false);
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
                var delay = Backoff.Delay(failures, IdleDelay, Context.Options.MaxRetryDelay);
                OnPollFailed(failures, delay, e);
                try
                {
                    await Task.Delay(delay, Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
