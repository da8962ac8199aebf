using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.ModelBuilder;

namespace OpenGradient.Oracle.Inference.Tests;

public sealed class ModelStoreTests
{
    private static readonly BundledModel Model = BundledModels.CreditScorer;

    private static async Task<ModelLoad> Load(InferenceOptions options, byte[] id, string? uri = null)
    {
        using var store = new ModelStore(options);
        return await store.GetAsync(ModelKey.From(id), uri, CancellationToken.None);
    }

    private static byte[] Flipped(byte[] bytes, int index = 100)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x01;
        return copy;
    }

    [Fact]
    public async Task Finds_a_file_with_any_name_by_its_hash()
    {
        using var dir = new TestModels.TempDir();
        dir.Write("whatever.onnx", TestModels.Bytes(BundledModels.RiskMlp));
        dir.Write("scorer-v1-final.onnx", TestModels.Bytes(Model));
        dir.Write("notes.txt", [1, 2, 3]);

        var load = await Load(new InferenceOptions { ModelDirectory = dir.Path }, TestModels.Id(Model));

        Assert.Null(load.Failure);
        Assert.NotNull(load.Model);
        Assert.Equal(Hex.Encode(TestModels.Id(Model)), load.Model.Id);
    }

    [Fact]
    public async Task Preloading_the_folder_loads_every_model_in_it_and_counts_the_one_that_does_not_load()
    {
        using var dir = new TestModels.TempDir();
        dir.Write("a.onnx", TestModels.Bytes(BundledModels.RiskMlp));
        dir.Write("b.onnx", TestModels.Bytes(Model));
        dir.Write("broken.onnx", [1, 2, 3]);
        dir.Write("notes.txt", [1, 2, 3]);
        using var store = new ModelStore(new InferenceOptions { ModelDirectory = dir.Path });

        var (directory, loaded, failed) = await store.PreloadDirectoryAsync();

        Assert.Equal(dir.Path, directory);
        Assert.Equal(2, loaded);
        Assert.Equal(1, failed);
        // Loaded means cached: asking for the model now completes without loading it again.
        Assert.True(store.GetAsync(ModelKey.From(TestModels.Id(Model)), null, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Preloading_without_a_model_folder_does_nothing()
    {
        using var store = new ModelStore(new InferenceOptions());

        Assert.Equal((null, 0, 0), await store.PreloadDirectoryAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Finds_a_file_named_by_the_model_id(bool withPrefix)
    {
        using var dir = new TestModels.TempDir();
        var hex = Hex.Encode(TestModels.Id(Model));
        dir.Write((withPrefix ? hex : hex[2..]) + ".onnx", TestModels.Bytes(Model));

        var load = await Load(new InferenceOptions { ModelDirectory = dir.Path }, TestModels.Id(Model));

        Assert.NotNull(load.Model);
    }

    [Fact]
    public async Task Refuses_a_file_named_by_the_model_id_whose_bytes_hash_differently()
    {
        using var dir = new TestModels.TempDir();
        var id = TestModels.Id(Model);
        var tampered = Flipped(TestModels.Bytes(Model));
        var path = dir.Write(Hex.Encode(id)[2..] + ".onnx", tampered);

        var load = await Load(new InferenceOptions { ModelDirectory = dir.Path }, id);

        Assert.Null(load.Model);
        var mismatch = Assert.IsType<ModelHashMismatch>(load.Failure);
        Assert.Equal(FailureReason.ModelHashMismatch, mismatch.Reason);
        Assert.Equal(Hex.Encode(id), mismatch.ExpectedHash);
        Assert.Equal(Hex.Encode(TestModels.Id(tampered)), mismatch.ActualHash);
        Assert.Equal(path, mismatch.Source);
        Assert.Contains(mismatch.ActualHash, mismatch.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_file_uri_whose_bytes_hash_differently()
    {
        using var dir = new TestModels.TempDir();
        var path = dir.Write("model.onnx", Flipped(TestModels.Bytes(Model)));

        var load = await Load(new InferenceOptions(), TestModels.Id(Model), new Uri(path).AbsoluteUri);

        Assert.IsType<ModelHashMismatch>(load.Failure);
    }

    [Fact]
    public async Task Loads_a_file_uri()
    {
        using var dir = new TestModels.TempDir();
        var path = dir.Write("model.onnx", TestModels.Bytes(Model));

        var load = await Load(new InferenceOptions(), TestModels.Id(Model), new Uri(path).AbsoluteUri);

        Assert.NotNull(load.Model);
    }

    [Fact]
    public async Task A_model_nowhere_to_be_found_is_unavailable()
    {
        using var dir = new TestModels.TempDir();

        var load = await Load(new InferenceOptions { ModelDirectory = dir.Path }, new byte[32]);

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
        Assert.Contains("no URI", load.Failure!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/model.onnx")]
    [InlineData("https://models.opengradient.ai/credit-scorer.onnx")]
    [InlineData("http://10.0.0.7:8080/model.onnx")]
    [InlineData("http://192.168.1.20/model.onnx")]
    public async Task Refuses_http_to_a_host_that_is_not_loopback(string uri)
    {
        var load = await Load(new InferenceOptions(), TestModels.Id(Model), uri);

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
        Assert.Contains("only loopback hosts", load.Failure!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")]
    [InlineData("ftp://127.0.0.1/model.onnx")]
    [InlineData("not a uri")]
    public async Task Refuses_other_schemes_with_a_reason(string uri)
    {
        var load = await Load(new InferenceOptions(), TestModels.Id(Model), uri);

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
        Assert.Contains("URI", load.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_a_loopback_http_url_once_then_from_the_cache()
    {
        await using var server = new LoopbackFileServer(new() { ["/models/scorer.onnx"] = TestModels.Bytes(Model) });
        using var store = new ModelStore(new InferenceOptions());
        var key = ModelKey.From(TestModels.Id(Model));

        var first = await store.GetAsync(key, server.Url("/models/scorer.onnx"), CancellationToken.None);
        var second = await store.GetAsync(key, server.Url("/models/scorer.onnx"), CancellationToken.None);

        Assert.Null(first.Failure);
        Assert.Same(first.Model, second.Model);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Localhost_by_name_counts_as_loopback()
    {
        await using var server = new LoopbackFileServer(new() { ["/m.onnx"] = TestModels.Bytes(Model) });

        var load = await Load(new InferenceOptions(), TestModels.Id(Model), $"http://localhost:{server.Port}/m.onnx");

        Assert.Null(load.Failure);
    }

    [Fact]
    public async Task Refuses_loopback_http_bytes_that_hash_differently()
    {
        await using var server = new LoopbackFileServer(new() { ["/m.onnx"] = Flipped(TestModels.Bytes(Model)) });

        var load = await Load(new InferenceOptions(), TestModels.Id(Model), server.Url("/m.onnx"));

        Assert.IsType<ModelHashMismatch>(load.Failure);
    }

    [Fact]
    public async Task A_loopback_404_is_unavailable()
    {
        await using var server = new LoopbackFileServer([]);

        var load = await Load(new InferenceOptions(), TestModels.Id(Model), server.Url("/missing.onnx"));

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
        Assert.Contains("404", load.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_http_can_be_switched_off()
    {
        await using var server = new LoopbackFileServer(new() { ["/m.onnx"] = TestModels.Bytes(Model) });

        var load = await Load(new InferenceOptions { AllowHttpLoopback = false }, TestModels.Id(Model), server.Url("/m.onnx"));

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Refuses_files_over_the_size_limit()
    {
        using var dir = new TestModels.TempDir();
        var path = dir.Write("m.onnx", TestModels.Bytes(Model));

        var load = await Load(new InferenceOptions { MaxModelBytes = 100 }, TestModels.Id(Model), new Uri(path).AbsoluteUri);

        Assert.Equal(FailureReason.ModelFileUnavailable, load.Failure?.Reason);
    }

    [Fact]
    public async Task A_failure_is_not_cached_so_a_file_added_later_is_found()
    {
        using var dir = new TestModels.TempDir();
        using var store = new ModelStore(new InferenceOptions { ModelDirectory = dir.Path });
        var key = ModelKey.From(TestModels.Id(Model));

        var before = await store.GetAsync(key, null, CancellationToken.None);
        dir.Write("late.onnx", TestModels.Bytes(Model));
        var after = await store.GetAsync(key, null, CancellationToken.None);

        Assert.Equal(FailureReason.ModelFileUnavailable, before.Failure?.Reason);
        Assert.NotNull(after.Model);
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_session()
    {
        using var store = new ModelStore(new InferenceOptions { ModelDirectory = TestModels.Directory });
        var key = ModelKey.From(TestModels.Id(Model));

        var loads = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.GetAsync(key, null, CancellationToken.None).AsTask())));

        Assert.All(loads, l => Assert.Same(loads[0].Model, l.Model));
    }

    [Fact]
    public async Task Preload_reports_readiness_or_the_failure()
    {
        using var inference = TestModels.Engine();

        Assert.Null(await inference.PreloadAsync(TestModels.Id(Model), null));
        Assert.Equal(FailureReason.ModelFileUnavailable, (await inference.PreloadAsync(new byte[32], null))?.Reason);
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_setting_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelStore(new InferenceOptions { MaxModelBytes = 0 }));
        Assert.Contains(nameof(InferenceOptions.MaxModelBytes), e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ModelStore(new InferenceOptions { ModelDirectory = "" }));
    }

    [Fact]
    public void A_model_id_must_be_32_bytes() => Assert.Throws<ArgumentException>(() => ModelKey.From(new byte[31]));
}
