using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Inference;

namespace OpenGradient.Oracle.Benchmarks.Inference;

/// <summary>
/// Issue 8, inference overhead: the node's whole inference step (model lookup, decode the wire tensor, range-check,
/// convert, run, quantize, encode) against the least ONNX Runtime can do for the same answer: a bare
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// on pre-built input and output OrtValues, with the same session settings, model file and input values. A second
/// baseline, <see cref="BareBoundRun"/>, is the same session run through an <see cref="OrtIoBinding"/> bound once (the
/// way the engine runs): the step's own cost is the difference to it.
/// </summary>
public class InferenceOverheadBenchmarks
{
    private IOracleInference? _oracle;
    private InferenceRequest? _request;
    private InferenceSession? _session;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private OrtIoBinding? _binding;

    public static IEnumerable<string> Models => BundledModel.LoadAll(RepositoryPaths.ModelDirectory).Select(m => m.Name);

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var model = BundledModel.LoadAll(RepositoryPaths.ModelDirectory).Single(m => m.Name == Model);
        var values = model.SampleInput();

        _oracle = OracleInference.Create(new InferenceOptions { ModelDirectory = RepositoryPaths.ModelDirectory });
        _request = new InferenceRequest(model.ModelId, null, model.Input, model.Output, TensorCodec.Encode(values, model.Input));
        var ours = _oracle.RunAsync(_request).AsTask().GetAwaiter().GetResult();
        if (!ours.IsSuccess) throw new InvalidOperationException($"{Model}: the inference step failed: {ours.Failure}");

        // The baseline: same file, same deterministic session settings the node uses, buffers built once.
        _session = new InferenceSession(model.File, ModelStore.CreateSessionOptions());
        _runOptions = new RunOptions();
        var (inputName, inputMeta) = _session.InputMetadata.Single();
        var (outputName, outputMeta) = _session.OutputMetadata.Single();
        _inputNames = [inputName];
        _outputNames = [outputName];
        _inputs = [BareTensors.Input(inputMeta.ElementDataType, values, model.Input)];
        _outputs = [BareTensors.Output(outputMeta.ElementDataType, model.Output)];
        BareSessionRun();
        _binding = _session.CreateIoBinding();
        _binding.BindInput(inputName, _inputs[0]);
        _binding.BindOutput(outputName, _outputs[0]);
        BareBoundRun();

        // Both sides must compute the same thing, or the ratio means nothing.
        var bare = TensorCodec.Encode(BareTensors.Quantize(_outputs[0], model.Output), model.Output);
        if (!bare.AsSpan().SequenceEqual(ours.Output))
            throw new InvalidOperationException($"{Model}: the inference step and the bare session disagree");
    }

    [Benchmark(Baseline = true)]
    public void BareSessionRun() =>
        _session!.Run(_runOptions!, _inputNames, _inputs, _outputNames, _outputs);

    [Benchmark]
    public void BareBoundRun() => _session!.RunWithBinding(_runOptions!, _binding!);

    [Benchmark]
    public byte[]? OracleInferenceStep() => _oracle!.RunAsync(_request!).Result.Output;

    [GlobalCleanup]
    public void Cleanup()
    {
        _binding?.Dispose();
        foreach (var value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
        _oracle?.Dispose();
    }
}

/// <summary>The baseline's tensors, written independently of the engine's own buffers.</summary>
internal static class BareTensors
{
    public static OrtValue Input(TensorElementType type, long[] values, TensorSpec spec)
    {
        var shape = spec.Shape.Select(d => (long)d).ToArray();
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(values.Select(v => FixedPoint.ToFloat32(v, spec.Decimals)).ToArray(), shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(values.Select(v => checked((sbyte)v)).ToArray(), shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(values.Select(v => checked((short)v)).ToArray(), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(values.Select(v => checked((int)v)).ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(values.ToArray(), shape),
            _ => throw new NotSupportedException($"input element type {type}"),
        };
    }

    public static OrtValue Output(TensorElementType type, TensorSpec spec)
    {
        var shape = spec.Shape.Select(d => (long)d).ToArray();
        var count = (int)spec.ElementCount;
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(new float[count], shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(new sbyte[count], shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(new short[count], shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            _ => throw new NotSupportedException($"output element type {type}"),
        };
    }

    /// <summary>The registered fixed-point values of a bare output (docs/PROTOCOL.md rounding), for the agreement check.</summary>
    public static long[] Quantize(OrtValue output, TensorSpec spec)
    {
        var info = output.GetTensorTypeAndShape();
        long Fixed(double y) => FixedPoint.TryQuantize(y, spec.Decimals, spec.MinValue, spec.MaxValue, out var q)
            ? q
            : throw new InvalidOperationException("the bare output is NaN");
        return info.ElementDataType switch
        {
            TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray().Select(f => Fixed(f)).ToArray(),
            TensorElementType.Int8 => output.GetTensorDataAsSpan<sbyte>().ToArray().Select(v => FixedPoint.Clamp(v, spec.MinValue, spec.MaxValue)).ToArray(),
            TensorElementType.Int16 => output.GetTensorDataAsSpan<short>().ToArray().Select(v => FixedPoint.Clamp(v, spec.MinValue, spec.MaxValue)).ToArray(),
            TensorElementType.Int32 => output.GetTensorDataAsSpan<int>().ToArray().Select(v => FixedPoint.Clamp(v, spec.MinValue, spec.MaxValue)).ToArray(),
            TensorElementType.Int64 => output.GetTensorDataAsSpan<long>().ToArray().Select(v => FixedPoint.Clamp(v, spec.MinValue, spec.MaxValue)).ToArray(),
            _ => throw new NotSupportedException($"output element type {info.ElementDataType}"),
        };
    }
}
