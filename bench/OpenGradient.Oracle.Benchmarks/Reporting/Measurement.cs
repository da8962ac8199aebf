using BenchmarkDotNet.Reports;

namespace OpenGradient.Oracle.Benchmarks.Reporting;

/// <summary>One BenchmarkDotNet case reduced to what the results table shows.</summary>
internal sealed record Measurement(string Method, string? Model, double MedianNanoseconds, long? AllocatedBytes)
{
    public double OpsPerSecond => 1e9 / MedianNanoseconds;

    /// <summary>Every case of every summary; throws when a case did not run, so bench.sh fails rather than report gaps.</summary>
    public static IReadOnlyList<Measurement> From(IEnumerable<Summary> summaries)
    {
        var all = new List<Measurement>();
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
                throw new InvalidOperationException($"{summary.Title}: BenchmarkDotNet validation failed: " +
                    string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
            if (summary.Reports.Length == 0) throw new InvalidOperationException($"{summary.Title}: no benchmark ran");
            foreach (var report in summary.Reports)
            {
                var name = report.BenchmarkCase.DisplayInfo;
                if (!report.Success || report.ResultStatistics is not { } stats)
                    throw new InvalidOperationException($"{name} did not produce a result");
                var model = report.BenchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Model")?.Value as string;
                all.Add(new Measurement(
                    report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                    model,
                    stats.Median,
                    report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)));
            }
        }
        return all;
    }
}
