namespace OpenGradient.Oracle.Benchmarks.Inference;

/// <summary>
/// The overhead ratio measured so that load from other processes cancels out: short blocks of the bare run and of
/// our step alternate (order swapped every round), each timed in thread CPU time (<see cref="ThreadCpuClock"/>), and
/// the figure is the median of the per-round ratios. BenchmarkDotNet measures the two cases seconds apart in wall
/// time, which on a shared two-core machine moved the ratio between 0.3 and 2.5 from run to run.
/// </summary>
internal static class PairedOverhead
{
    public sealed record Result(string Model, double MedianRatio, double LowerQuartile, double UpperQuartile, int Rounds, bool ThreadCpuTime);

    public static Result Measure(string model, int rounds = 61, double blockMilliseconds = 3)
    {
        var b = new InferenceOverheadBenchmarks { Model = model };
        b.Setup();
        try
        {
            // Warm both paths and size a block so each takes about blockMilliseconds.
            var perOpNs = Math.Max(Time(b.BareSessionRun, 2000), Time(() => b.OracleInferenceStep(), 2000)) / 2000.0;
            var block = Math.Max(50, (int)(blockMilliseconds * 1e6 / Math.Max(perOpNs, 1)));
            var ratios = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                long bare, ours;
                if (r % 2 == 0)
                {
                    bare = Time(b.BareSessionRun, block);
                    ours = Time(() => b.OracleInferenceStep(), block);
                }
                else
                {
                    ours = Time(() => b.OracleInferenceStep(), block);
                    bare = Time(b.BareSessionRun, block);
                }
                ratios[r] = (double)ours / bare;
            }
            Array.Sort(ratios);
            return new Result(model, ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4], rounds, ThreadCpuClock.IsThreadCpuTime);
        }
        finally
        {
            b.Cleanup();
        }
    }

    /// <summary>Nanoseconds of thread CPU time for <paramref name="count"/> calls.</summary>
    private static long Time(Action action, int count)
    {
        var start = ThreadCpuClock.NowNanoseconds();
        for (var i = 0; i < count; i++) action();
        return ThreadCpuClock.NowNanoseconds() - start;
    }
}
