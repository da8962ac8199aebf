using Microsoft.Extensions.DependencyInjection;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage.Tests;

namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>Requests queued together ride one job; a request that fails inside the group does not hold the others.</summary>
[Collection(JobsHostCollection.Name)]
public sealed class RequestGroupJobsTests(JobsHostFixture host)
{
    private async Task<InferenceRequest[]> StoredRequestsAsync(int count)
    {
        // One oracle: a job carries the requests of one chain and oracle.
        var oracle = SampleRequests.RandomAddress();
        var requests = Enumerable.Range(0, count)
            .Select(i => SampleRequests.Request(SampleRequests.Key(oracle: oracle, requestId: i + 1))).ToArray();
        Assert.All(await host.Store.AddManyIfAbsentAsync(requests), Assert.True);
        return requests;
    }

    [Fact]
    public async Task Requests_queued_together_share_one_job_and_are_all_submitted_once()
    {
        var requests = await StoredRequestsAsync(JobsHostFixture.RequestsPerJob);

        var jobs = host.Scheduler.Enqueue(requests.Select(r => r.Key).ToArray());

        Assert.Single(jobs);
        foreach (var r in requests)
        {
            var done = await host.WaitForAsync(r.Key, s => s.State.Status == RequestStatus.Submitted);
            Assert.Equal(r.Input.Reverse().ToArray(), done.State.Outcome!.Output);
            Assert.Single(host.Submitter.For(r.Key));
        }
    }

    [Fact]
    public async Task A_group_larger_than_RequestsPerJob_is_split_into_several_jobs()
    {
        var requests = await StoredRequestsAsync(JobsHostFixture.RequestsPerJob * 2 + 1);

        var jobs = host.Scheduler.Enqueue(requests.Select(r => r.Key).ToArray());

        Assert.Equal(3, jobs.Count);
        foreach (var r in requests) await host.WaitForAsync(r.Key, s => s.State.Status == RequestStatus.Submitted);
        Assert.All(requests, r => Assert.Single(host.Submitter.For(r.Key)));
    }

    [Fact]
    public async Task A_request_that_keeps_failing_in_a_group_is_retried_alone_while_the_others_are_submitted()
    {
        var requests = await StoredRequestsAsync(3);
        var broken = requests[1].Key;
        host.Runner.Broken[broken] = 1;

        host.Scheduler.Enqueue(requests.Select(r => r.Key).ToArray());

        foreach (var r in requests.Where(r => r.Key != broken))
        {
            var done = await host.WaitForAsync(r.Key, s => s.State.Status == RequestStatus.Submitted);
            Assert.True(done.State.Outcome!.IsSuccess);
        }
        var failed = await host.WaitForAsync(broken, s => s.State.Status == RequestStatus.Submitted);
        Assert.Equal(FailureReason.RetriesExhausted, failed.State.Outcome!.Failure);
        // Once in the group, then 1 + RetryAttempts times in its own job.
        Assert.Equal(2 + JobsHostFixture.RetryAttempts, host.Runner.Calls[broken]);
        Assert.All(requests, r => Assert.Single(host.Submitter.For(r.Key)));
    }

    [Fact]
    public async Task A_group_job_run_again_after_it_finished_submits_nothing_twice()
    {
        var requests = await StoredRequestsAsync(3);
        var (chainId, oracle) = (requests[0].Key.ChainId, requests[0].Key.Oracle);
        var ids = requests.Select(r => r.Key.RequestId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        using (var scope = host.Services.CreateScope())
        {
            var job = scope.ServiceProvider.GetRequiredService<ProcessRequestsJob>();
            await job.ExecuteAsync(chainId, oracle, ids, default);
            await job.ExecuteAsync(chainId, oracle, ids, default);
        }

        foreach (var r in requests)
        {
            Assert.Equal(RequestStatus.Submitted, (await host.Store.GetAsync(r.Key))!.State.Status);
            Assert.Single(host.Submitter.For(r.Key));
            Assert.Equal(1, host.Runner.Calls[r.Key]);
        }
    }
}
