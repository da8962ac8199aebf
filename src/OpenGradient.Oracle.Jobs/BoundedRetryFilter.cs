using System.Globalization;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenGradient.Oracle.Jobs;

/// <summary>
/// Retry policy for the request jobs, in place of Hangfire's global <c>AutomaticRetry</c>: a failed attempt is scheduled
/// again after the configured back-off, up to <see cref="OracleJobsOptions.RetryAttempts"/> retries; then
/// <see cref="RetriesExhaustedHandler"/> turns the request into a RETRIES_EXHAUSTED failure report and the job is deleted
/// (its outcome lives on in the request). If the store is down at that moment the job is scheduled again, never dropped.
/// </summary>
internal sealed partial class BoundedRetryFilter(
    IServiceScopeFactory scopes, IOptions<OracleJobsOptions> options, ILogger<BoundedRetryFilter> logger) : IElectStateFilter
{
    internal const string RetryCountParameter = "RetryCount";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed) return;
        if (!JobKeys.TryGet(context.BackgroundJob.Job, out var keys)) return;
        var requests = string.Join(", ", keys);

        var o = options.Value;
        var attempt = context.GetJobParameter<int>(RetryCountParameter) + 1;
        var error = failed.Exception.GetType().Name + ": " + failed.Exception.Message;
        if (attempt <= o.RetryAttempts)
        {
            var delay = o.DelayFor(attempt);
            context.SetJobParameter(RetryCountParameter, attempt);
            context.CandidateState = new ScheduledState(delay)
            {
                Reason = string.Create(CultureInfo.InvariantCulture, $"Retry {attempt} of {o.RetryAttempts} in {delay}: {error}"),
            };
            LogRetry(requests, attempt, o.RetryAttempts, delay, error);
            return;
        }

        try
        {
            using var scope = scopes.CreateScope();
            var handler = scope.ServiceProvider.GetRequiredService<RetriesExhaustedHandler>();
            var handled = true;
            foreach (var key in keys) handled &= handler.HandleAsync(key, error).GetAwaiter().GetResult();
            if (handled)
                context.CandidateState = new DeletedState { Reason = "Retries exhausted; the request now carries a RETRIES_EXHAUSTED failure" };
        }
#pragma warning disable CA1031 // whatever went wrong, the request must stay alive: try again later
        catch (Exception e)
#pragma warning restore CA1031
        {
            var delay = o.DelayFor(o.RetryAttempts);
            context.CandidateState = new ScheduledState(delay)
            {
                Reason = "Retries exhausted but the failure could not be recorded; trying again: " + e.Message,
            };
            LogRecordFailed(requests, e);
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning,
        Message = "Requests {RequestKeys}: attempt failed, retry {Attempt} of {Max} in {Delay}: {Error}")]
    private partial void LogRetry(string requestKeys, int attempt, int max, TimeSpan delay, string error);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error,
        Message = "Requests {RequestKeys}: retries exhausted and the failure could not be recorded; rescheduled")]
    private partial void LogRecordFailed(string requestKeys, Exception exception);
}

/// <summary>Hangfire's filters, minus its global <c>AutomaticRetry</c> on request jobs, plus <see cref="BoundedRetryFilter"/>
/// and the <see cref="RunningJobs"/> count.</summary>
internal sealed class OracleJobFilterProvider(BoundedRetryFilter retry, RunningJobs running) : IJobFilterProvider
{
    public IEnumerable<JobFilter> GetFilters(Job job)
    {
        yield return new JobFilter(running, JobFilterScope.Global, 0);
        var ours = job is not null && JobKeys.IsRequestJob(job);
        foreach (var filter in JobFilterProviders.Providers.GetFilters(job))
            if (!(ours && filter.Instance is Hangfire.AutomaticRetryAttribute)) yield return filter;
        if (ours) yield return new JobFilter(retry, JobFilterScope.Global, 20);
    }
}
