using BenchmarkDotNet.Running;
using OpenGradient.Oracle.Benchmarks;
using OpenGradient.Oracle.Benchmarks.Ethereum;
using OpenGradient.Oracle.Benchmarks.Inference;
using OpenGradient.Oracle.Benchmarks.Reporting;

// Runs the benchmarks that need no running node and writes their part of bench/results.md.
// Usage (scripts/bench.sh does this): OpenGradient.Oracle.Benchmarks --ethers <ethers.json> --markdown <out.md> [--artifacts <dir>]
//    or: OpenGradient.Oracle.Benchmarks --paired-only
// Exit codes: 0 all figures measured, 1 a benchmark or the ethers agreement check failed, 2 bad arguments.

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// --paired-only: just the paired inference-overhead ratios, printed (quick to repeat while working on the engine).
if (args.Contains("--paired-only"))
{
    Environment.SetEnvironmentVariable(RepositoryPaths.RootVariable, RepositoryPaths.Root);
    foreach (var model in InferenceOverheadBenchmarks.Models)
    {
        var r = PairedOverhead.Measure(model);
        Console.WriteLine($"paired: {r.Model} vs Run {r.MedianRatio:F3} [{r.LowerQuartile:F3}-{r.UpperQuartile:F3}], vs bound run {r.Bound.Median:F3} [{r.Bound.Lower:F3}-{r.Bound.Upper:F3}]");
    }
    return 0;
}

var ethersPath = Option("--ethers");
var markdownPath = Option("--markdown");
if (ethersPath is null || markdownPath is null)
{
    Console.Error.WriteLine("usage: OpenGradient.Oracle.Benchmarks --ethers <ethers.json> --markdown <out.md> [--artifacts <dir>]");
    return 2;
}
var artifacts = Option("--artifacts") ?? Path.Combine(Path.GetTempPath(), "og-bench-artifacts");

try
{
    Environment.SetEnvironmentVariable(RepositoryPaths.RootVariable, RepositoryPaths.Root);
    var ethers = EthersRun.Load(ethersPath);
    // A ratio is only meaningful if both sides computed the same thing from the same inputs.
    var disagreements = ethers.Disagreements(EthereumOpsBenchmarks.Vectors());
    if (disagreements.Count > 0)
    {
        Console.Error.WriteLine("bench: ours and ethers.js disagree, so their timings are not comparable:");
        foreach (var d in disagreements) Console.Error.WriteLine("  " + d);
        return 1;
    }

    var summaries = BenchmarkRunner.Run([typeof(InferenceOverheadBenchmarks), typeof(EthereumOpsBenchmarks)], BenchmarkConfig.Create(artifacts));
    var measurements = Measurement.From(summaries);
    var paired = measurements.Where(m => m.Model is not null).Select(m => m.Model!).Distinct()
        .Select(model => PairedOverhead.Measure(model)).ToArray();
    var ourCpuTimes = EthereumCpuTimes.Measure();
    var markdown = ResultsWriter.Markdown(measurements, paired, ourCpuTimes, ethers, Console.Out);
    File.WriteAllText(markdownPath, markdown);
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or IOException or System.Text.Json.JsonException or KeyNotFoundException)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    return 1;
}
