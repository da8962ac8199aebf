using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace OpenGradient.Oracle.Benchmarks;

/// <summary>
/// A deliberately short job so scripts/bench.sh stays within a few minutes on two shared cores. Figures are medians
/// of a handful of ~100 ms iterations: good for ratios measured in one run, not for absolute claims.
/// In-process: no per-benchmark project build, and the same JIT/GC settings for "ours" and the baseline.
/// </summary>
internal static class BenchmarkConfig
{
    public static IConfig Create(string artifactsPath) =>
        ManualConfig.CreateMinimumViable()
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(9)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
                .WithId("Short"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(artifactsPath)
            .WithOptions(ConfigOptions.DisableLogFile);
}
