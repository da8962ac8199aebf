namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// A value read from the chain and trusted for <c>maxAge</c>. One read at a time: callers that find it stale while a
/// read is under way share that read instead of starting their own. <see cref="Prefetch"/> starts a read in the
/// background once the value is past half its age, so the caller that needs it next does not wait for a chain call. A
/// failed read is not kept: the next caller reads again (and sees the failure itself). With <c>generation</c> (the
/// context's count of reorgs seen), a value read before the count moved is not trusted either, whatever its age: it may
/// describe a branch that is gone. (A read already under way when the count moves is still shared by the callers
/// waiting for it; the value it stores is not trusted after it.)
/// </summary>
internal sealed class CachedReading<T>(TimeSpan maxAge, TimeProvider time, Func<int>? generation = null)
{
    private readonly object _gate = new();
    private (T Value, long At, int Generation)? _last;
    private Task<T>? _reading;

    /// <summary>The value, read with <paramref name="read"/> (or taken from the read under way) when stale. Throws what
    /// the read throws.</summary>
    public Task<T> GetAsync(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && Fresh(last, maxAge)) return Task.FromResult(last.Value);
            return (_reading ??= Start(read)).WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts a read in the background unless the value is younger than half its age or a read is under way.</summary>
    public void Prefetch(Func<Task<T>> read)
    {
        lock (_gate)
        {
            if (_reading is not null || (_last is { } last && Fresh(last, maxAge / 2))) return;
            _reading = Start(read);
            _reading.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    // On the thread pool, never inline under the lock; not cancellable by one caller, as others may share it. Dated
    // when asked for: the chain may change while the read is under way (a slow answer under load), and a reading dated
    // on arrival would be trusted for longer than maxAge after what it saw.
    private Task<T> Start(Func<Task<T>> read)
    {
        var askedAt = time.GetTimestamp();
        var askedIn = CurrentGeneration;
        return Task.Run(async () =>
        {
            try
            {
                var value = await read().ConfigureAwait(false);
                lock (_gate) _last = (value, askedAt, askedIn);
                return value;
            }
            finally
            {
                lock (_gate) _reading = null;
            }
        }, CancellationToken.None);
    }

    private int CurrentGeneration => generation?.Invoke() ?? 0;

    private bool Fresh((T Value, long At, int Generation) reading, TimeSpan age) =>
        reading.Generation == CurrentGeneration && time.GetElapsedTime(reading.At) < age;
}
