using Microsoft.Extensions.Time.Testing;
using OpenGradient.Oracle.Chain.Hosting;

namespace OpenGradient.Oracle.Chain.Tests.Hosting;

public sealed class CachedReadingTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_reading_is_trusted_for_its_age_then_read_again()
    {
        var time = new FakeTimeProvider();
        var cache = new CachedReading<int>(MaxAge, time);
        var reads = 0;
        Task<int> Read() => Task.FromResult(++reads);

        Assert.Equal(1, await cache.GetAsync(Read, CancellationToken.None));
        time.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await cache.GetAsync(Read, CancellationToken.None));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await cache.GetAsync(Read, CancellationToken.None));
    }

    [Fact]
    public async Task A_slow_reading_is_dated_when_it_started_not_when_it_arrived()
    {
        // The chain may change while a read is under way: what it saw is as old as its start.
        var time = new FakeTimeProvider();
        var cache = new CachedReading<string>(MaxAge, time);
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.GetAsync(() => answer.Task, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1.5)); // a slow answer
        answer.SetResult("active");
        Assert.Equal("active", await first);

        time.Advance(TimeSpan.FromSeconds(0.6)); // 2.1 s after the read started, 0.6 s after it arrived
        Assert.Equal("inactive", await cache.GetAsync(() => Task.FromResult("inactive"), CancellationToken.None));
    }

    [Fact]
    public async Task Callers_finding_it_stale_share_the_read_under_way_and_a_failed_read_is_not_kept()
    {
        var time = new FakeTimeProvider();
        var cache = new CachedReading<int>(MaxAge, time);
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        Task<int> Slow() { reads++; return answer.Task; }
        var a = cache.GetAsync(Slow, CancellationToken.None);
        var b = cache.GetAsync(Slow, CancellationToken.None);
        answer.SetException(new InvalidOperationException("rpc down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => a);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b);
        Assert.Equal(1, reads);

        Assert.Equal(7, await cache.GetAsync(() => Task.FromResult(7), CancellationToken.None));
    }

    [Fact]
    public async Task A_reading_taken_before_a_reorg_is_read_again_whatever_its_age()
    {
        var time = new FakeTimeProvider();
        var reorgs = 0;
        var cache = new CachedReading<string>(MaxAge, time, () => reorgs);
        Assert.Equal("unbonding", await cache.GetAsync(() => Task.FromResult("unbonding"), CancellationToken.None));
        Assert.Equal("unbonding", await cache.GetAsync(() => Task.FromResult("active"), CancellationToken.None));

        reorgs++; // no time has passed
        Assert.Equal("active", await cache.GetAsync(() => Task.FromResult("active"), CancellationToken.None));
        Assert.Equal("active", await cache.GetAsync(() => Task.FromResult("other"), CancellationToken.None));
    }
}
