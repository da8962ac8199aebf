using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Operator;

/// <summary>The operator's standing as the submitter reads it: concurrent checks share one reading, and a reading
/// prefetched while results are on their way answers the check that follows.</summary>
public sealed class OperatorStandingTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    private const int Operator = 6;

    [Fact]
    public async Task Concurrent_checks_share_one_reading_and_a_prefetched_reading_answers_the_next_check()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        await bed.RegisterOperatorAsync(Operator);
        var calls = new RpcCallCounter();
        using var http = new HttpClient(calls);
        using var context = new ChainContext(new EthRpcClient(node.Url, http), new InMemoryOperatorKeyProvider(bed.Key(Operator)), bed.Options());
        await context.InitializeAsync();
        var identity = await context.GetIdentityAsync();
        var clock = new ManualClock();
        var standing = new OperatorStanding(context, clock);
        calls.Reset();

        // Eight checks at once: one reading (the registry's address, then isActive).
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => standing.IsActiveAsync(identity, CancellationToken.None)));
        Assert.All(answers, Assert.True);
        Assert.Equal(2, calls.Count("eth_call"));

        // A fresh reading is not read again, prefetch or not.
        standing.Prefetch(identity);
        Assert.True(await standing.IsActiveAsync(identity, CancellationToken.None));
        Assert.Equal(2, calls.Count("eth_call"));

        // Past half its age, a prefetch reads isActive again in the background, nobody waiting for it...
        clock.Advance(OperatorStanding.MaxAge / 2);
        standing.Prefetch(identity);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (calls.Count("eth_call") < 3 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(3, calls.Count("eth_call"));
        // ...and the check once the first reading has aged out uses it (or joins it) instead of asking again.
        clock.Advance(OperatorStanding.MaxAge / 2);
        Assert.True(await standing.IsActiveAsync(identity, CancellationToken.None));
        Assert.Equal(3, calls.Count("eth_call"));

        // A reading that has aged out with no prefetch is read at the check.
        clock.Advance(OperatorStanding.MaxAge);
        Assert.True(await standing.IsActiveAsync(identity, CancellationToken.None));
        Assert.Equal(4, calls.Count("eth_call"));
    }
}
