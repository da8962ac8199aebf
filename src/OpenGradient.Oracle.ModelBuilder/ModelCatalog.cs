using System.Text.Json;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.ModelBuilder;

/// <summary>Renders every bundled model plus <c>models.json</c> (file, modelId = keccak256, specs, fee).</summary>
internal static class ModelCatalog
{
    public const string CatalogFileName = "models.json";

    /// <summary>File name → bytes, in a fixed order. Pure: the same bytes on every call and machine.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Render()
    {
        var files = new List<(string, byte[])>();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            json.WriteString("runtime", RuntimeDescriptor.Current);
            json.WriteStartArray("models");
            foreach (var model in BundledModels.All)
            {
                var bytes = model.Build();
                files.Add((model.FileName, bytes));
                json.WriteStartObject();
                json.WriteString("name", Path.GetFileNameWithoutExtension(model.FileName));
                json.WriteString("file", model.FileName);
                json.WriteString("modelId", Hex.Encode(Keccak256.Hash(bytes)));
                json.WriteNumber("sizeBytes", bytes.Length);
                json.WriteString("description", model.Description);
                WriteSpec(json, "input", model.Input);
                WriteSpec(json, "output", model.Output);
                json.WriteString("feeWei", model.FeeWei.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        files.Add((CatalogFileName, buffer.ToArray()));
        return files;
    }

    private static void WriteSpec(Utf8JsonWriter json, string name, TensorSpec spec)
    {
        if (spec.Validate() is { } error) throw new InvalidOperationException($"{name} spec invalid: {error}");
        json.WriteStartObject(name);
        json.WriteNumber("elementType", (byte)spec.ElementType);
        json.WriteNumber("decimals", spec.Decimals);
        // Strings: int64 bounds do not survive a JavaScript number in general.
        json.WriteString("minValue", spec.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("maxValue", spec.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteStartArray("shape");
        foreach (var d in spec.Shape) json.WriteNumberValue(d);
        json.WriteEndArray();
        json.WriteNumber("byteLength", spec.ByteLength);
        json.WriteEndObject();
    }
}
