using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Tests;

public sealed class ModelManifestTests
{
    private static string ManifestPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "models", "models.json");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("models/models.json not found above the test binaries");
    }

    [Fact]
    public void The_bundled_manifest_lists_every_model_with_valid_specs_and_existing_files()
    {
        var manifest = ModelManifest.Load(ManifestPath());

        Assert.Equal(["credit-scorer", "risk-mlp", "int8-classifier"], manifest.Models.Select(m => m.Name).Take(3));
        foreach (var m in manifest.Models)
        {
            Assert.True(File.Exists(manifest.PathOf(m)), m.File);
            Assert.Equal(32, m.ModelId.Length);
        }
        var scorer = manifest.Get("credit-scorer.onnx");
        Assert.Equal(new TensorSpec(ElementType.Int32, 4, -1_000_000, 1_000_000, [1, 8]), scorer.Input);
        Assert.Equal(ElementType.Int32, scorer.Output.ElementType);
    }

    [Fact]
    public void An_unknown_name_lists_the_known_ones()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => ModelManifest.Load(ManifestPath()).Get("gpt"));
        Assert.Contains("credit-scorer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "not JSON")]
    [InlineData("{}", "\"models\" is missing")]
    [InlineData("""{"models":[{"name":"m","file":"m.onnx","modelId":"0x12"}]}""", "model \"m\": \"modelId\" is not 32 bytes")]
    [InlineData("""{"models":[{"name":"m","file":"m.onnx","modelId":"0x0000000000000000000000000000000000000000000000000000000000000001","input":{"elementType":9,"decimals":0,"minValue":"0","maxValue":"1","shape":[1]},"output":{}}]}""", "input spec: element type 9")]
    public void Malformed_manifests_name_the_model_and_field(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ModelManifest.Parse(json, "/tmp"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
