using System.Text.Json;

namespace OpenGradient.Oracle.Benchmarks.Reporting;

/// <summary>What bench/js/ethers-ops.mjs printed: versions, time per operation, and what each operation computed.</summary>
internal sealed record EthersRun(string EthersVersion, string NodeVersion, IReadOnlyDictionary<string, double> MedianNanoseconds,
    IReadOnlyDictionary<string, double> MedianCpuNanoseconds, IReadOnlyDictionary<string, string> Vectors)
{
    public static EthersRun Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        return new EthersRun(
            root.GetProperty("ethers").GetString()!,
            root.GetProperty("node").GetString()!,
            root.GetProperty("results").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("nsPerOp").GetDouble()),
            root.GetProperty("results").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("cpuNsPerOp").GetDouble()),
            root.GetProperty("vectors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }

    /// <summary>Names of operations whose result differs from ours (or is missing): the two sides did not do the same work.</summary>
    public IReadOnlyList<string> Disagreements(IReadOnlyDictionary<string, string> ours) =>
        ours.Where(o => !Vectors.TryGetValue(o.Key, out var theirs) || !string.Equals(o.Value, theirs, StringComparison.OrdinalIgnoreCase))
            .Select(o => $"{o.Key}: ours {o.Value}, ethers {Vectors.GetValueOrDefault(o.Key, "(missing)")}")
            .ToArray();
}
