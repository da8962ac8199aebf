using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using System.Text;

namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>Selectors and topics from canonical signatures such as <c>transfer(address,uint256)</c>.</summary>
public static class AbiSignature
{
    public static string Of(string name, IEnumerable<AbiParameter> inputs) =>
        name + "(" + AbiType.JoinNames(inputs.Select(p => p.Type)) + ")";

    /// <summary>The first 4 bytes of keccak256(signature).</summary>
    public static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];

    /// <summary>keccak256(signature): topic0 of a non-anonymous event.</summary>
    public static byte[] Topic(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature));
}

/// <summary>A function of a contract ABI.</summary>
public sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        StateMutability = stateMutability;
        Signature = AbiSignature.Of(name, inputs);
        Selector = AbiSignature.Selector(Signature);
        InputTypes = inputs.Select(p => p.Type).ToArray();
        OutputTypes = outputs.Select(p => p.Type).ToArray();
    }

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public IReadOnlyList<AbiParameter> Outputs { get; }
    public IReadOnlyList<AbiType> InputTypes { get; }
    public IReadOnlyList<AbiType> OutputTypes { get; }
    public string StateMutability { get; }
    public string Signature { get; }
    public byte[] Selector { get; }

    /// <summary>
    /// Selector followed by the encoded arguments: calldata. Beware C# params: a single <c>object?[]</c> argument is
    /// taken as the argument list itself; wrap it (<c>EncodeCall([array])</c>) when the function takes one array or tuple.
    /// </summary>
    public byte[] EncodeCall(params object?[] arguments) => AbiEncoder.Encode(InputTypes, arguments, Selector);

    /// <summary>Decodes calldata (selector included) back into arguments.</summary>
    public IReadOnlyList<object?> DecodeCall(ReadOnlySpan<byte> calldata)
    {
        if (calldata.Length < 4 || !calldata[..4].SequenceEqual(Selector))
            throw new AbiDecodingException($"calldata does not start with the selector of {Signature}");
        return AbiDecoder.Decode(InputTypes, calldata[4..]);
    }

    public IReadOnlyList<object?> DecodeOutput(ReadOnlySpan<byte> returnData) => AbiDecoder.Decode(OutputTypes, returnData);

    public override string ToString() => Signature;
}

/// <summary>A custom error of a contract ABI (also <c>Error(string)</c> and <c>Panic(uint256)</c>).</summary>
public sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        Signature = AbiSignature.Of(name, inputs);
        Selector = AbiSignature.Selector(Signature);
        InputTypes = inputs.Select(p => p.Type).ToArray();
    }

    /// <summary><c>Error(string)</c>: what <c>require(cond, "reason")</c> reverts with.</summary>
    public static AbiError ErrorString { get; } = new("Error", [new AbiParameter("message", AbiType.String, false, "string", [])]);

    /// <summary><c>Panic(uint256)</c>: assertion failures, overflow, division by zero.</summary>
    public static AbiError Panic { get; } = new("Panic", [new AbiParameter("code", AbiType.UInt256, false, "uint256", [])]);

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public IReadOnlyList<AbiType> InputTypes { get; }
    public string Signature { get; }
    public byte[] Selector { get; }

    public byte[] Encode(params object?[] arguments) => AbiEncoder.Encode(InputTypes, arguments, Selector);

    public IReadOnlyList<object?> DecodeArguments(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !revertData[..4].SequenceEqual(Selector))
            throw new AbiDecodingException($"revert data does not start with the selector of {Signature}");
        return AbiDecoder.Decode(InputTypes, revertData[4..]);
    }

    public override string ToString() => Signature;
}

