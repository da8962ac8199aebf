using Microsoft.Extensions.DependencyInjection;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage.Tests;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Jobs.Tests;

[Collection(JobsHostCollection.Name)]
public sealed class RequestJobsTests(JobsHostFixture host)
{
    private async Task<InferenceRequest> StoredRequestAsync()
    {
        var request = SampleRequests.Request(SampleRequests.Key(requestId: Random.Shared.NextInt64(1, long.MaxValue)));
        Assert.True(await host.Store.AddIfAbsentAsync(request));
        return request;
    }

    [Fact]
    public async Task A_stored_request_whose_job_was_lost_is_queued_again_by_the_recovery_sweep()
    {
        // Stored but never enqueued: what a node killed between the two steps leaves behind.
        var request = await StoredRequestAsync();
        await Task.Delay(300);
        Assert.Equal(RequestStatus.Discovered, (await host.Store.GetAsync(request.Key))!.State.Status);

        var recovery = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<StalledRequestRecovery>().Single();
        var queued = await recovery.SweepAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.True(queued >= 1);
        var done = await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted);
        Assert.Single(host.Submitter.For(request.Key));
        Assert.Equal(0, await recovery.SweepAsync(TimeSpan.FromHours(1), CancellationToken.None)); // nothing is an hour old
    }

    [Fact]
    public async Task The_start_up_sweep_leaves_a_request_another_node_is_submitting_alone()
    {
        // Another node sharing the database took this request for submission a moment ago and has not stored its
        // transaction yet: queueing it again now would send a second transaction.
        var request = await StoredRequestAsync();
        var stored = (await host.Store.GetAsync(request.Key))!;
        stored = await host.Store.TransitionAsync(stored, new RequestTransition.BeginInference());
        stored = await host.Store.TransitionAsync(stored, new RequestTransition.CompleteInference(InferenceOutcome.Success([7])));
        await host.Store.TransitionAsync(stored, new RequestTransition.BeginSubmission());
        var inferred = await StoredRequestAsync();
        var s2 = await host.Store.TransitionAsync((await host.Store.GetAsync(inferred.Key))!, new RequestTransition.BeginInference());
        await host.Store.TransitionAsync(s2, new RequestTransition.CompleteInference(InferenceOutcome.Success([8])));

        var recovery = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<StalledRequestRecovery>().Single();
        await recovery.SweepAsync(TimeSpan.Zero, CancellationToken.None);

        await host.WaitForAsync(inferred.Key, s => s.State.Status == RequestStatus.Submitted);
        Assert.Equal(RequestStatus.Submitting, (await host.Store.GetAsync(request.Key))!.State.Status);
        Assert.Empty(host.Submitter.For(request.Key));
    }

    [Fact]
    public async Task A_request_flows_from_inference_to_a_submitted_result()
    {
        var request = await StoredRequestAsync();

        host.Scheduler.Enqueue([request.Key]);
        var done = await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted);

        Assert.Equal(request.Input.Reverse().ToArray(), done.State.Outcome!.Output);
        var submission = Assert.Single(host.Submitter.For(request.Key));
        Assert.Equal(done.State.Outcome.Output, submission.Outcome.Output);
        Assert.NotNull(done.State.Submission);
        // Two writes by the job (each moves the version on): the outcome with the move to Submitting, then the
        // submission. Nothing is written before the model runs.
        Assert.Equal(1 + 2, done.Version);
    }

    [Fact]
    public async Task Inference_that_always_throws_ends_as_one_RetriesExhausted_failure_report()
    {
        var request = await StoredRequestAsync();
        host.Runner.Broken[request.Key] = 1;

        host.Scheduler.Enqueue([request.Key]);
        var done = await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted);
        await Task.Delay(500); // room for a stray duplicate to show up

        Assert.Equal(FailureReason.RetriesExhausted, done.State.Outcome!.Failure);
        Assert.Equal(1 + JobsHostFixture.RetryAttempts, host.Runner.Calls[request.Key]);
        var submission = Assert.Single(host.Submitter.For(request.Key));
        Assert.Equal(FailureReason.RetriesExhausted, submission.Outcome.Failure);
    }

    [Fact]
    public async Task Retries_go_on_soon_after_a_dropped_connection_left_the_schedulers_lock_behind()
    {
        // What a database restart leaves when it cuts the connection of a scheduler pass that held the lock: the row,
        // never deleted. With Hangfire.PostgreSql's default expiry (10 minutes) no retry would run for that long.
        Assert.Equal(1, await HangfireLocks.OrphanAsync(host.ConnectionString, HangfireLocks.SchedulePoller));
        var request = await StoredRequestAsync();
        host.Runner.Broken[request.Key] = 1;

        host.Scheduler.Enqueue([request.Key]);
        var done = await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted, TimeSpan.FromSeconds(60));

        Assert.Equal(FailureReason.RetriesExhausted, done.State.Outcome!.Failure);
        Assert.Equal(1 + JobsHostFixture.RetryAttempts, host.Runner.Calls[request.Key]);
    }

    [Fact]
    public async Task A_request_the_chain_no_longer_needs_ends_SettledElsewhere_without_retries()
    {
        var request = await StoredRequestAsync();
        host.Submitter.AlreadySettled[request.Key] = 0;

        host.Scheduler.Enqueue([request.Key]);
        var done = await host.WaitForAsync(request.Key, s => s.State.IsTerminal);
        await Task.Delay(500); // room for a stray retry to show up

        Assert.Equal(RequestStatus.SettledElsewhere, done.State.Status);
        Assert.Contains("InferenceOracleNotPending", done.State.Detail, StringComparison.Ordinal);
        Assert.Equal(1, host.Submitter.AlreadySettled[request.Key]);
        Assert.Empty(host.Submitter.For(request.Key));
    }

    [Fact]
    public async Task Submission_that_keeps_failing_turns_the_result_into_a_RetriesExhausted_report()
    {
        var request = await StoredRequestAsync();
        host.Submitter.RejectOutputs[request.Key] = 1;

        host.Scheduler.Enqueue([request.Key]);
        var done = await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted);

        Assert.Equal(FailureReason.RetriesExhausted, done.State.Outcome!.Failure);
        Assert.Equal(FailureReason.RetriesExhausted, Assert.Single(host.Submitter.For(request.Key)).Outcome.Failure);
    }

    [Fact]
    public async Task Enqueueing_and_running_jobs_twice_does_not_submit_twice()
    {
        var request = await StoredRequestAsync();

        host.Scheduler.Enqueue([request.Key]);
        host.Scheduler.Enqueue([request.Key]);
        await host.WaitForAsync(request.Key, s => s.State.Status == RequestStatus.Submitted);
        host.Scheduler.Enqueue([request.Key]);
        using (var scope = host.Services.CreateScope())
        {
            var (chainId, oracle, id) = (request.Key.ChainId, request.Key.Oracle, request.Key.RequestId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await scope.ServiceProvider.GetRequiredService<ProcessRequestsJob>().ExecuteAsync(chainId, oracle, [id], default);
            await scope.ServiceProvider.GetRequiredService<ProcessRequestsJob>().ExecuteAsync(chainId, oracle, [id, id], default);
        }
        await Task.Delay(1000);

        Assert.Single(host.Submitter.For(request.Key));
        // Two inference jobs racing may both run the model (the second finds it Inferring and cannot tell a live job
        // from a dead one); the model is deterministic and only one outcome is recorded and submitted. The explicit
        // re-runs above, made after the outcome was recorded, must not run it again.
        Assert.InRange(host.Runner.Calls[request.Key], 1, 2);
    }

    [Fact]
    public async Task A_job_for_a_request_that_is_not_stored_does_nothing()
    {
        var key = SampleRequests.Key();
        using var scope = host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ProcessRequestsJob>().ExecuteAsync(key.ChainId, key.Oracle, ["1"], default);

        Assert.Null(await host.Store.GetAsync(key));
        Assert.Empty(host.Submitter.For(key));
    }
}
