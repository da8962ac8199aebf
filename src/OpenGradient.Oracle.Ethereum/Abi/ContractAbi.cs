using System.Text.Json;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>A contract's ABI JSON (the <c>abi</c> array of a Hardhat artifact): functions, events, errors, constructor.</summary>
public sealed class ContractAbi
{
    private readonly Dictionary<string, AbiEvent> _eventsByTopic;
    private readonly Dictionary<uint, AbiError> _errorsBySelector;

    private ContractAbi(string json, IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events,
        IReadOnlyList<AbiError> errors, IReadOnlyList<AbiParameter> constructorInputs)
    {
        Json = json;
        Functions = functions;
        Events = events;
        Errors = errors;
        ConstructorInputs = constructorInputs;
        _eventsByTopic = events.Where(e => !e.Anonymous).GroupBy(e => Hex.Encode(e.Topic0)).ToDictionary(g => g.Key, g => g.First());
        _errorsBySelector = errors.GroupBy(e => Key(e.Selector)).ToDictionary(g => g.Key, g => g.First());
    }

    public string Json { get; }
    public IReadOnlyList<AbiFunction> Functions { get; }
    public IReadOnlyList<AbiEvent> Events { get; }
    public IReadOnlyList<AbiError> Errors { get; }
    public IReadOnlyList<AbiParameter> ConstructorInputs { get; }

    /// <summary>Parses an ABI JSON array, or an object with an <c>abi</c> property (a Hardhat artifact).</summary>
    public static ContractAbi Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object) root = root.GetProperty("abi");
        if (root.ValueKind != JsonValueKind.Array) throw new FormatException("an ABI is a JSON array");
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        IReadOnlyList<AbiParameter> ctor = [];
        foreach (var item in root.EnumerateArray())
        {
            var kind = item.TryGetProperty("type", out var k) ? k.GetString() : "function";
            var name = item.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var inputs = Params(item, "inputs");
            switch (kind)
            {
                case "function":
                    var mutability = item.TryGetProperty("stateMutability", out var m) ? m.GetString() ?? "nonpayable" : "nonpayable";
                    functions.Add(new AbiFunction(name, inputs, Params(item, "outputs"), mutability));
                    break;
                case "event":
                    events.Add(new AbiEvent(name, inputs, item.TryGetProperty("anonymous", out var a) && a.ValueKind == JsonValueKind.True));
                    break;
                case "error":
                    errors.Add(new AbiError(name, inputs));
                    break;
                case "constructor":
                    ctor = inputs;
                    break;
            }
        }
        return new ContractAbi(json, functions, events, errors, ctor);
    }

    private static AbiParameter[] Params(JsonElement item, string property) =>
        item.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(AbiParameter.FromJson).ToArray()
            : [];

    /// <summary>By name (must be unambiguous) or by full signature such as <c>transfer(address,uint256)</c>.</summary>
    public AbiFunction GetFunction(string nameOrSignature) => Find(Functions, nameOrSignature, f => f.Name, f => f.Signature, "function");

    public AbiEvent GetEvent(string nameOrSignature) => Find(Events, nameOrSignature, e => e.Name, e => e.Signature, "event");

    public AbiError GetError(string nameOrSignature) => Find(Errors, nameOrSignature, e => e.Name, e => e.Signature, "error");

    private static T Find<T>(IReadOnlyList<T> items, string key, Func<T, string> name, Func<T, string> signature, string what)
    {
        ArgumentNullException.ThrowIfNull(key);
        var matches = items.Where(i => (key.Contains('(', StringComparison.Ordinal) ? signature(i) : name(i)) == key).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"no {what} '{key}' in this ABI"),
            _ => throw new ArgumentException($"{what} name '{key}' is overloaded; use the full signature", nameof(key)),
        };
    }

    /// <summary>The event whose topic0 is <paramref name="topic0"/>, or null.</summary>
    public AbiEvent? FindEvent(ReadOnlySpan<byte> topic0) =>
        _eventsByTopic.GetValueOrDefault(Hex.Encode(topic0));

    /// <summary>Decodes a log by its topic0; null if the ABI has no such event.</summary>
    public DecodedEvent? DecodeLog(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Count == 0) return null;
        return FindEvent(topics[0])?.DecodeLog(topics, data);
    }

    /// <summary>
    /// Names a revert: a custom error of this ABI, <c>Error(string)</c>, <c>Panic(uint256)</c>, empty, or unknown
    /// (including data that matches a selector but does not decode). Never throws on bad data.
    /// </summary>
    public RevertReason DecodeRevert(ReadOnlySpan<byte> data) => DecodeRevert(data, _errorsBySelector);

    /// <summary>Decodes only the built-in <c>Error(string)</c> and <c>Panic(uint256)</c>.</summary>
    public static RevertReason DecodeBuiltinRevert(ReadOnlySpan<byte> data) => DecodeRevert(data, null);

    private static RevertReason DecodeRevert(ReadOnlySpan<byte> data, Dictionary<uint, AbiError>? custom)
    {
        var raw = data.ToArray();
        if (data.Length == 0) return new RevertReason(RevertKind.Empty, null, [], raw);
        if (data.Length < 4) return new RevertReason(RevertKind.Unknown, null, [], raw);
        var selector = Key(data[..4]);
        var (error, kind) = selector == Key(AbiError.ErrorString.Selector) ? (AbiError.ErrorString, RevertKind.ErrorString)
            : selector == Key(AbiError.Panic.Selector) ? (AbiError.Panic, RevertKind.Panic)
            : custom is not null && custom.TryGetValue(selector, out var e) ? (e, RevertKind.Custom)
            : (null, RevertKind.Unknown);
        if (error is null) return new RevertReason(RevertKind.Unknown, null, [], raw);
        try
        {
            return new RevertReason(kind, error, error.DecodeArguments(data), raw);
        }
        catch (AbiDecodingException)
        {
            return new RevertReason(RevertKind.Unknown, null, [], raw);
        }
    }

    private static uint Key(ReadOnlySpan<byte> selector) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(selector);
}
