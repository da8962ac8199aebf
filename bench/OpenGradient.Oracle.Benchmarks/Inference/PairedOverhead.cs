namespace OpenGradient.Oracle.Benchmarks.Inference;

/// <summary>
/// The overhead ratio measured so that load from other processes cancels out: short blocks of the bare run and of
/// our step alternate (order swapped every round), each timed in thread CPU time (<see cref="ThreadCpuClock"/>), and
/// the figure is the median of the per-round ratios. BenchmarkDotNet measures the two cases seconds apart in wall
/// time, which on a shared two-core machine moved the ratio between 0.3 and 2.5 from run to run. Each round also
/// times the bound run (<see cref="InferenceOverheadBenchmarks.BareBoundRun"/>), for the step's cost over it.
/// </summary>
internal static class PairedOverhead
{
    /// <param name="MedianRatio">Ours ÷ bare <c>InferenceSession.Run</c> (the target's ratio), with its quartiles.</param>
    /// <param name="Bound">Ours ÷ bare bound run, with its quartiles.</param>
    public sealed record Result(string Model, double MedianRatio, double LowerQuartile, double UpperQuartile, Quartiles Bound, int Rounds, bool ThreadCpuTime);

    public sealed record Quartiles(double Median, double Lower, double Upper)
    {
        public static Quartiles Of(double[] values)
        {
            var sorted = values.Order().ToArray();
            return new Quartiles(sorted[sorted.Length / 2], sorted[sorted.Length / 4], sorted[3 * sorted.Length / 4]);
        }
    }

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
            var boundRatios = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                long bare, bound, ours;
                if (r % 2 == 0)
                {
                    bare = Time(b.BareSessionRun, block);
                    bound = Time(b.BareBoundRun, block);
                    ours = Time(() => b.OracleInferenceStep(), block);
                }
                else
                {
                    ours = Time(() => b.OracleInferenceStep(), block);
                    bound = Time(b.BareBoundRun, block);
                    bare = Time(b.BareSessionRun, block);
                }
                ratios[r] = (double)ours / bare;
                boundRatios[r] = (double)ours / bound;
            }
            var target = Quartiles.Of(ratios);
            return new Result(model, target.Median, target.Lower, target.Upper, Quartiles.Of(boundRatios), rounds, ThreadCpuClock.IsThreadCpuTime);
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
