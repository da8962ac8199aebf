using System.Collections.Concurrent;
using System.Security.Cryptography;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>Echoes the input reversed; throws for keys marked as broken (a transient fault that never clears).</summary>
internal sealed class FakeRunner : IInferenceRunner
{
    public ConcurrentDictionary<RequestKey, byte> Broken { get; } = new();

    public ConcurrentDictionary<RequestKey, int> Calls { get; } = new();

    public Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        Calls.AddOrUpdate(request.Key, 1, (_, n) => n + 1);
        if (Broken.ContainsKey(request.Key)) throw new TimeoutException("model file server did not answer");
        return Task.FromResult(InferenceOutcome.Success(request.Input.Reverse().ToArray()));
    }
}

/// <summary>Records every submission; refuses successful outcomes for keys marked as unsubmittable.</summary>
internal sealed class RecordingSubmitter : IResultSubmitter
{
    private long _nonce;

    public ConcurrentQueue<ResultSubmission> Submitted { get; } = new();

    public ConcurrentDictionary<RequestKey, byte> RejectOutputs { get; } = new();

    /// <summary>Keys the chain already settled: the submitter answers "not needed".</summary>
    public ConcurrentDictionary<RequestKey, int> AlreadySettled { get; } = new();

    public Task<SubmissionReceipt> SubmitAsync(IReadOnlyList<ResultSubmission> results, CancellationToken cancellationToken = default)
    {
        foreach (var r in results)
        {
            if (AlreadySettled.ContainsKey(r.Request.Key))
            {
                AlreadySettled.AddOrUpdate(r.Request.Key, 1, (_, n) => n + 1);
                throw new SubmissionNotNeededException("the oracle refused the result: InferenceOracleNotPending(1, 2)");
            }
        }
        foreach (var r in results)
            if (r.Outcome.IsSuccess && RejectOutputs.ContainsKey(r.Request.Key)) throw new HttpRequestException("RPC node unreachable");
        foreach (var r in results) Submitted.Enqueue(r);
        return Task.FromResult(new SubmissionReceipt(RandomNumberGenerator.GetBytes(32), (ulong)Interlocked.Increment(ref _nonce) - 1));
    }

    public IReadOnlyList<ResultSubmission> For(RequestKey key) => Submitted.Where(s => s.Request.Key == key).ToList();
}
