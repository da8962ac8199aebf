using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>One model of a models.json manifest (format: models/README.md).</summary>
public sealed record ManifestModel(string Name, string File, byte[] ModelId, TensorSpec Input, TensorSpec Output, BigInteger FeeWei, string? Description);

/// <summary>
/// models/models.json: which file is which model and the tensor specs to register it with. The CLI reads it so an
/// operator never types a spec by hand for a bundled model.
/// </summary>
public sealed class ModelManifest
{
    private ModelManifest(string path, IReadOnlyList<ManifestModel> models)
    {
        Path = path;
        Models = models;
    }

    public string Path { get; }

    public IReadOnlyList<ManifestModel> Models { get; }

    /// <summary>The directory holding the manifest; the model files are relative to it.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    public string FullPathOf(ManifestModel model) => System.IO.Path.Combine(Directory, model.File);

    public ManifestModel? FindByName(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)
                                   || string.Equals(m.File, name, StringComparison.OrdinalIgnoreCase));

    public ManifestModel? FindById(ReadOnlySpan<byte> modelId)
    {
        foreach (var m in Models)
            if (m.ModelId.AsSpan().SequenceEqual(modelId)) return m;
        return null;
    }

    /// <summary>Loads a manifest; a missing file or a malformed entry is a <see cref="CliException"/> (exit 3).</summary>
    public static ModelManifest Load(string path)
    {
        if (!File.Exists(path))
            throw new CliException($"model manifest {path} does not exist", ExitCodes.Input,
                "pass --models FILE (the repository's is models/models.json), or give the specs with --input-spec/--output-spec");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new FormatException("the file is empty");
            var list = root["models"] as JsonArray ?? throw new FormatException("\"models\" is not an array");
            var models = new List<ManifestModel>();
            foreach (var entry in list)
            {
                if (entry is null) continue;
                var name = entry["name"]?.GetValue<string>() ?? throw new FormatException("a model has no \"name\"");
                models.Add(new ManifestModel(
                    name,
                    entry["file"]?.GetValue<string>() ?? throw new FormatException($"{name}: \"file\" is missing"),
                    Hex.DecodeFixed(entry["modelId"]?.GetValue<string>() ?? throw new FormatException($"{name}: \"modelId\" is missing"), 32),
                    ParseSpec(entry["input"], $"{name}.input"),
                    ParseSpec(entry["output"], $"{name}.output"),
                    entry["feeWei"] is JsonValue fee ? BigInteger.Parse(fee.ToString(), CultureInfo.InvariantCulture) : BigInteger.Zero,
                    entry["description"]?.GetValue<string>()));
            }
            return new ModelManifest(path, models);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CliException($"{path} is not a usable model manifest: {e.Message}", ExitCodes.Input, inner: e);
        }
    }

    /// <summary>
    /// A tensor spec as JSON: <c>{"elementType":3,"decimals":4,"minValue":"-1000000","maxValue":"1000000","shape":[1,8]}</c>
    /// (elementType 1..4 = INT8..INT64; bounds as strings or numbers). Validated with the registry's rules.
    /// </summary>
    public static TensorSpec ParseSpec(JsonNode? node, string what)
    {
        if (node is not JsonObject o) throw new FormatException($"{what} is not a JSON object");
        var elementType = (ElementType)Int(o, "elementType", what);
        var spec = new TensorSpec(
            elementType,
            (byte)Int(o, "decimals", what),
            Int(o, "minValue", what),
            Int(o, "maxValue", what),
            (o["shape"] as JsonArray ?? throw new FormatException($"{what}.shape is missing"))
                .Select(d => d is JsonValue v && uint.TryParse(v.ToString(), CultureInfo.InvariantCulture, out var n)
                    ? n : throw new FormatException($"{what}.shape holds a non-integer"))
                .ToArray());
        if (spec.Validate() is { } problem) throw new FormatException($"{what}: {problem}");
        return spec;
    }

    public static TensorSpec ParseSpec(string json, string what)
    {
        try
        {
            return ParseSpec(JsonNode.Parse(json), what);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what} is not JSON: {e.Message}", e);
        }
    }

    public static JsonObject SpecToJson(TensorSpec spec) => new()
    {
        ["elementType"] = (int)spec.ElementType,
        ["elementTypeName"] = spec.ElementType.ToString().ToUpperInvariant(),
        ["decimals"] = spec.Decimals,
        ["minValue"] = spec.MinValue.ToString(CultureInfo.InvariantCulture),
        ["maxValue"] = spec.MaxValue.ToString(CultureInfo.InvariantCulture),
        ["shape"] = new JsonArray(spec.Shape.Select(d => (JsonNode)d).ToArray()),
    };

    /// <summary>keccak256 of a model file: its model id.</summary>
    public static byte[] HashFile(string path)
    {
        if (!File.Exists(path))
            throw new CliException($"model file {path} does not exist", ExitCodes.Input, "check the path given with --file/--model-file");
        using var stream = File.OpenRead(path);
        return Keccak256.Hash(stream);
    }

    private static long Int(JsonObject o, string name, string what) =>
        o[name] is JsonValue v && long.TryParse(v.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"{what}.{name} is missing or not an integer");
}
