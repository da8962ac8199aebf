using System.Numerics;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage.Tests;

/// <summary>The list forms of the request store, which the listener and the jobs use to move a group in one round trip.</summary>
public sealed class RequestStoreBatchTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlRequestStore _store = new(db.DataSource, TimeProvider.System);

    private static InferenceRequest[] NewRequests(int count) =>
        Enumerable.Range(0, count).Select(_ => SampleRequests.Request(SampleRequests.Key(requestId: Random.Shared.NextInt64(1, long.MaxValue)))).ToArray();

    [Fact]
    public async Task Adding_a_list_reports_which_requests_were_new_and_stores_each_once()
    {
        var known = NewRequests(2);
        Assert.True(await _store.AddIfAbsentAsync(known[1]));
        var fresh = NewRequests(2);

        var added = await _store.AddManyIfAbsentAsync([known[0], known[1], fresh[0], fresh[1], fresh[0]]);

        Assert.Equal([true, false, true, true, false], added);
        var stored = await _store.GetManyAsync([.. known.Select(r => r.Key), .. fresh.Select(r => r.Key)]);
        Assert.All(stored, s => Assert.Equal(RequestStatus.Discovered, s!.State.Status));
        Assert.Equal(fresh[1].Input, stored[3]!.Request.Input);
    }

    [Fact]
    public async Task Getting_a_list_keeps_its_order_and_answers_null_for_unknown_keys()
    {
        var requests = NewRequests(3);
        await _store.AddManyIfAbsentAsync(requests);
        var unknown = SampleRequests.Key(requestId: Random.Shared.NextInt64(1, long.MaxValue));

        var stored = await _store.GetManyAsync([requests[2].Key, unknown, requests[0].Key, requests[1].Key]);

        Assert.Equal(requests[2].Key, stored[0]!.Key);
        Assert.Null(stored[1]);
        Assert.Equal(requests[0].Key, stored[2]!.Key);
        Assert.Equal(requests[1].Key, stored[3]!.Key);
        Assert.Empty(await _store.GetManyAsync([]));
    }

    [Fact]
    public async Task A_list_of_transitions_applies_each_under_its_own_version_and_reports_the_stale_one_as_null()
    {
        var requests = NewRequests(3);
        await _store.AddManyIfAbsentAsync(requests);
        var snapshot = await _store.GetManyAsync(requests.Select(r => r.Key).ToArray());
        // Someone else moves the middle request first: its snapshot is stale now.
        await _store.TransitionAsync(snapshot[1]!, new RequestTransition.BeginInference());

        var moved = await _store.TransitionManyAsync(snapshot.Select(s => new RequestStep(s!, new RequestTransition.BeginInference())).ToArray());

        Assert.NotNull(moved[0]);
        Assert.Null(moved[1]);
        Assert.NotNull(moved[2]);
        Assert.Equal(RequestStatus.Inferring, moved[0]!.State.Status);
        Assert.Equal(2, moved[0]!.Version);
        var now = await _store.GetManyAsync(requests.Select(r => r.Key).ToArray());
        Assert.All(now, s => Assert.Equal(RequestStatus.Inferring, s!.State.Status));
        Assert.Equal([2L, 2L, 2L], now.Select(s => s!.Version));

        var outcome = InferenceOutcome.Success([1, 2, 3]);
        var inferred = await _store.TransitionManyAsync([new RequestStep(moved[0]!, new RequestTransition.CompleteInference(outcome))]);
        Assert.Equal(outcome.Output, (await _store.GetAsync(requests[0].Key))!.State.Outcome!.Output);
        Assert.Equal(3, inferred[0]!.Version);
    }

    [Fact]
    public async Task An_illegal_transition_in_a_list_writes_nothing_at_all()
    {
        var requests = NewRequests(2);
        await _store.AddManyIfAbsentAsync(requests);
        var snapshot = await _store.GetManyAsync(requests.Select(r => r.Key).ToArray());

        await Assert.ThrowsAsync<InvalidRequestTransitionException>(() => _store.TransitionManyAsync(
        [
            new RequestStep(snapshot[0]!, new RequestTransition.BeginInference()),
            new RequestStep(snapshot[1]!, new RequestTransition.Settle()), // Discovered cannot settle
        ]));

        var now = await _store.GetManyAsync(requests.Select(r => r.Key).ToArray());
        Assert.All(now, s => Assert.Equal(RequestStatus.Discovered, s!.State.Status));
        Assert.All(now, s => Assert.Equal(1, s!.Version));
    }

    [Fact]
    public async Task A_step_with_a_second_transition_writes_the_state_after_both_in_one_version_step()
    {
        var requests = NewRequests(2);
        await _store.AddManyIfAbsentAsync(requests);
        var inferring = await _store.TransitionManyAsync((await _store.GetManyAsync(requests.Select(r => r.Key).ToArray()))
            .Select(s => new RequestStep(s!, new RequestTransition.BeginInference())).ToArray());
        var outcome = InferenceOutcome.Failed(FailureReason.InputOutOfRange);

        var moved = await _store.TransitionManyAsync([new RequestStep(inferring[0]!, new RequestTransition.CompleteInference(outcome), new RequestTransition.BeginSubmission())]);

        var now = (await _store.GetAsync(requests[0].Key))!;
        Assert.Equal(RequestStatus.Submitting, now.State.Status);
        Assert.Equal(FailureReason.InputOutOfRange, now.State.Outcome!.Failure);
        Assert.Equal(3, now.Version);
        Assert.Equal(now.Version, moved[0]!.Version);
        Assert.Equal(RequestStatus.Submitting, moved[0]!.State.Status);

        // The second transition is checked against the state after the first: Inferred cannot settle, so nothing is written.
        await Assert.ThrowsAsync<InvalidRequestTransitionException>(() => _store.TransitionManyAsync(
            [new RequestStep(inferring[1]!, new RequestTransition.CompleteInference(outcome), new RequestTransition.Settle())]));
        Assert.Equal(RequestStatus.Inferring, (await _store.GetAsync(requests[1].Key))!.State.Status);
    }

    [Fact]
    public async Task A_list_over_two_oracles_with_mixed_outcomes_stores_every_field_and_reads_back_in_order()
    {
        // Two oracles (one statement each), a 256-bit request id, a success and a failure outcome side by side (nulls in
        // the value arrays) and a recorded submission.
        var other = SampleRequests.RandomAddress();
        var requests = new[]
        {
            SampleRequests.Request(SampleRequests.Key(requestId: BigInteger.Pow(2, 255) + 7)),
            SampleRequests.Request(SampleRequests.Key(oracle: other, requestId: Random.Shared.NextInt64(1, long.MaxValue))),
            SampleRequests.Request(SampleRequests.Key(requestId: Random.Shared.NextInt64(1, long.MaxValue))),
        };
        await _store.AddManyIfAbsentAsync(requests);
        var keys = requests.Select(r => r.Key).ToArray();
        var inferring = await _store.TransitionManyAsync((await _store.GetManyAsync(keys))
            .Select(s => new RequestStep(s!, new RequestTransition.BeginInference())).ToArray());
        var success = InferenceOutcome.Success([9, 8, 7, 6]);
        var failure = InferenceOutcome.Failed(FailureReason.OutputNotFinite);

        var submitting = await _store.TransitionManyAsync(
        [
            new RequestStep(inferring[0]!, new RequestTransition.CompleteInference(success), new RequestTransition.BeginSubmission()),
            new RequestStep(inferring[1]!, new RequestTransition.CompleteInference(failure), new RequestTransition.BeginSubmission()),
            new RequestStep(inferring[2]!, new RequestTransition.CompleteInference(success)),
        ]);
        var txHash = SampleRequests.Hash();
        var submitted = await _store.TransitionManyAsync([new RequestStep(submitting[0]!, new RequestTransition.RecordSubmission(new SubmissionRecord(txHash, 42)))]);

        var now = await _store.GetManyAsync([keys[2], keys[1], keys[0]]);
        Assert.Equal([RequestStatus.Inferred, RequestStatus.Submitting, RequestStatus.Submitted], now.Select(s => s!.State.Status));
        Assert.Equal(success.Output, now[0]!.State.Outcome!.Output);
        Assert.Equal(FailureReason.OutputNotFinite, now[1]!.State.Outcome!.Failure);
        Assert.Null(now[1]!.State.Outcome!.Output);
        Assert.Equal(keys[0], now[2]!.Key);
        Assert.Equal(txHash, now[2]!.State.Submission!.TransactionHash);
        Assert.Equal(42UL, now[2]!.State.Submission!.Nonce);
        Assert.Equal([3L, 3L, 4L], now.Select(s => s!.Version));
        Assert.Equal(now[2]!.Version, submitted[0]!.Version);
    }

    [Fact]
    public async Task A_list_naming_one_request_twice_applies_its_steps_in_order()
    {
        var request = NewRequests(1)[0];
        await _store.AddManyIfAbsentAsync([request]);
        var snapshot = (await _store.GetAsync(request.Key))!;

        // Both steps start from version 1: the first moves the request on, so the second is stale.
        var moved = await _store.TransitionManyAsync(
        [
            new RequestStep(snapshot, new RequestTransition.BeginInference()),
            new RequestStep(snapshot, new RequestTransition.BeginInference()),
        ]);

        Assert.NotNull(moved[0]);
        Assert.Null(moved[1]);
        Assert.Equal(2, (await _store.GetAsync(request.Key))!.Version);
    }
}
