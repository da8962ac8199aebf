using System.Text.Json;
using CsCheck;
using Microsoft.ML.OnnxRuntime;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.ModelBuilder;

namespace OpenGradient.Oracle.Inference.Tests;

/// <summary>
/// The committed models are what the builder produces, and ONNX Runtime computes on them what the builder's weights
/// say (checked against a plain C# re-implementation in double precision).
/// </summary>
public sealed class BundledModelTests : IDisposable
{
    private readonly SessionOptions _options = ModelStore.CreateSessionOptions();
    private readonly Dictionary<string, InferenceSession> _sessions = [];

    private InferenceSession Session(BundledModel model)
    {
        if (!_sessions.TryGetValue(model.FileName, out var session))
            _sessions[model.FileName] = session = new InferenceSession(TestModels.Bytes(model), _options);
        return session;
    }

    public void Dispose()
    {
        foreach (var s in _sessions.Values) s.Dispose();
        _options.Dispose();
    }

    [Fact]
    public void Regenerating_the_models_gives_the_committed_bytes()
    {
        var rendered = ModelCatalog.Render();
        Assert.Equal(4, rendered.Count);
        foreach (var (name, bytes) in rendered)
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(TestModels.Directory, name))),
                $"{name} differs from the committed file: run `dotnet run --project src/OpenGradient.Oracle.ModelBuilder -- --out models`");
    }

    [Fact]
    public void Rendering_twice_gives_the_same_bytes()
    {
        var a = ModelCatalog.Render();
        var b = ModelCatalog.Render();
        Assert.Equal(a.Select(f => Convert.ToHexString(f.Bytes)), b.Select(f => Convert.ToHexString(f.Bytes)));
    }

    [Fact]
    public void Models_json_lists_each_file_with_its_keccak_and_specs()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestModels.Directory, "models.json")));
        var entries = json.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(BundledModels.All.Count, entries.Count);
        foreach (var (model, entry) in BundledModels.All.Zip(entries))
        {
            Assert.Equal(model.FileName, entry.GetProperty("file").GetString());
            Assert.Equal(Hex.Encode(Keccak256.Hash(TestModels.Bytes(model))), entry.GetProperty("modelId").GetString());
            var input = entry.GetProperty("input");
            Assert.Equal((int)model.Input.ElementType, input.GetProperty("elementType").GetInt32());
            Assert.Equal(model.Input.ByteLength, input.GetProperty("byteLength").GetInt64());
            Assert.Equal(model.Output.Shape, entry.GetProperty("output").GetProperty("shape").EnumerateArray().Select(e => e.GetUInt32()));
            Assert.Null(model.Input.Validate());
            Assert.Null(model.Output.Validate());
        }
    }

    [Fact]
    public void Risk_mlp_specs_take_64_and_32_bytes()
    {
        Assert.Equal(64, BundledModels.RiskMlp.Input.ByteLength);
        Assert.Equal(32, BundledModels.RiskMlp.Output.ByteLength);
    }

    private static readonly Gen<long[]> Features8 = Gen.Long[-1_000_000, 1_000_000].Array[8];
    private static readonly Gen<long[]> Features16 = Gen.Long[-1_000_000, 1_000_000].Array[16];
    private static readonly Gen<long[]> Small16 = Gen.Long[-30_000, 30_000].Array[16];

    [Fact]
    public void Credit_scorer_computes_the_sigmoid_of_the_linear_score()
    {
        var session = Session(BundledModels.CreditScorer);
        Features8.Sample(q =>
        {
            var x = q.Select(v => FixedPoint.ToFloat32(v, 4)).ToArray();
            var actual = RunFloat(session, x, [1, 8])[0];
            double logit = BundledModels.CreditBias[0], magnitude = 0;
            for (var i = 0; i < 8; i++)
            {
                logit += (double)x[i] * BundledModels.CreditWeights[i];
                magnitude += Math.Abs((double)x[i] * BundledModels.CreditWeights[i]);
            }
            var expected = 1 / (1 + Math.Exp(-logit));
            Assert.InRange(actual, expected - (1e-6 + 1e-7 * magnitude), expected + (1e-6 + 1e-7 * magnitude));
        }, iter: 300);
    }

    [Fact]
    public void Risk_mlp_computes_softmax_of_the_two_layer_network()
    {
        var session = Session(BundledModels.RiskMlp);
        foreach (var gen in new[] { Small16, Features16 })
        {
            gen.Sample(q =>
            {
                var x = q.Select(v => FixedPoint.ToFloat32(v, 4)).ToArray();
                var actual = RunFloat(session, x, [1, 16]);
                var (expected, magnitude) = RiskMlpReference(x);
                Assert.Equal(1.0, actual.Sum(v => (double)v), 1e-5);
                for (var k = 0; k < 8; k++)
                {
                    var tolerance = 1e-6 + 1e-6 * magnitude;
                    Assert.InRange(actual[k], expected[k] - tolerance, expected[k] + tolerance);
                }
            }, iter: 200);
        }
    }

    [Fact]
    public void Int8_classifier_is_exactly_the_integer_matrix_product_plus_bias()
    {
        var session = Session(BundledModels.Int8Classifier);
        Gen.SByte.Array[16].Sample(x =>
        {
            using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 16]);
            using var outputs = session.Run(new RunOptions(), ["features"], [input], ["scores"]);
            var actual = outputs[0].GetTensorDataAsSpan<int>().ToArray();
            Assert.Equal(Int8Reference(x), actual);
        }, iter: 500);
    }

    [Fact]
    public void Int8_classifier_through_the_engine_matches_the_reference_exactly()
    {
        using var engine = TestModels.Engine();
        Gen.Long[-128, 127].Array[16].Sample(q =>
        {
            var result = engine.RunAsync(TestModels.Request(BundledModels.Int8Classifier, q)).AsTask().GetAwaiter().GetResult();
            Assert.True(result.IsSuccess, result.ToString());
            var expected = Int8Reference(q.Select(v => (sbyte)v).ToArray()).Select(v => (long)v).ToArray();
            Assert.Equal(expected, TensorCodec.Decode(result.Output, BundledModels.Int8Classifier.Output));
        }, iter: 300);
    }

    [Fact]
    public void Float_models_through_the_engine_match_the_quantized_reference_within_float_tolerance()
    {
        using var engine = TestModels.Engine();
        Features16.Sample(q =>
        {
            var result = engine.RunAsync(TestModels.Request(BundledModels.RiskMlp, q)).AsTask().GetAwaiter().GetResult();
            Assert.True(result.IsSuccess, result.ToString());
            var (expected, magnitude) = RiskMlpReference(q.Select(v => FixedPoint.ToFloat32(v, 4)).ToArray());
            var actual = TensorCodec.Decode(result.Output, BundledModels.RiskMlp.Output);
            // Float error before quantization (as in the raw test) plus one unit of rounding.
            var units = (long)Math.Ceiling((1e-6 + 1e-6 * magnitude) * 1e6) + 1;
            for (var k = 0; k < 8; k++)
            {
                var centre = (long)Math.Round(expected[k] * 1e6);
                Assert.InRange(actual[k], centre - units, centre + units);
            }
        }, iter: 200);
    }

    internal static int[] Int8Reference(sbyte[] x)
    {
        var y = new int[4];
        for (var k = 0; k < 4; k++)
        {
            var acc = BundledModels.Int8Bias[k];
            for (var i = 0; i < 16; i++) acc += x[i] * BundledModels.Int8Weights[i * 4 + k];
            y[k] = acc;
        }
        return y;
    }

    private static (double[] Probabilities, double Magnitude) RiskMlpReference(float[] x)
    {
        var h = new double[16];
        double magnitude = 0;
        for (var j = 0; j < 16; j++)
        {
            double acc = BundledModels.RiskB1[j];
            for (var i = 0; i < 16; i++)
            {
                acc += (double)x[i] * BundledModels.RiskW1[i * 16 + j];
                magnitude += Math.Abs((double)x[i] * BundledModels.RiskW1[i * 16 + j]);
            }
            h[j] = Math.Max(0, acc);
        }
        var logits = new double[8];
        for (var k = 0; k < 8; k++)
        {
            double acc = BundledModels.RiskB2[k];
            for (var j = 0; j < 16; j++) acc += h[j] * BundledModels.RiskW2[j * 8 + k];
            logits[k] = acc;
        }
        var max = logits.Max();
        var exps = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exps.Sum();
        return (exps.Select(e => e / sum).ToArray(), magnitude);
    }

    private static float[] RunFloat(InferenceSession session, float[] x, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
