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

/// <summary>Records every submission; refuses successful outcomes for keys marked as unsubmittable. Idempotent per
/// request and outcome, as <see cref="IResultSubmitter"/> requires: the same result again gets the earlier receipt.</summary>
internal sealed class RecordingSubmitter : IResultSubmitter
{
    private long _nonce;
    private readonly ConcurrentDictionary<(RequestKey, string), SubmissionReceipt> _sent = new();

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
        lock (_sent)
        {
            var ids = results.Select(r => (r.Request.Key, r.Outcome.ToString() + Convert.ToHexString(r.Outcome.Output ?? []))).ToArray();
            if (ids.All(_sent.ContainsKey)) return Task.FromResult(_sent[ids[0]]);
            var receipt = new SubmissionReceipt(RandomNumberGenerator.GetBytes(32), (ulong)Interlocked.Increment(ref _nonce) - 1);
            foreach (var r in results) Submitted.Enqueue(r);
            foreach (var id in ids) _sent[id] = receipt;
            return Task.FromResult(receipt);
        }
    }

    public IReadOnlyList<ResultSubmission> For(RequestKey key) => Submitted.Where(s => s.Request.Key == key).ToList();
}