/// <summary>An event of a contract ABI.</summary>
public sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous)
    {
        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = AbiSignature.Of(name, inputs);
        Topic0 = AbiSignature.Topic(Signature);
        _dataTypes = inputs.Where(p => !p.Indexed).Select(p => p.Type).ToArray();
    }

    private readonly AbiType[] _dataTypes;

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public bool Anonymous { get; }
    public string Signature { get; }
    public byte[] Topic0 { get; }

    /// <summary>
    /// Decodes a log into the event's inputs in declaration order. An indexed <c>string</c>, <c>bytes</c>, array or
    /// tuple is stored on-chain only as keccak256 of its encoding: its value here is that 32-byte hash (<c>byte[]</c>).
    /// </summary>
    public DecodedEvent DecodeLog(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var first = Anonymous ? 0 : 1;
        var indexedCount = Inputs.Count(p => p.Indexed);
        if (topics.Count != first + indexedCount)
            throw new AbiDecodingException($"{Signature} has {first + indexedCount} topics, the log has {topics.Count}");
        if (!Anonymous && !topics[0].AsSpan().SequenceEqual(Topic0))
            throw new AbiDecodingException($"topic0 is not the topic of {Signature}");
        var dataValues = AbiDecoder.Decode(_dataTypes, data);
        var values = new object?[Inputs.Count];
        int topic = first, dataIndex = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed)
            {
                values[i] = dataValues[dataIndex++];
                continue;
            }
            var t = topics[topic++];
            if (t is null || t.Length != 32) throw new AbiDecodingException($"topic {topic - 1} is not 32 bytes");
            values[i] = IsHashedWhenIndexed(p.Type) ? t.ToArray() : AbiDecoder.Decode(p.Type, t);
        }
        return new DecodedEvent(this, values);
    }

    public DecodedEvent DecodeLog(IReadOnlyList<string> topics, string data) =>
        DecodeLog(topics.Select(t => Hex.Decode(t)).ToArray(), Hex.Decode(data));

    /// <summary>
    /// Encodes a log as Solidity's <c>emit</c> would: topic0 (unless anonymous), one topic per indexed input, the
    /// other inputs ABI-encoded as data. Indexed string/bytes are hashed; indexed arrays and tuples are not supported
    /// (their in-place encoding is not ABI encoding).
    /// </summary>
    public (byte[][] Topics, byte[] Data) EncodeLog(IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Inputs.Count) throw new AbiEncodingException($"{Signature} takes {Inputs.Count} values, got {values.Count}");
        var topics = new List<byte[]>();
        if (!Anonymous) topics.Add(Topic0);
        var data = new List<object?>();
        for (var i = 0; i < Inputs.Count; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed)
            {
                data.Add(values[i]);
                continue;
            }
            topics.Add(p.Type.Kind switch
            {
                AbiKind.String => Keccak256.Hash(Encoding.UTF8.GetBytes(values[i] as string ?? throw new AbiEncodingException($"{p.Name}: string needs a string"))),
                AbiKind.Bytes => Keccak256.Hash(values[i] as byte[] ?? throw new AbiEncodingException($"{p.Name}: bytes needs a byte[]")),
                AbiKind.Tuple or AbiKind.FixedArray or AbiKind.DynamicArray => throw new NotSupportedException($"indexed {p.Type} is not supported"),
                _ => AbiEncoder.Encode(p.Type, values[i]),
            });
        }
        return (topics.ToArray(), AbiEncoder.Encode(_dataTypes, data));
    }

    internal static bool IsHashedWhenIndexed(AbiType type) =>
        type.Kind is AbiKind.String or AbiKind.Bytes or AbiKind.Tuple or AbiKind.FixedArray or AbiKind.DynamicArray;

    public override string ToString() => Signature;
}

/// <summary>A decoded log: values in the event's declaration order.</summary>
public sealed record DecodedEvent(AbiEvent Event, IReadOnlyList<object?> Values)
{
    public string Name => Event.Name;

    public object? this[string name]
    {
        get
        {
            for (var i = 0; i < Event.Inputs.Count; i++)
                if (Event.Inputs[i].Name == name) return Values[i];
            throw new KeyNotFoundException($"{Event.Signature} has no input named '{name}'");
        }
    }
}

public enum RevertKind
{
    /// <summary>No revert data at all (<c>revert()</c>, out of gas, a call to a contract without code).</summary>
    Empty,
    /// <summary><c>Error(string)</c>.</summary>
    ErrorString,
    /// <summary><c>Panic(uint256)</c>.</summary>
    Panic,
    /// <summary>A custom error found in the ABI.</summary>
    Custom,
    /// <summary>Data whose selector is not in the ABI, or that does not decode against it.</summary>
    Unknown,
}

/// <summary>Why a call reverted, decoded against an ABI. <see cref="Data"/> always keeps the raw bytes.</summary>
public sealed record RevertReason(RevertKind Kind, AbiError? Error, IReadOnlyList<object?> Arguments, byte[] Data)
{
    public string? Name => Error?.Name;

    public override string ToString() => Kind switch
    {
        RevertKind.Empty => "reverted without data",
        RevertKind.Unknown => "reverted with unknown data " + Hex.Encode(Data),
        _ => $"{Error!.Name}({string.Join(", ", Arguments.Select(Format))})",
    };

    private static string Format(object? v) => v switch
    {
        byte[] b => Hex.Encode(b),
        string s => "\"" + s + "\"",
        IReadOnlyList<object?> l => "[" + string.Join(", ", l.Select(Format)) + "]",
        null => "null",
        _ => v.ToString() ?? "",
    };
}
