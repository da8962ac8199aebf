using System.Numerics;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class RequestStoreTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlRequestStore _store = new(db.DataSource, TimeProvider.System);

    [Fact]
    public async Task A_stored_request_reads_back_field_for_field()
    {
        var key = SampleRequests.Key(chainId: ulong.MaxValue, requestId: BigInteger.Pow(2, 256) - 1);
        var request = SampleRequests.Request(key);

        Assert.True(await _store.AddIfAbsentAsync(request));
        var stored = await _store.GetAsync(key);

        Assert.NotNull(stored);
        Assert.Equal(key, stored.Key);
        Assert.Equal(RequestStatus.Discovered, stored.State.Status);
        Assert.Equal(1, stored.Version);
        var (a, b) = (request.Request, stored.Request.Request);
        Assert.Equal(a.Requester, b.Requester);
        Assert.Equal(a.Fee, b.Fee);
        Assert.Equal(a.ModelId, b.ModelId);
        Assert.Equal(a.InputHash, b.InputHash);
        Assert.Equal(a.Deadline, b.Deadline);
        Assert.Equal(a.CallbackGasLimit, b.CallbackGasLimit);
        Assert.Equal(a.OutputBytes, b.OutputBytes);
        Assert.Equal(a.Redundancy, b.Redundancy);
        Assert.Equal(request.Input, stored.Request.Input);
        Assert.Equal(request.Log.BlockNumber, stored.Request.Log.BlockNumber);
        Assert.Equal(request.Log.BlockHash, stored.Request.Log.BlockHash);
        Assert.Equal(request.Log.TransactionHash, stored.Request.Log.TransactionHash);
        Assert.Equal(request.Log.LogIndex, stored.Request.Log.LogIndex);
    }

    [Fact]
    public async Task An_unknown_key_reads_as_null()
    {
        Assert.Null(await _store.GetAsync(SampleRequests.Key()));
    }

    [Fact]
    public async Task Many_parallel_inserts_of_one_key_report_exactly_one_new_request()
    {
        var key = SampleRequests.Key(requestId: 42);
        var results = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() => _store.AddIfAbsentAsync(SampleRequests.Request(key)))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task A_replayed_insert_leaves_the_stored_state_alone()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var stored = await _store.TransitionAsync((await _store.GetAsync(request.Key))!, new RequestTransition.BeginInference());

        Assert.False(await _store.AddIfAbsentAsync(request));
        var reread = await _store.GetAsync(request.Key);
        Assert.Equal(RequestStatus.Inferring, reread!.State.Status);
        Assert.Equal(stored.Version, reread.Version);
    }

    [Fact]
    public async Task Transitions_persist_through_the_whole_happy_path()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var s = (await _store.GetAsync(request.Key))!;
        var output = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var tx = SampleRequests.Hash();

        s = await _store.TransitionAsync(s, new RequestTransition.BeginInference());
        s = await _store.TransitionAsync(s, new RequestTransition.CompleteInference(InferenceOutcome.Success(output)));
        s = await _store.TransitionAsync(s, new RequestTransition.BeginSubmission());
        s = await _store.TransitionAsync(s, new RequestTransition.RecordSubmission(new SubmissionRecord(tx, ulong.MaxValue)));
        s = await _store.TransitionAsync(s, new RequestTransition.Settle());

        var reread = (await _store.GetAsync(request.Key))!;
        Assert.Equal(RequestStatus.Settled, reread.State.Status);
        Assert.Equal(6, reread.Version);
        Assert.Equal(s.Version, reread.Version);
        Assert.Equal(output, reread.State.Outcome!.Output);
        Assert.Equal(tx, reread.State.Submission!.TransactionHash);
        Assert.Equal(ulong.MaxValue, reread.State.Submission.Nonce);
    }

    [Fact]
    public async Task A_failure_outcome_and_its_detail_persist()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var s = (await _store.GetAsync(request.Key))!;
        s = await _store.TransitionAsync(s, new RequestTransition.CompleteInference(InferenceOutcome.Failed(FailureReason.InputOutOfRange)));
        await _store.TransitionAsync(s, new RequestTransition.Orphan("block 0xabc replaced"));

        var reread = (await _store.GetAsync(request.Key))!;
        Assert.Equal(RequestStatus.Orphaned, reread.State.Status);
        Assert.Equal(FailureReason.InputOutOfRange, reread.State.Outcome!.Failure);
        Assert.Equal("block 0xabc replaced", reread.State.Detail);
    }

    [Fact]
    public async Task A_transition_from_a_stale_snapshot_is_rejected()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var snapshot = (await _store.GetAsync(request.Key))!;
        await _store.TransitionAsync(snapshot, new RequestTransition.BeginInference());

        var e = await Assert.ThrowsAsync<StaleRequestStateException>(
            () => _store.TransitionAsync(snapshot, new RequestTransition.ObserveSettledElsewhere("cancelled")));
        Assert.Equal(request.Key, e.Key);
        Assert.Equal(RequestStatus.Inferring, (await _store.GetAsync(request.Key))!.State.Status);
    }

    [Fact]
    public async Task Of_many_concurrent_transitions_from_one_snapshot_exactly_one_wins()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var snapshot = (await _store.GetAsync(request.Key))!;

        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try
            {
                await _store.TransitionAsync(snapshot, new RequestTransition.BeginInference());
                return true;
            }
            catch (StaleRequestStateException)
            {
                return false;
            }
        })));

        Assert.Equal(1, attempts.Count(a => a));
        Assert.Equal(2, (await _store.GetAsync(request.Key))!.Version);
    }

    [Fact]
    public async Task An_illegal_transition_is_rejected_before_touching_the_row()
    {
        var request = SampleRequests.Request();
        await _store.AddIfAbsentAsync(request);
        var s = (await _store.GetAsync(request.Key))!;

        await Assert.ThrowsAsync<InvalidRequestTransitionException>(() => _store.TransitionAsync(s, new RequestTransition.Settle()));
        Assert.Equal(1, (await _store.GetAsync(request.Key))!.Version);
    }

    [Fact]
    public async Task Listing_and_counting_by_status_see_the_stored_requests()
    {
        var before = await _store.CountByStatusAsync();
        var requests = Enumerable.Range(0, 3).Select(_ => SampleRequests.Request()).ToList();
        foreach (var r in requests) await _store.AddIfAbsentAsync(r);
        var moved = await _store.TransitionAsync((await _store.GetAsync(requests[0].Key))!, new RequestTransition.BeginInference());

        var after = await _store.CountByStatusAsync();
        Assert.Equal(Enum.GetValues<RequestStatus>().Length, after.Count);
        Assert.Equal(before[RequestStatus.Discovered] + 2, after[RequestStatus.Discovered]);
        Assert.Equal(before[RequestStatus.Inferring] + 1, after[RequestStatus.Inferring]);
        var inferring = await _store.ListByStatusAsync(RequestStatus.Inferring, 1000);
        Assert.Contains(inferring, s => s.Key == moved.Key);
        Assert.DoesNotContain(inferring, s => s.Key == requests[1].Key);
    }
}
