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
        var ids = new List<string>();
        // A job's arguments name one oracle, so requests of different chains or oracles go to different jobs.
        foreach (var group in keys.Distinct().GroupBy(k => (k.ChainId, k.Oracle)))
        {
            foreach (var chunk in group.Chunk(options.Value.RequestsPerJob))
            {
                var (chainId, oracle) = group.Key;
                var requestIds = chunk.Select(JobKeys.RequestIdText).ToArray();
                ids.Add(client.Enqueue<ProcessRequestsJob>(j => j.ExecuteAsync(chainId, oracle, requestIds, CancellationToken.None)));
            }
        }
        return ids;
    }
}
