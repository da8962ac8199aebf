using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.ModelBuilder;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Inference.Tests;

/// <summary>
/// The whole inference step (decode, range check, convert, run, quantize, encode) against a bare
/// <c>InferenceSession.Run</c> with the OrtValue API on the same session settings and input. Target ≤ 1.10×; the
/// step and baselines alternate over several rounds and the best of each is compared, which keeps the shared
/// cores' noise out; all ratios are printed.
/// </summary>
[Collection(nameof(TimingCollection))]
public sealed class OverheadTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Performance")]
    [InlineData("risk-mlp.onnx")]
    [InlineData("int8-classifier.onnx")]
    public async Task The_inference_step_costs_little_more_than_a_bare_session_run(string file)
    {
        var model = BundledModels.All.Single(m => m.FileName == file);
        using var engine = TestModels.Engine();
        var values = Enumerable.Range(0, (int)model.Input.ElementCount).Select(i => (long)(i * 7 - 50)).ToArray();
        var request = TestModels.Request(model, values);
        Assert.True((await engine.RunAsync(request)).IsSuccess);

        using var options = ModelStore.CreateSessionOptions();
        using var session = new InferenceSession(TestModels.Bytes(model), options);
        using var runOptions = new RunOptions();
        using var input = model == BundledModels.Int8Classifier
            ? OrtValue.CreateTensorValueFromMemory(values.Select(v => (sbyte)v).ToArray(), [1, 16])
            : OrtValue.CreateTensorValueFromMemory(values.Select(v => FixedPoint.ToFloat32(v, 4)).ToArray(), [1, 16]);
        string[] inNames = [session.InputNames[0]], outNames = [session.OutputNames[0]];
        OrtValue[] inputs = [input];
        long sink = 0;
        void Bare()
        {
            using var outputs = session.Run(runOptions, inNames, inputs, outNames);
            sink += outputs[0].GetTensorTypeAndShape().ElementCount;
        }
        using var preBound = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance,
            session.OutputMetadata[outNames[0]].ElementDataType, [.. model.Output.Shape.Select(d => (long)d)]);
        OrtValue[] outputsPreBound = [preBound];
        void BarePreBound() => session.Run(runOptions, inNames, inputs, outNames, outputsPreBound);
        void Step() => sink += RunSync(engine, request).Output!.Length;

        const int n = 5_000;
        double bestBare = double.MaxValue, bestPreBound = double.MaxValue, bestStep = double.MaxValue, ratio;
        var attempts = 0;
        do
        {
            // Other processes share the cores: keep the best of many short alternating rounds, and measure again
            // (at most three times) before calling a slow result real.
            for (var round = 0; round < 15; round++)
            {
                bestBare = Math.Min(bestBare, Time(Bare, n));
                bestPreBound = Math.Min(bestPreBound, Time(BarePreBound, n));
                bestStep = Math.Min(bestStep, Time(Step, n));
            }
            ratio = bestStep / bestBare;
        } while (ratio > Limit && ++attempts < 3);
        output.WriteLine($"{file}: bare Run {bestBare * 1e6:F2} µs, bare Run into a pre-bound output {bestPreBound * 1e6:F2} µs, " +
                         $"inference step {bestStep * 1e6:F2} µs; step/bare {ratio:F3}, step/pre-bound {bestStep / bestPreBound:F3} (sink {sink})");
        // The step binds its outputs to pooled buffers, which is why it usually beats the allocating bare Run.
        Assert.True(ratio <= Limit, $"inference step is {ratio:F2}× a bare run");
    }

    [Fact]
    public async Task A_run_on_a_loaded_model_allocates_little_more_than_its_result()
    {
        using var engine = TestModels.Engine();
        var request = TestModels.Request(BundledModels.RiskMlp, new long[16]);
        Assert.True((await engine.RunAsync(request)).IsSuccess);
        for (var i = 0; i < 100; i++) RunSync(engine, request);

        const int n = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++) RunSync(engine, request);
        var perRun = (GC.GetAllocatedBytesForCurrentThread() - before) / n;

        output.WriteLine($"{perRun} bytes allocated per run");
        Assert.True(perRun <= 512, $"{perRun} bytes allocated per run");
    }

#if DEBUG
    private const double Limit = 2.0; // unoptimised code: only a sanity bound; the 1.10 target is checked in Release
#else
    private const double Limit = 1.10;
#endif

    private static InferenceResult RunSync(IInferenceEngine engine, InferenceRequest request)
    {
        var pending = engine.RunAsync(request);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private static double Time(Action action, int n)
    {
        for (var i = 0; i < 1000; i++) action();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) action();
        return sw.Elapsed.TotalSeconds / n;
    }
}

/// <summary>Timing tests run alone, not alongside the rest of the suite.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;
