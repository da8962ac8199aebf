using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenGradient.Oracle.Bindings.Generator;

/// <summary>One contract to bind: its name, ABI JSON (compact) and creation bytecode ("0x" for interfaces).</summary>
public sealed record ContractSource(string Name, string AbiJson, string Bytecode, string Origin)
{
    /// <summary>
    /// Reads Hardhat artifacts (<c>{ contractName, abi, bytecode }</c>), bare ABI arrays (named after the file), or
    /// directories of artifacts (recursively; build-info and *.dbg.json skipped). Sorted by name, duplicates rejected.
    /// </summary>
    public static IReadOnlyList<ContractSource> Load(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*.json", SearchOption.AllDirectories)
                    .Where(f => !f.EndsWith(".dbg.json", StringComparison.Ordinal)
                        && !f.Replace('\\', '/').Contains("/build-info/", StringComparison.Ordinal)));
            else if (File.Exists(input))
                files.Add(input);
            else
                throw new FileNotFoundException($"no such file or directory: {input}");
        }
        var result = new List<ContractSource>();
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(File.ReadAllText(file));
            if (node is JsonArray bare)
            {
                result.Add(new ContractSource(Path.GetFileNameWithoutExtension(file), bare.ToJsonString(), "0x", Path.GetFileName(file)));
            }
            else if (node is JsonObject o && o["abi"] is JsonArray abi)
            {
                var name = o["contractName"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(file);
                var bytecode = o["bytecode"]?.GetValue<string>() ?? "0x";
                var origin = o["sourceName"]?.GetValue<string>() is { } source ? $"{source}:{name}" : Path.GetFileName(file);
                result.Add(new ContractSource(name, abi.ToJsonString(), bytecode, origin));
            }
        }
        var duplicate = result.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"two contracts named {duplicate.Key}: {string.Join(", ", duplicate.Select(d => d.Origin))}; pick one with --contracts or narrower inputs");
        return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    internal static JsonSerializerOptions Compact { get; } = new() { WriteIndented = false };
}
