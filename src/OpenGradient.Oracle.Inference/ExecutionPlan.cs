using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Inference;

/// <summary>
/// Everything that does not change between requests for one model and spec pair: names, shapes, element types and a
/// pool of run contexts (pinned input/output buffers with OrtValues over them), so a run allocates only its result.
/// </summary>
internal sealed class ExecutionPlan : IDisposable
{
    private readonly ConcurrentBag<RunContext> _pool = [];
    private RunContext? _spare; // the common single-threaded case never touches the bag

    public ExecutionPlan(TensorSpec input, TensorSpec output, string inputName, TensorElementType inputType, string outputName, TensorElementType outputType)
    {
        InputSpec = input;
        OutputSpec = output;
        InputType = inputType;
        OutputType = outputType;
        InputNames = [inputName];
        OutputNames = [outputName];
        InputShape = input.Shape.Select(d => (long)d).ToArray();
        OutputShape = output.Shape.Select(d => (long)d).ToArray();
        InputCount = (int)input.ElementCount;
        OutputCount = (int)output.ElementCount;
        InputBytes = (int)input.ByteLength;
        OutputBytes = (int)output.ByteLength;
    }

    public TensorSpec InputSpec { get; }
    public TensorSpec OutputSpec { get; }
    public TensorElementType InputType { get; }
    public TensorElementType OutputType { get; }
    public string[] InputNames { get; }
    public string[] OutputNames { get; }
    public long[] InputShape { get; }
    public long[] OutputShape { get; }
    public int InputCount { get; }
    public int OutputCount { get; }
    public int InputBytes { get; }
    public int OutputBytes { get; }

    public RunContext Rent(InferenceSession session) =>
        Interlocked.Exchange(ref _spare, null) ?? (_pool.TryTake(out var context) ? context : new RunContext(this, session));

    public void Return(RunContext context)
    {
        if (Interlocked.CompareExchange(ref _spare, context, null) is not null) _pool.Add(context);
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _spare, null)?.Dispose();
        while (_pool.TryTake(out var context)) context.Dispose();
    }
}

/// <summary>
/// Buffers for one run at a time. The OrtValues pin their arrays for their whole lifetime, and they are bound to the
/// session once (<see cref="OrtIoBinding"/>), so a run passes no names or values across the native boundary: plain
/// <c>InferenceSession.Run</c> converts every name to UTF-8 and looks it up again on each call.
/// </summary>
internal sealed class RunContext : IDisposable
{
    private readonly OrtValue _input;
    private readonly OrtValue _output;

    public RunContext(ExecutionPlan plan, InferenceSession session)
    {
        Quantized = new long[Math.Max(plan.InputCount, plan.OutputCount)];
        (InputBuffer, _input) = Create(plan.InputType, plan.InputCount, plan.InputShape);
        (OutputBuffer, _output) = Create(plan.OutputType, plan.OutputCount, plan.OutputShape);
        Binding = session.CreateIoBinding();
        Binding.BindInput(plan.InputNames[0], _input);
        Binding.BindOutput(plan.OutputNames[0], _output);
    }

    /// <summary>Scratch space for decoded input values and quantized output values.</summary>
    public long[] Quantized { get; }

    /// <summary>float[], sbyte[], short[], int[] or long[] matching the ONNX element type.</summary>
    public Array InputBuffer { get; }

    public Array OutputBuffer { get; }

    /// <summary>The input and output buffers, bound to the plan's session by name.</summary>
    public OrtIoBinding Binding { get; }

    private static (Array, OrtValue) Create(TensorElementType type, int count, long[] shape) => type switch
    {
        TensorElementType.Float => Wrap(new float[count], shape),
        TensorElementType.Int8 => Wrap(new sbyte[count], shape),
        TensorElementType.Int16 => Wrap(new short[count], shape),
        TensorElementType.Int32 => Wrap(new int[count], shape),
        TensorElementType.Int64 => Wrap(new long[count], shape),
        _ => throw new NotSupportedException($"element type {type}"),
    };

    private static (Array, OrtValue) Wrap<T>(T[] buffer, long[] shape) where T : unmanaged =>
        (buffer, OrtValue.CreateTensorValueFromMemory(buffer, shape));

    public void Dispose()
    {
        Binding.Dispose();
        _input.Dispose();
        _output.Dispose();
    }
}
