namespace OpenGradient.Oracle.Benchmarks.Ethereum;

/// <summary>
/// Our Ethereum operations timed in thread CPU time, the counterpart of the CPU-time figures bench/js/ethers-ops.mjs
/// reports (process CPU time there): about 0.3 s of warm-up, then the median of 7 batches of about 100 ms. Used for the
/// ratio to ethers.js because the two sides run seconds apart in different processes, and CPU time does not count the
/// time a process waits while others run on this shared machine.
/// </summary>
internal static class EthereumCpuTimes
{
    /// <summary>Median CPU nanoseconds per operation, by operation name.</summary>
    public static IReadOnlyDictionary<string, double> Measure(int rounds = 7, double roundMilliseconds = 100)
    {
        var b = new EthereumOpsBenchmarks();
        b.Setup();
        var result = new Dictionary<string, double>();
        foreach (var (name, run) in b.Operations())
        {
            var batch = 1;
            long spent = 0;
            double perOp = 0;
            while (spent < 300_000_000)
            {
                var ns = Time(run, batch);
                spent += ns;
                perOp = (double)ns / batch;
                if (ns < 20_000_000) batch *= 2;
            }
            var size = Math.Max(1, (int)(roundMilliseconds * 1e6 / Math.Max(perOp, 1)));
            var perRound = new double[rounds];
            for (var r = 0; r < rounds; r++) perRound[r] = (double)Time(run, size) / size;
            Array.Sort(perRound);
            result[name] = perRound[rounds / 2];
        }
        return result;
    }

    private static long Time(Func<object?> run, int count)
    {
        object? sink = null;
        var start = ThreadCpuClock.NowNanoseconds();
        for (var i = 0; i < count; i++) sink = run();
        var elapsed = ThreadCpuClock.NowNanoseconds() - start;
        GC.KeepAlive(sink);
        return elapsed;
    }
}
