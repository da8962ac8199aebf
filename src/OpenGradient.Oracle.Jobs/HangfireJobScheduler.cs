using Hangfire;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

internal sealed class HangfireJobScheduler(IBackgroundJobClient client, IOptions<OracleJobsOptions> options) : IJobScheduler
{
    public IReadOnlyList<string> Enqueue(IReadOnlyList<RequestKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // A job's arguments name one oracle, so requests of different chains or oracles go to different jobs.
        var jobs = keys.Distinct()
            .GroupBy(k => (k.ChainId, k.Oracle))
            .SelectMany(g => g.Chunk(options.Value.RequestsPerJob).Select(chunk => (g.Key.ChainId, g.Key.Oracle, RequestIds: chunk.Select(JobKeys.RequestIdText).ToArray())))
            .ToArray();
        var ids = new string[jobs.Length];
        // Creating a job is a handful of round trips to PostgreSQL; a block range's worth of jobs is created a few at a
        // time side by side, so the first job does not wait for the last to be created (the listener waits for all).
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism }, i =>
        {
            var (chainId, oracle, requestIds) = jobs[i];
            ids[i] = client.Enqueue<ProcessRequestsJob>(j => j.ExecuteAsync(chainId, oracle, requestIds, CancellationToken.None));
        });
        return ids;
    }

    private const int EnqueueParallelism = 4;
}
