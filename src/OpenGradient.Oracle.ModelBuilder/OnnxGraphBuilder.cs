using System.Buffers.Binary;
using Google.Protobuf;
using OpenGradient.Oracle.ModelBuilder.Onnx;

namespace OpenGradient.Oracle.ModelBuilder;

/// <summary>
/// Assembles a single-graph ONNX model (IR version 8, default opset 17). Weights go into <c>raw_data</c>, little-endian
/// as the ONNX spec requires. Nothing time- or machine-dependent is written, so the bytes are stable.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const long IrVersion = 8;
    public const long Opset = 17;

    private readonly GraphProto _graph;

    public OnnxGraphBuilder(string graphName) => _graph = new GraphProto { Name = graphName };

    public OnnxGraphBuilder Input(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        _graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraphBuilder Output(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        _graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraphBuilder Initializer(string name, float[] values, params long[] shape)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        return AddInitializer(name, TensorProto.Types.DataType.Float, raw, shape, values.Length);
    }

    public OnnxGraphBuilder Initializer(string name, sbyte[] values, params long[] shape)
    {
        var raw = new byte[values.Length];
        for (var i = 0; i < values.Length; i++) raw[i] = unchecked((byte)values[i]);
        return AddInitializer(name, TensorProto.Types.DataType.Int8, raw, shape, values.Length);
    }

    public OnnxGraphBuilder Initializer(string name, int[] values, params long[] shape)
    {
        var raw = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * 4), values[i]);
        return AddInitializer(name, TensorProto.Types.DataType.Int32, raw, shape, values.Length);
    }

    public OnnxGraphBuilder Node(string opType, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public byte[] Build(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "OpenGradient.Oracle.ModelBuilder",
            ProducerVersion = "1",
            ModelVersion = 1,
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private OnnxGraphBuilder AddInitializer(string name, TensorProto.Types.DataType type, byte[] raw, long[] shape, int count)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != count)
            throw new ArgumentException($"initializer {name}: {count} values do not fill shape [{string.Join(",", shape)}]");
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(shape);
        _graph.Initializer.Add(tensor);
        return this;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        // A negative dimension is symbolic ("N"); the bundled models use fixed shapes only.
        foreach (var d in shape)
            tensorShape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
