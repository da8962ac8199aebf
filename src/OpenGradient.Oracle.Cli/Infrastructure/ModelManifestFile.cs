using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>
/// The CLI's use of models/models.json (parsed by <see cref="Core.Models.ModelManifest"/>): lookups by name or id,
/// errors as exit codes, and the tensor-spec JSON an operator may type for a model that is not in a manifest.
/// </summary>
public sealed class ModelManifestFile
{
    private readonly Core.Models.ModelManifest _manifest;

    private ModelManifestFile(string path, Core.Models.ModelManifest manifest)
    {
        Path = path;
        _manifest = manifest;
    }

    public string Path { get; }

    public IReadOnlyList<ManifestModel> Models => _manifest.Models;

    /// <summary>The directory holding the manifest; the model files are relative to it.</summary>
    public string Directory => _manifest.Directory;

    public string FullPathOf(ManifestModel model) => _manifest.PathOf(model);

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
    public static ModelManifestFile Load(string path)
    {
        if (!File.Exists(path))
            throw new CliException($"model manifest {path} does not exist", ExitCodes.Input,
                "pass --models FILE (the repository's is models/models.json), or give the specs with --input-spec/--output-spec");
        try
        {
            return new ModelManifestFile(path, Core.Models.ModelManifest.Load(path));
        }
        catch (FormatException e)
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
