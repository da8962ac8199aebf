using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace OpenGradient.Oracle.Core.Models;

/// <summary>One model of a manifest: its file, content-hash id, registered tensor specs and fee.</summary>
public sealed record ManifestModel(string Name, string File, byte[] ModelId, TensorSpec Input, TensorSpec Output, BigInteger FeeWei, string Description);

/// <summary>
/// The model manifest (models/models.json, written by the ModelBuilder): what to register for each bundled model.
/// Deployment tools, tests and benchmarks read it instead of repeating tensor specs by hand.
/// </summary>
public sealed record ModelManifest(string Runtime, IReadOnlyList<ManifestModel> Models, string Directory)
{
    /// <summary>The model called <paramref name="name"/>, or the one whose file is named so.</summary>
    /// <exception cref="KeyNotFoundException">lists the names there are.</exception>
    public ManifestModel Get(string name) =>
        Models.FirstOrDefault(m => m.Name == name || m.File == name || Path.GetFileName(m.File) == Path.GetFileName(name))
        ?? throw new KeyNotFoundException($"no model \"{name}\" in the manifest; it has {string.Join(", ", Models.Select(m => m.Name))}");

    public string PathOf(ManifestModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Path.Combine(Directory, model.File);
    }

    /// <exception cref="FileNotFoundException"/>
    /// <exception cref="FormatException">names the model and field at fault.</exception>
    public static ModelManifest Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"model manifest {path} does not exist", path);
        try
        {
            return Parse(System.IO.File.ReadAllText(path), System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    public static ModelManifest Parse(string json, string directory)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var models = new List<ManifestModel>();
            foreach (var m in Required(root, "models").EnumerateArray())
            {
                var name = Required(m, "name").GetString() ?? throw new FormatException("a model without a name");
                try
                {
                    var id = Convert.FromHexString(Required(m, "modelId").GetString()!.Replace("0x", "", StringComparison.OrdinalIgnoreCase));
                    if (id.Length != 32) throw new FormatException("\"modelId\" is not 32 bytes");
                    models.Add(new ManifestModel(
                        name,
                        Required(m, "file").GetString()!,
                        id,
                        Spec(Required(m, "input"), "input"),
                        Spec(Required(m, "output"), "output"),
                        m.TryGetProperty("feeWei", out var fee) ? BigInteger.Parse(fee.GetString()!, CultureInfo.InvariantCulture) : BigInteger.Zero,
                        m.TryGetProperty("description", out var d) ? d.GetString() ?? "" : ""));
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
                {
                    throw new FormatException($"model \"{name}\": {e.Message}", e);
                }
            }
            return new ModelManifest(root.TryGetProperty("runtime", out var r) ? r.GetString() ?? "" : "", models, directory);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }
    }

    private static TensorSpec Spec(JsonElement s, string which)
    {
        var spec = new TensorSpec(
            (ElementType)Required(s, "elementType").GetByte(),
            Required(s, "decimals").GetByte(),
            long.Parse(Text(Required(s, "minValue")), CultureInfo.InvariantCulture),
            long.Parse(Text(Required(s, "maxValue")), CultureInfo.InvariantCulture),
            Required(s, "shape").EnumerateArray().Select(d => d.GetUInt32()).ToArray());
        return spec.Validate() is { } problem ? throw new FormatException($"{which} spec: {problem}") : spec;
    }

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    private static JsonElement Required(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v : throw new FormatException($"\"{name}\" is missing");
}
