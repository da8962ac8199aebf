namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>The Hangfire.PostgreSql settings the node runs with, where a library default is known to hurt.</summary>
public sealed class JobStorageSettingsTests
{
    [Fact]
    public void Long_polling_stays_off_because_cancelling_its_listen_can_hang_a_worker_on_a_fetched_job()
    {
        // See JobsServiceCollectionExtensions.StorageOptions: with it on, LoadBench left a worker waiting forever in
        // PostgreSqlJobQueue.Dequeue while holding a fetched job, in 1 burst in 50 to 200.
        var options = JobsServiceCollectionExtensions.StorageOptions(new OracleJobsOptions());

        Assert.False(options.EnableLongPolling);
    }

    [Fact]
    public void The_operators_queue_poll_and_invisibility_settings_reach_the_storage()
    {
        var jobs = new OracleJobsOptions { QueuePollInterval = TimeSpan.FromMilliseconds(250), InvisibilityTimeout = TimeSpan.FromSeconds(40) };

        var options = JobsServiceCollectionExtensions.StorageOptions(jobs);

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.QueuePollInterval);
        Assert.Equal(TimeSpan.FromSeconds(40), options.InvisibilityTimeout);
        Assert.True(options.UseSlidingInvisibilityTimeout); // a live worker's job is never handed to another
        Assert.Equal(TimeSpan.FromSeconds(10), options.DistributedLockTimeout);
    }
}
