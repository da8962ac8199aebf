namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// A value read from the chain and trusted for <c>maxAge</c>. One read at a time: callers that find it stale while a
/// read is under way share that read instead of starting their own. <see cref="Prefetch"/> starts a read in the
/// background once the value is past half its age, so the caller that needs it next does not wait for a chain call. A
/// failed read is not kept: the next caller reads again (and sees the failure itself).
/// </summary>
internal sealed class CachedReading<T>(TimeSpan maxAge, TimeProvider time)
{
    private readonly object _gate = new();
    private (T Value, long At)? _last;
    private Task<T>? _reading;

    /// <summary>The value, read with <paramref name="read"/> (or taken from the read under way) when stale. Throws what
    /// the read throws.</summary>
    public Task<T> GetAsync(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && time.GetElapsedTime(last.At) < maxAge) return Task.FromResult(last.Value);
            return (_reading ??= Start(read)).WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts a read in the background unless the value is younger than half its age or a read is under way.</summary>
    public void Prefetch(Func<Task<T>> read)
    {
        lock (_gate)
        {
            if (_reading is not null || (_last is { } last && time.GetElapsedTime(last.At) < maxAge / 2)) return;
            _reading = Start(read);
            _reading.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    // On the thread pool, never inline under the lock; not cancellable by one caller, as others may share it.
    private Task<T> Start(Func<Task<T>> read) => Task.Run(async () =>
    {
        try
        {
            var value = await read().ConfigureAwait(false);
            lock (_gate) _last = (value, time.GetTimestamp());
            return value;
        }
        finally
        {
            lock (_gate) _reading = null;
        }
    }, CancellationToken.None);
}
