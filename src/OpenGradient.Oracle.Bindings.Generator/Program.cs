using OpenGradient.Oracle.Bindings.Generator;

// Usage: Bindings.Generator --out <dir> [--namespace <ns>] [--internal] [--contracts A,B] <artifact.json | abi.json | artifacts-dir>...
var outDir = (string?)null;
var ns = "OpenGradient.Oracle.Chain.Generated";
var isPublic = true;
HashSet<string>? only = null;
var inputs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": outDir = args[++i]; break;
        case "--namespace": ns = args[++i]; break;
        case "--internal": isPublic = false; break;
        case "--contracts": only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
        case "-h" or "--help":
            Console.WriteLine("Bindings.Generator --out <dir> [--namespace <ns>] [--internal] [--contracts A,B] <artifact.json | abi.json | artifacts-dir>...");
            return 0;
        default: inputs.Add(args[i]); break;
    }
}
if (outDir is null || inputs.Count == 0)
{
    Console.Error.WriteLine("need --out <dir> and at least one artifact, ABI file or artifacts directory (--help)");
    return 2;
}

var contracts = ContractSource.Load(inputs).Where(c => only is null || only.Contains(c.Name)).ToList();
if (only is not null && only.Except(contracts.Select(c => c.Name)).ToList() is { Count: > 0 } missing)
{
    Console.Error.WriteLine("not found: " + string.Join(", ", missing));
    return 1;
}
Directory.CreateDirectory(outDir);
foreach (var contract in contracts)
{
    var path = Path.Combine(outDir, contract.Name + "Contract.g.cs");
    File.WriteAllText(path, BindingsGenerator.Generate(contract, ns, isPublic));
    Console.WriteLine($"wrote {path}");
}
return 0;
