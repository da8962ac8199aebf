using Microsoft.Extensions.Options;

namespace OpenGradient.Oracle.Jobs;

/// <summary>Settings of the <c>Jobs</c> section. The database is <c>ConnectionStrings:Oracle</c>, shared with Storage.</summary>
public sealed class OracleJobsOptions
{
    /// <summary>Hangfire's tables live in this schema of the oracle's database.</summary>
    public const string SchemaName = "hangfire";

    public string ConnectionString { get; set; } = "";

    /// <summary>Retries after the first attempt; then the request is reported as RETRIES_EXHAUSTED.</summary>
    public int RetryAttempts { get; set; } = 5;

    /// <summary>Back-off before retry n (1-based); the last entry repeats.</summary>
    public IList<double> RetryDelaySeconds { get; } = [];

    /// <summary>Concurrent jobs. A job waits while its results ride in a batch, so WorkerCount × RequestsPerJob bounds
    /// what the chain submitter can gather for one batch: keep it at least Chain:MaxBatchSize.</summary>
    public int WorkerCount { get; set; } = 16;

    /// <summary>Most requests one job carries (requests discovered together are processed and submitted together).
    /// A request that fails inside a group is retried as a job of its own. A job costs Hangfire a dozen or so statements
    /// and several state changes whatever it carries; 64 (four batches of 16) measured about a fifth more throughput
    /// under a burst than 16 (bench/results.md), and a quiet chain's groups are smaller anyway.</summary>
    public int RequestsPerJob { get; set; } = 64;

    /// <summary>How often an idle worker polls the queue table.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often scheduled (retrying) jobs are moved to the queue.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a job fetched by a worker that then died (SIGKILL, OOM, power loss) stays invisible before another
    /// worker takes it. Live workers keep extending it (sliding), so long jobs are not run twice; a short value is
    /// what makes a crashed node's in-flight work resume within a minute rather than Hangfire's default half hour.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A request not moved for this long in a pre-settlement status is queued again (see <see cref="StalledRequestRecovery"/>).</summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the recovery sweep looks for stalled requests.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>On SIGTERM the node takes no new jobs and gives the running ones this long to finish (see
    /// <see cref="ShutdownDrain"/>); what is still running then is cancelled and runs again after a restart.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal static readonly double[] DefaultDelays = [2, 10, 30, 120, 600];

    internal TimeSpan DelayFor(int attempt)
    {
        var delays = RetryDelaySeconds.Count > 0 ? RetryDelaySeconds : DefaultDelays;
        return TimeSpan.FromSeconds(delays[Math.Clamp(attempt - 1, 0, delays.Count - 1)]);
    }
}

internal sealed class OracleJobsOptionsValidator : IValidateOptions<OracleJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, OracleJobsOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ConnectionString))
            errors.Add("ConnectionStrings:Oracle is empty; Hangfire stores its jobs in the oracle's PostgreSQL database (schema 'hangfire')");
        if (o.RetryAttempts is < 0 or > 100)
            errors.Add($"Jobs:RetryAttempts is {o.RetryAttempts}; use 0..100");
        if (o.RetryDelaySeconds.Any(d => d < 0 || double.IsNaN(d)))
            errors.Add("Jobs:RetryDelaySeconds must hold non-negative numbers of seconds");
        if (o.RequestsPerJob is < 1 or > 1000)
            errors.Add($"Jobs:RequestsPerJob is {o.RequestsPerJob}; use 1..1000");
        if (o.WorkerCount < 1)
            errors.Add($"Jobs:WorkerCount is {o.WorkerCount}; use at least 1");
        if (o.QueuePollInterval <= TimeSpan.Zero || o.SchedulePollingInterval <= TimeSpan.Zero)
            errors.Add("Jobs:QueuePollInterval and Jobs:SchedulePollingInterval must be positive");
        if (o.InvisibilityTimeout < TimeSpan.FromSeconds(10))
            errors.Add($"Jobs:InvisibilityTimeout is {o.InvisibilityTimeout}; use at least 00:00:10 (live workers extend it every few seconds)");
        if (o.ShutdownTimeout <= TimeSpan.Zero || o.ShutdownTimeout > TimeSpan.FromMinutes(10))
            errors.Add($"Jobs:ShutdownTimeout is {o.ShutdownTimeout}; use a positive time span of at most 00:10:00, e.g. 00:00:30");
        if (o.StalledAfter <= TimeSpan.Zero || o.RecoveryInterval <= TimeSpan.Zero)
            errors.Add("Jobs:StalledAfter and Jobs:RecoveryInterval must be positive");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
