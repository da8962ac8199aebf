using OpenGradient.Oracle.ModelBuilder;

// Usage: dotnet run --project src/OpenGradient.Oracle.ModelBuilder -- --out models
var outDir = "models";
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: --out <folder>");
        return 2;
    }
}

Directory.CreateDirectory(outDir);
foreach (var (name, bytes) in ModelCatalog.Render())
{
    File.WriteAllBytes(Path.Combine(outDir, name), bytes);
    Console.WriteLine($"{name,-24} {bytes.Length,6} bytes");
}
return 0;
