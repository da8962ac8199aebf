using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Inference;

/// <summary>A verified ONNX session plus, per registered (input, output) spec pair, a checked execution plan.</summary>
internal sealed class LoadedModel : IDisposable
{
    private readonly ConcurrentDictionary<(TensorSpec Input, TensorSpec Output), PlanOrFailure> _plans = new();
    private volatile PlanOrFailure? _last;

    public LoadedModel(string id, InferenceSession session)
    {
        Id = id;
        Session = session;
    }

    public string Id { get; }

    public InferenceSession Session { get; }

    /// <summary>The plan for these specs, built once. A spec pair that does not fit the model yields a cached failure.</summary>
    public PlanOrFailure GetPlan(TensorSpec input, TensorSpec output)
    {
        // Fast path: the same spec objects as last time (the caller usually caches its registry reads).
        var last = _last;
        if (last is not null && ReferenceEquals(last.Input, input) && ReferenceEquals(last.Output, output)) return last;
        var plan = _plans.GetOrAdd((input, output), static (specs, model) => model.CreatePlan(specs.Input, specs.Output), this);
        _last = plan;
        return plan;
    }

    private PlanOrFailure CreatePlan(TensorSpec input, TensorSpec output)
    {
        if (input.Validate() is { } inError) throw new ArgumentException($"input spec is invalid: {inError}", nameof(input));
        if (output.Validate() is { } outError) throw new ArgumentException($"output spec is invalid: {outError}", nameof(output));

        if (Session.InputMetadata.Count != 1 || Session.OutputMetadata.Count != 1)
            return Fail(input, output, $"the model has {Session.InputMetadata.Count} inputs and {Session.OutputMetadata.Count} outputs; exactly one of each is supported");
        var (inName, inMeta) = Session.InputMetadata.First();
        var (outName, outMeta) = Session.OutputMetadata.First();

        if (Check("input", inMeta, input) is { } inMismatch) return Fail(input, output, inMismatch);
        if (Check("output", outMeta, output) is { } outMismatch) return Fail(input, output, outMismatch);

        var inType = inMeta.ElementDataType;
        if (inType != TensorElementType.Float)
        {
            var (min, max) = IntegerRange(inType);
            if (input.MinValue < min || input.MaxValue > max)
                return Fail(input, output, $"the registered input range [{input.MinValue}, {input.MaxValue}] does not fit the model's {inType} input");
        }
        return new PlanOrFailure(input, output, new ExecutionPlan(input, output, inName, inType, outName, outMeta.ElementDataType), null);
    }

    private static string? Check(string role, NodeMetadata meta, TensorSpec spec)
    {
        if (!meta.IsTensor) return $"the model's {role} is not a tensor";
        var type = meta.ElementDataType;
        if (type is not (TensorElementType.Float or TensorElementType.Int8 or TensorElementType.Int16 or TensorElementType.Int32 or TensorElementType.Int64))
            return $"the model's {role} has element type {type}; float32, int8, int16, int32 and int64 are supported";
        var dims = meta.Dimensions;
        var same = dims.Length == spec.Shape.Count;
        for (var i = 0; same && i < dims.Length; i++) same = dims[i] < 0 || dims[i] == spec.Shape[i];
        return same ? null : $"the registered {role} shape [{string.Join(",", spec.Shape)}] does not match the model's [{string.Join(",", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
    }

    private static (long Min, long Max) IntegerRange(TensorElementType type) => type switch
    {
        TensorElementType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        TensorElementType.Int16 => (short.MinValue, short.MaxValue),
        TensorElementType.Int32 => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static PlanOrFailure Fail(TensorSpec input, TensorSpec output, string detail) =>
        new(input, output, null, new InferenceFailure(FailureReason.InputShapeMismatch, detail));

    public void Dispose()
    {
        foreach (var plan in _plans.Values) plan.Plan?.Dispose();
        Session.Dispose();
    }
}

internal sealed record PlanOrFailure(TensorSpec Input, TensorSpec Output, ExecutionPlan? Plan, InferenceFailure? Failure);
