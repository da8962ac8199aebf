using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>A bundled model as models/models.json describes it (the registry entry the tests register).</summary>
public sealed record RegistryModel(string Name, string File, byte[] ModelId, TensorSpec Input, TensorSpec Output, BigInteger Fee)
{
    public static string Directory => System.IO.Path.Combine(RepoPaths.Root, "models");

    public string Path => System.IO.Path.Combine(Directory, File);

    public static IReadOnlyList<RegistryModel> All { get; } = Load();

    public static RegistryModel CreditScorer => All.Single(m => m.Name == "credit-scorer");

    public static RegistryModel RiskMlp => All.Single(m => m.Name == "risk-mlp");

    public static RegistryModel Int8Classifier => All.Single(m => m.Name == "int8-classifier");

    private static List<RegistryModel> Load()
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(System.IO.Path.Combine(Directory, "models.json")));
        return json.RootElement.GetProperty("models").EnumerateArray().Select(m => new RegistryModel(
            m.GetProperty("name").GetString()!,
            m.GetProperty("file").GetString()!,
            Hex.Decode(m.GetProperty("modelId").GetString()!),
            Spec(m.GetProperty("input")),
            Spec(m.GetProperty("output")),
            BigInteger.Parse(m.GetProperty("feeWei").GetString()!, CultureInfo.InvariantCulture))).ToList();
    }

    private static TensorSpec Spec(JsonElement s) => new(
        (ElementType)s.GetProperty("elementType").GetInt32(),
        (byte)s.GetProperty("decimals").GetInt32(),
        long.Parse(s.GetProperty("minValue").GetString()!, CultureInfo.InvariantCulture),
        long.Parse(s.GetProperty("maxValue").GetString()!, CultureInfo.InvariantCulture),
        s.GetProperty("shape").EnumerateArray().Select(d => d.GetUInt32()).ToArray());
}
