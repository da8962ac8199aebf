using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.ModelBuilder;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Inference.Tests;

/// <summary>The committed model files and helpers to make requests against them.</summary>
internal static class TestModels
{
    public static string Directory => Path.Combine(RepoPaths.Root, "models");

    public static byte[] Bytes(BundledModel model) => File.ReadAllBytes(Path.Combine(Directory, model.FileName));

    public static byte[] Id(BundledModel model) => Keccak256.Hash(Bytes(model));

    public static byte[] Id(byte[] fileBytes) => Keccak256.Hash(fileBytes);

    public static InferenceRequest Request(BundledModel model, byte[] input, string? uri = null) =>
        new(Id(model), uri, model.Input, model.Output, input);

    public static InferenceRequest Request(BundledModel model, long[] values) =>
        Request(model, TensorCodec.Encode(values, model.Input));

    public static IOracleInference Engine(string? directory = null) =>
        OracleInference.Create(new InferenceOptions { ModelDirectory = directory ?? Directory });

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "og-inference-" + Guid.NewGuid().ToString("N"));

        public TempDir() => System.IO.Directory.CreateDirectory(Path);

        public string Write(string name, byte[] bytes)
        {
            var file = System.IO.Path.Combine(Path, name);
            File.WriteAllBytes(file, bytes);
            return file;
        }

        public void Dispose()
        {
            try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    public static TensorSpec Spec(ElementType type, byte decimals, long min, long max, params uint[] shape) =>
        new(type, decimals, min, max, shape);
}
