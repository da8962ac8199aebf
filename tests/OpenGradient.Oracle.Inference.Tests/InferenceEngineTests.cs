using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.ModelBuilder;
using OpenGradient.Oracle.ModelBuilder.Onnx;
using DataType = OpenGradient.Oracle.ModelBuilder.Onnx.TensorProto.Types.DataType;

namespace OpenGradient.Oracle.Inference.Tests;

public sealed class InferenceEngineTests : IDisposable
{
    private readonly IOracleInference _engine = TestModels.Engine();

    public void Dispose() => _engine.Dispose();

    private InferenceResult Run(InferenceRequest request) => RunOn(_engine, request);

    // Loaded models complete synchronously; blocking keeps the tests readable.
    private static InferenceResult RunOn(IInferenceEngine engine, InferenceRequest request) =>
        engine.RunAsync(request).AsTask().GetAwaiter().GetResult();

    private static long[] Ramp(int n, long step) => Enumerable.Range(0, n).Select(i => (i - n / 2) * step).ToArray();

    public static TheoryData<string> ModelNames => new(BundledModels.All.Select(m => m.FileName));

    private static BundledModel ByName(string file) => BundledModels.All.Single(m => m.FileName == file);

    private static long[] SampleInput(BundledModel model) =>
        model == BundledModels.Int8Classifier ? Ramp(16, 15) : Ramp((int)model.Input.ElementCount, 12_345);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Each_bundled_model_produces_an_output_of_the_registered_size_and_range(string file)
    {
        var model = ByName(file);

        var result = Run(TestModels.Request(model, SampleInput(model)));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(model.Output.ByteLength, result.Output.Length);
        Assert.All(TensorCodec.Decode(result.Output, model.Output), q => Assert.InRange(q, model.Output.MinValue, model.Output.MaxValue));
    }

