using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Integration.Tests;

/// <summary>One model of models/models.json, checked against its file.</summary>
internal sealed record BundledModel(string Name, string Path, byte[] ModelId, TensorSpec Input, TensorSpec Output, BigInteger Fee)
{
    public static string Directory => System.IO.Path.Combine(RepoPaths.Root, "models");

    public static IReadOnlyList<BundledModel> All { get; } = Load();

    public ModelRegistryContract.TensorSpec InputAbi => ToAbi(Input);

    public ModelRegistryContract.TensorSpec OutputAbi => ToAbi(Output);

    private static ModelRegistryContract.TensorSpec ToAbi(TensorSpec s) =>
        new((int)s.ElementType, s.Decimals, s.MinValue, s.MaxValue, s.Shape.Select(d => new BigInteger(d)).ToArray());

    /// <summary>Values the spec allows (a modest band, so float models stay in their interesting range).</summary>
    public long[] RandomValues(Random random)
    {
        var values = new long[Input.ElementCount];
        var span = Math.Min(Input.MaxValue, 20_000);
        for (var i = 0; i < values.Length; i++) values[i] = random.NextInt64(Math.Max(Input.MinValue, -span), span + 1);
        return values;
    }

    private static List<BundledModel> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Directory, "models.json")));
        var list = new List<BundledModel>();
        foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
        {
            var path = System.IO.Path.Combine(Directory, m.GetProperty("file").GetString()!);
            var modelId = Keccak256.Hash(File.ReadAllBytes(path));
            if (Hex.Encode(modelId) != m.GetProperty("modelId").GetString())
                throw new InvalidOperationException($"{path} does not hash to the modelId in models.json");
            list.Add(new BundledModel(m.GetProperty("name").GetString()!, path, modelId, Spec(m.GetProperty("input")), Spec(m.GetProperty("output")),
                BigInteger.Parse(m.GetProperty("feeWei").GetString()!, CultureInfo.InvariantCulture)));
        }
        return list;
    }

    private static TensorSpec Spec(JsonElement j) => new(
        (ElementType)j.GetProperty("elementType").GetInt32(),
        (byte)j.GetProperty("decimals").GetInt32(),
        long.Parse(j.GetProperty("minValue").GetString()!, CultureInfo.InvariantCulture),
        long.Parse(j.GetProperty("maxValue").GetString()!, CultureInfo.InvariantCulture),
        j.GetProperty("shape").EnumerateArray().Select(d => d.GetUInt32()).ToArray());
}
