using System.Globalization;
using System.Text.Json;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Benchmarks.Inference;

/// <summary>One entry of models/models.json: the file and the specs it is registered with.</summary>
internal sealed record BundledModel(string Name, string File, byte[] ModelId, TensorSpec Input, TensorSpec Output)
{
    public static IReadOnlyList<BundledModel> LoadAll(string modelDirectory)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(modelDirectory, "models.json")));
        return doc.RootElement.GetProperty("models").EnumerateArray().Select(m => new BundledModel(
            m.GetProperty("name").GetString()!,
            Path.Combine(modelDirectory, m.GetProperty("file").GetString()!),
            Hex.Decode(m.GetProperty("modelId").GetString()!),
            Spec(m.GetProperty("input")),
            Spec(m.GetProperty("output")))).ToArray();
    }

    private static TensorSpec Spec(JsonElement e) => new(
        (ElementType)e.GetProperty("elementType").GetByte(),
        e.GetProperty("decimals").GetByte(),
        long.Parse(e.GetProperty("minValue").GetString()!, CultureInfo.InvariantCulture),
        long.Parse(e.GetProperty("maxValue").GetString()!, CultureInfo.InvariantCulture),
        e.GetProperty("shape").EnumerateArray().Select(d => d.GetUInt32()).ToArray());

    /// <summary>
    /// A fixed, in-range input: for fixed-point specs values spread over about [-1, 1] (the models take normalised
    /// features), for integer specs over the whole registered range.
    /// </summary>
    public long[] SampleInput()
    {
        var count = (int)Input.ElementCount;
        var half = Input.Decimals > 0
            ? (long)Math.Pow(10, Input.Decimals)
            : (Input.MaxValue - Input.MinValue) / 2;
        var values = new long[count];
        for (var i = 0; i < count; i++)
            values[i] = Math.Clamp(-half + (i * 7919L + 13) % (2 * half + 1), Input.MinValue, Input.MaxValue);
        return values;
    }
}
