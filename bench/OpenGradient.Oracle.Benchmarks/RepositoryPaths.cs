namespace OpenGradient.Oracle.Benchmarks;

/// <summary>
/// Where the bundled models and the shared benchmark inputs live. Benchmarks are run from the repository by
/// scripts/bench.sh; the root is found by walking up to the folder that holds models/models.json.
/// </summary>
internal static class RepositoryPaths
{
    /// <summary>Set by <see cref="Program"/> so benchmark instances (created by BenchmarkDotNet) find the same root.</summary>
    public const string RootVariable = "OG_BENCH_REPO_ROOT";

    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } configured) return configured;
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "models", "models.json"))) return dir.FullName;
                }
            }
            throw new InvalidOperationException(
                $"cannot find the repository (a folder with models/models.json) above {Directory.GetCurrentDirectory()}; set {RootVariable}");
        }
    }

    public static string ModelDirectory => Path.Combine(Root, "models");

    public static string EthereumInputs => Path.Combine(Root, "bench", "inputs", "ethereum-ops.json");
}
