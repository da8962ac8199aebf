using System.Globalization;
using Hangfire.Common;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>Which step of a request a job performs.</summary>
internal enum RequestJobKind
{
    Inference,
    Submission,
}

/// <summary>Job arguments are ids: chain id, oracle address and the request id as decimal text (a uint256 does not
/// survive JSON numbers).</summary>
internal static class JobKeys
{
    public static string RequestIdText(RequestKey key) => key.RequestId.ToString(CultureInfo.InvariantCulture);

    public static RequestKey Parse(ulong chainId, string oracle, string requestId) =>
        new(chainId, oracle, System.Numerics.BigInteger.Parse(requestId, NumberStyles.None, CultureInfo.InvariantCulture));

    public static bool TryGet(Job job, out RequestJobKind kind, out RequestKey key)
    {
        key = default;
        kind = job.Type == typeof(RunInferenceJob) ? RequestJobKind.Inference
            : job.Type == typeof(SubmitResultJob) ? RequestJobKind.Submission
            : (RequestJobKind)(-1);
        if (kind < 0 || job.Args.Count < 3) return false;
        if (job.Args[0] is not ulong chainId || job.Args[1] is not string oracle || job.Args[2] is not string requestId) return false;
        key = Parse(chainId, oracle, requestId);
        return true;
    }

    public static bool IsRequestJob(Job job) => job.Type == typeof(RunInferenceJob) || job.Type == typeof(SubmitResultJob);
}
