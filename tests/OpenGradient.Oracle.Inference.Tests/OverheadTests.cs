using Microsoft.ML.OnnxRuntime;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.ModelBuilder;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Inference.Tests;

/// <summary>
/// Allocation of the inference step (counted bytes, not time: speed targets live in ./scripts/bench.sh).
/// </summary>
[Collection(nameof(TimingCollection))]
public sealed class OverheadTests(ITestOutputHelper output)
{
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

    private static InferenceResult RunSync(IInferenceEngine engine, InferenceRequest request)
    {
        var pending = engine.RunAsync(request);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>Timing tests run alone, not alongside the rest of the suite.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;
