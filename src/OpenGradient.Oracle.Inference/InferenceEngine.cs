using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Inference;

/// <summary>
/// decode → range check → convert → ONNX Runtime → quantize → encode, per docs/PROTOCOL.md. Once a model is loaded
/// a run completes synchronously and allocates only the output array (buffers, OrtValues and their
/// session binding are pooled per plan).
/// </summary>
internal sealed class InferenceEngine : IInferenceEngine, IDisposable
{
    private readonly ModelStore _store;
    private readonly ILogger _logger;
    private readonly RunOptions _runOptions = new();

    public InferenceEngine(ModelStore store, ILogger? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public ValueTask<InferenceResult> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.InputSpec);
        ArgumentNullException.ThrowIfNull(request.OutputSpec);
        var key = ModelKey.From(request.ModelId.Span);
        var load = _store.GetAsync(key, request.ModelUri, cancellationToken);
        return load.IsCompletedSuccessfully
            ? new ValueTask<InferenceResult>(Run(load.Result, request))
            : RunAfterLoadAsync(load, request);
    }

    private async ValueTask<InferenceResult> RunAfterLoadAsync(ValueTask<ModelLoad> load, InferenceRequest request) =>
        Run(await load.ConfigureAwait(false), request);

    private InferenceResult Run(ModelLoad load, InferenceRequest request)
    {
        if (load.Model is not { } model) return InferenceResult.Failed(load.Failure!);
        var planOrFailure = model.GetPlan(request.InputSpec, request.OutputSpec);
        if (planOrFailure.Plan is not { } plan) return InferenceResult.Failed(planOrFailure.Failure!);

        var input = request.Input.Span;
        if (input.Length != plan.InputBytes)
            return InferenceResult.Failed(FailureReason.InputMalformed,
                $"input has {input.Length} bytes; the registered spec needs {plan.InputBytes}");

        var context = plan.Rent(model.Session);
        try
        {
            var values = context.Quantized.AsSpan(0, plan.InputCount);
            TensorCodec.DecodeUnchecked(input, plan.InputSpec.ElementType, values);
            long min = plan.InputSpec.MinValue, max = plan.InputSpec.MaxValue;
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] < min || values[i] > max)
                    return InferenceResult.Failed(FailureReason.InputOutOfRange,
                        string.Create(CultureInfo.InvariantCulture, $"input element {i} = {values[i]} is outside [{min}, {max}]"));
            }
            Fill(context.InputBuffer, values, plan.InputSpec.Decimals);

            try
            {
                model.Session.RunWithBinding(_runOptions, context.Binding);
            }
            catch (OnnxRuntimeException e)
            {
                _logger.RunFailed(model.Id, e.Message);
                return InferenceResult.Failed(FailureReason.InferenceError, $"ONNX Runtime failed: {e.Message}");
            }

            var output = context.Quantized.AsSpan(0, plan.OutputCount);
            if (Quantize(context.OutputBuffer, plan.OutputSpec, output) is { } nanIndex)
                return InferenceResult.Failed(FailureReason.OutputNotFinite, $"output element {nanIndex} is NaN");
            var bytes = new byte[plan.OutputBytes];
            TensorCodec.EncodeUnchecked(output, plan.OutputSpec.ElementType, bytes);
            return InferenceResult.Success(bytes);
        }
        finally
        {
            plan.Return(context);
        }
    }

    public void Dispose() => _runOptions.Dispose();

    private static void Fill(Array buffer, ReadOnlySpan<long> values, int decimals)
    {
        switch (buffer)
        {
            case float[] f:
                var scale = FixedPoint.Scale(decimals);
                for (var i = 0; i < values.Length; i++) f[i] = (float)(values[i] / scale);
                break;
            // Integer inputs are passed unchanged; the plan checked that the spec's range fits the ONNX type.
            case sbyte[] b:
                for (var i = 0; i < values.Length; i++) b[i] = (sbyte)values[i];
                break;
            case short[] s:
                for (var i = 0; i < values.Length; i++) s[i] = (short)values[i];
                break;
            case int[] n:
                for (var i = 0; i < values.Length; i++) n[i] = (int)values[i];
                break;
            case long[] l:
                values.CopyTo(l);
                break;
            default:
                throw new InvalidOperationException($"unexpected input buffer {buffer.GetType()}");
        }
    }

    /// <summary>Writes the quantized output into <paramref name="destination"/>; returns the index of a NaN, if any.</summary>
    private static int? Quantize(Array buffer, TensorSpec spec, Span<long> destination)
    {
        long min = spec.MinValue, max = spec.MaxValue;
        switch (buffer)
        {
            case float[] f:
                for (var i = 0; i < destination.Length; i++)
                {
                    if (!FixedPoint.TryQuantize(f[i], spec.Decimals, min, max, out destination[i])) return i;
                }
                break;
            case sbyte[] b:
                for (var i = 0; i < destination.Length; i++) destination[i] = Math.Clamp(b[i], min, max);
                break;
            case short[] s:
                for (var i = 0; i < destination.Length; i++) destination[i] = Math.Clamp(s[i], min, max);
                break;
            case int[] n:
                for (var i = 0; i < destination.Length; i++) destination[i] = Math.Clamp(n[i], min, max);
                break;
            case long[] l:
                for (var i = 0; i < destination.Length; i++) destination[i] = Math.Clamp(l[i], min, max);
                break;
            default:
                throw new InvalidOperationException($"unexpected output buffer {buffer.GetType()}");
        }
        return null;
    }
}
