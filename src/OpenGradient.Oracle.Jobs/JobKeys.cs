using System.Globalization;
using Hangfire.Common;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs;

/// <summary>Job arguments are ids: chain id, oracle address and the request ids as decimal text (a uint256 does not
/// survive JSON numbers).</summary>
internal static class JobKeys
{
    public static string RequestIdText(RequestKey key) => key.RequestId.ToString(CultureInfo.InvariantCulture);

    public static RequestKey Parse(ulong chainId, string oracle, string requestId) =>
        new(chainId, oracle, System.Numerics.BigInteger.Parse(requestId, NumberStyles.None, CultureInfo.InvariantCulture));

    /// <summary>The requests a <see cref="ProcessRequestsJob"/> carries.</summary>
    public static bool TryGet(Job job, out IReadOnlyList<RequestKey> keys)
    {
        keys = [];
        if (!IsRequestJob(job) || job.Args.Count < 3) return false;
        if (job.Args[0] is not ulong chainId || job.Args[1] is not string oracle || job.Args[2] is not string[] requestIds) return false;
        keys = requestIds.Select(id => Parse(chainId, oracle, id)).ToArray();
        return true;
    }

    public static bool IsRequestJob(Job job) => job.Type == typeof(ProcessRequestsJob);
}
