using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Listening;

public sealed class StalledRequestSweeperTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Requests_without_progress_get_their_next_job_queued_once_per_timeout()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await using var stores = await Stores.CreateAsync(postgres);
        var requester = ChainTestbed.Sender(node, bed.Rpc, 2);
        for (var i = 0; i < 2; i++) await bed.RequestAsync(requester);
        var logs = await bed.Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [bed.Deployment.InferenceOracle],
            Topics = [[RequestEvents.Topic0]],
            FromBlock = BlockTag.Number(bed.Deployment.DeploymentBlock),
            ToBlock = BlockTag.Latest,
        });
        var requests = logs.Select(l => RequestEvents.FromLog(HardhatNode.ChainId, l)).ToList();
        foreach (var r in requests) await stores.Requests.AddIfAbsentAsync(r);
        // The second one got as far as an outcome before its job was lost.
        var second = (await stores.Requests.GetAsync(requests[1].Key))!;
        await stores.Requests.TransitionAsync(second, new RequestTransition.CompleteInference(InferenceOutcome.Success([0, 0, 0, 1, 0, 0, 0, 2])));

        using var context = await ChainTestbed.ContextAsync(bed.Options(o => o.StalledRequestTimeout = TimeSpan.FromMilliseconds(300)), bed.Key(3));
        var identity = await context.GetIdentityAsync();
        var scheduler = new RecordingScheduler();
        var sweeper = new StalledRequestSweeper(context, stores.Requests, scheduler, TimeProvider.System, Loggers.For<StalledRequestSweeper>());

        Assert.Equal(0, await sweeper.SweepOnceAsync(identity, CancellationToken.None)); // fresh: nothing stalled yet
        await Task.Delay(400);
        Assert.Equal(2, await sweeper.SweepOnceAsync(identity, CancellationToken.None));
        Assert.Equal(0, await sweeper.SweepOnceAsync(identity, CancellationToken.None)); // not again within the timeout

        Assert.Equal([requests[0].Key], scheduler.Inference);
        Assert.Equal([requests[1].Key], scheduler.Submission);
    }
}