    [Fact]
    public void Credit_scorer_gives_the_expected_probability_for_a_known_input()
    {
        // All features 0 → sigmoid(0.25) = 0.56217650088… exactly, but ONNX Runtime's float32 Sigmoid (MLAS) lands a
        // little below 0.5621765, so the protocol's answer is 562176, not 562177. A golden value for this runtime.
        var result = Run(TestModels.Request(BundledModels.CreditScorer, new long[8]));

        Assert.Equal([562176L], TensorCodec.Decode(result.Output!, BundledModels.CreditScorer.Output));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_same_input_gives_identical_bytes_200_times(string file)
    {
        var model = ByName(file);
        var request = TestModels.Request(model, SampleInput(model));
        var first = Run(request).Output!;

        for (var i = 0; i < 200; i++) Assert.Equal(first, Run(request).Output);
    }

    [Fact]
    public async Task Concurrent_runs_give_the_same_bytes_as_sequential_ones()
    {
        var model = BundledModels.RiskMlp;
        var inputs = Enumerable.Range(0, 32).Select(k => Ramp(16, 1_000 * (k + 1))).ToArray();
        var sequential = inputs.Select(x => Convert.ToHexString(Run(TestModels.Request(model, x)).Output!)).ToArray();

        var concurrent = await Task.WhenAll(inputs.Select(x => Task.Run(async () =>
            Convert.ToHexString((await _engine.RunAsync(TestModels.Request(model, x))).Output!))));

        Assert.Equal(sequential, concurrent);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(0)]
    public void Input_of_the_wrong_length_is_malformed(int length)
    {
        var result = Run(TestModels.Request(BundledModels.CreditScorer, new byte[length]));

        Assert.Equal(FailureReason.InputMalformed, result.Failure?.Reason);
    }

    [Theory]
    [InlineData(1_000_001)]
    [InlineData(-1_000_001)]
    [InlineData(int.MaxValue)]
    public void An_element_outside_the_registered_range_is_out_of_range(long value)
    {
        var values = new long[8];
        values[5] = value;

        var result = Run(TestModels.Request(BundledModels.CreditScorer, values));

        Assert.Equal(FailureReason.InputOutOfRange, result.Failure?.Reason);
        Assert.Contains("element 5", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_range_check_uses_the_registered_spec_not_the_type()
    {
        var model = BundledModels.Int8Classifier;
        var narrow = model.Input with { MinValue = -100, MaxValue = 100 };
        var request = TestModels.Request(model, TensorCodec.Encode(Enumerable.Repeat(101L, 16).ToArray(), model.Input)) with { InputSpec = narrow };

        Assert.Equal(FailureReason.InputOutOfRange, Run(request).Failure?.Reason);
    }

    [Fact]
    public void A_registered_input_shape_unlike_the_models_is_a_shape_mismatch()
    {
        var model = BundledModels.CreditScorer;
        var spec = model.Input with { Shape = [1, 9] };
        var request = new InferenceRequest(TestModels.Id(model), null, spec, model.Output, new byte[36]);

        var result = Run(request);

        Assert.Equal(FailureReason.InputShapeMismatch, result.Failure?.Reason);
        Assert.Contains("[1,9]", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registered_input_rank_unlike_the_models_is_a_shape_mismatch()
    {
        var model = BundledModels.CreditScorer;
        var request = new InferenceRequest(TestModels.Id(model), null, model.Input with { Shape = [8] }, model.Output, new byte[32]);

        Assert.Equal(FailureReason.InputShapeMismatch, Run(request).Failure?.Reason);
    }

    [Fact]
    public void A_registered_output_shape_unlike_the_models_is_a_shape_mismatch()
    {
        var model = BundledModels.RiskMlp;
        var request = TestModels.Request(model, new long[16]) with { OutputSpec = model.Output with { Shape = [1, 4] } };

        Assert.Equal(FailureReason.InputShapeMismatch, Run(request).Failure?.Reason);
    }

    [Fact]
    public void An_input_range_wider_than_the_models_integer_type_is_a_shape_mismatch()
    {
        var model = BundledModels.Int8Classifier;
        var wide = new TensorSpec(ElementType.Int16, 0, -200, 200, [1, 16]);
        var request = new InferenceRequest(TestModels.Id(model), null, wide, model.Output, new byte[32]);

        Assert.Equal(FailureReason.InputShapeMismatch, Run(request).Failure?.Reason);
    }

    [Fact]
    public void A_wider_wire_type_whose_range_fits_the_model_is_accepted_and_passed_unchanged()
    {
        var model = BundledModels.Int8Classifier;
        var int16 = new TensorSpec(ElementType.Int16, 0, -128, 127, [1, 16]);
        var values = Ramp(16, 15);
        var request = new InferenceRequest(TestModels.Id(model), null, int16, model.Output, TensorCodec.Encode(values, int16));

        var viaInt16 = Run(request);
        var viaInt8 = Run(TestModels.Request(model, values));

        Assert.True(viaInt16.IsSuccess, viaInt16.ToString());
        Assert.Equal(viaInt8.Output, viaInt16.Output);
    }

    [Fact]
    public void Integer_outputs_are_clamped_to_the_registered_range()
    {
        var model = BundledModels.Int8Classifier;
        var narrow = model.Output with { MinValue = -10, MaxValue = 10 };
        var x = Ramp(16, 15);
        var expected = BundledModelTests.Int8Reference(x.Select(v => (sbyte)v).ToArray()).Select(v => Math.Clamp((long)v, -10, 10));

        var result = Run(TestModels.Request(model, x) with { OutputSpec = narrow });

        Assert.Equal(expected, TensorCodec.Decode(result.Output!, narrow));
    }

    [Fact]
    public void An_unknown_model_is_unavailable()
    {
        var model = BundledModels.CreditScorer;
        var request = TestModels.Request(model, new long[8]) with { ModelId = Keccak("no such model") };

        Assert.Equal(FailureReason.ModelFileUnavailable, Run(request).Failure?.Reason);
    }

    [Fact]
    public void A_tampered_file_is_a_hash_mismatch()
    {
        using var dir = new TestModels.TempDir();
        var model = BundledModels.CreditScorer;
        var bytes = TestModels.Bytes(model);
        bytes[^1] ^= 0x80;
        dir.Write(Hex.Encode(TestModels.Id(model)) + ".onnx", bytes);
        using var engine = TestModels.Engine(dir.Path);

        var result = RunOn(engine, TestModels.Request(model, new long[8]));

        var mismatch = Assert.IsType<ModelHashMismatch>(result.Failure);
        Assert.Equal(Hex.Encode(TestModels.Id(model)), mismatch.ExpectedHash);
    }

    [Fact]
    public void A_file_onnx_runtime_cannot_load_is_an_inference_error()
    {
        using var dir = new TestModels.TempDir();
        byte[] garbage = [0x08, 0x08, 0x42, 0x01, 0xFF, 0xFF];
        dir.Write("garbage.onnx", garbage);
        using var engine = TestModels.Engine(dir.Path);
        var model = BundledModels.CreditScorer;

        var result = RunOn(engine, TestModels.Request(model, new long[8]) with { ModelId = TestModels.Id(garbage) });

        Assert.Equal(FailureReason.InferenceError, result.Failure?.Reason);
    }

    [Fact]
    public void A_failing_run_is_an_inference_error()
    {
        // Identity over a symbolic batch: the model runs [1,4] but the registered output says [2,4].
        var bytes = new OnnxGraphBuilder("identity")
            .Input("x", DataType.Float, -1, 4)
            .Output("y", DataType.Float, -1, 4)
            .Node("Identity", "id", ["x"], ["y"])
            .Build("test");
        using var dir = new TestModels.TempDir();
        dir.Write("identity.onnx", bytes);
        using var engine = TestModels.Engine(dir.Path);
        var input = TestModels.Spec(ElementType.Int32, 0, -10, 10, 1, 4);
        var output = TestModels.Spec(ElementType.Int32, 0, -10, 10, 2, 4);

        var result = RunOn(engine, new InferenceRequest(TestModels.Id(bytes), null, input, output, new byte[16]));

        Assert.Equal(FailureReason.InferenceError, result.Failure?.Reason);
    }

    [Fact]
    public void NaN_output_fails_as_not_finite_and_infinity_saturates()
    {
        // log(x): log(-1) = NaN, log(0) = -inf, log(1) = 0.
        var bytes = new OnnxGraphBuilder("log")
            .Input("x", DataType.Float, 1, 1)
            .Output("y", DataType.Float, 1, 1)
            .Node("Log", "log", ["x"], ["y"])
            .Build("test");
        using var dir = new TestModels.TempDir();
        dir.Write("log.onnx", bytes);
        using var engine = TestModels.Engine(dir.Path);
        var input = TestModels.Spec(ElementType.Int32, 0, -10, 10, 1, 1);
        var output = TestModels.Spec(ElementType.Int32, 6, -1_000_000, 1_000_000, 1, 1);
        InferenceResult RunLog(long x) => RunOn(engine, new InferenceRequest(TestModels.Id(bytes), null, input, output, TensorCodec.Encode([x], input)));

        Assert.Equal(FailureReason.OutputNotFinite, RunLog(-1).Failure?.Reason);
        Assert.Equal([-1_000_000L], TensorCodec.Decode(RunLog(0).Output!, output));
        Assert.Equal([0L], TensorCodec.Decode(RunLog(1).Output!, output));
        Assert.Equal([1_000_000L], TensorCodec.Decode(RunLog(10).Output!, output)); // log 10 = 2.30 saturates
    }

    [Fact]
    public void Caller_bugs_throw_argument_exceptions()
    {
        var model = BundledModels.CreditScorer;
        var good = TestModels.Request(model, new long[8]);

        Assert.Throws<ArgumentException>(() => Run(good with { ModelId = new byte[31] }));
        Assert.Throws<ArgumentException>(() => Run(good with { InputSpec = model.Input with { Decimals = 19 } }));
        Assert.Throws<ArgumentException>(() => Run(good with { OutputSpec = model.Output with { MinValue = 5, MaxValue = 4 } }));
        Assert.Throws<ArgumentNullException>(() => Run(null!));
    }

    [Fact]
    public void Bad_requests_do_not_poison_later_good_ones()
    {
        var model = BundledModels.RiskMlp;
        var good = TestModels.Request(model, Ramp(16, 777));
        var expected = Run(good).Output;

        Run(good with { Input = new byte[3] });
        Run(TestModels.Request(model, Enumerable.Repeat(2_000_000L, 16).ToArray()));

        Assert.Equal(expected, Run(good).Output);
    }

    private static byte[] Keccak(string text) => Ethereum.Crypto.Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(text));
}
