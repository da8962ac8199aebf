using Hangfire;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

internal sealed class HangfireJobScheduler(IBackgroundJobClient client) : IJobScheduler
{
    public string EnqueueInference(RequestKey key)
    {
        var (chainId, oracle, requestId) = (key.ChainId, key.Oracle, JobKeys.RequestIdText(key));
        return client.Enqueue<RunInferenceJob>(j => j.ExecuteAsync(chainId, oracle, requestId, CancellationToken.None));
    }

    public string EnqueueSubmission(RequestKey key)
    {
        var (chainId, oracle, requestId) = (key.ChainId, key.Oracle, JobKeys.RequestIdText(key));
        return client.Enqueue<SubmitResultJob>(j => j.ExecuteAsync(chainId, oracle, requestId, CancellationToken.None));
    }
}
