using System.Text.Json;

namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>One input or output of a function, event or error, as ABI JSON describes it.</summary>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed, string? InternalType, IReadOnlyList<AbiParameter> Components)
{
    /// <summary>
    /// Reads <c>{ "name", "type", "indexed"?, "internalType"?, "components"? }</c>. A <c>tuple</c> type (also
    /// <c>tuple[]</c>, <c>tuple[2][]</c>) takes its shape from <c>components</c>.
    /// </summary>
    public static AbiParameter FromJson(JsonElement json)
    {
        var name = json.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var typeText = json.GetProperty("type").GetString() ?? throw new FormatException("ABI parameter without a type");
        var indexed = json.TryGetProperty("indexed", out var i) && i.ValueKind == JsonValueKind.True;
        var internalType = json.TryGetProperty("internalType", out var it) && it.ValueKind == JsonValueKind.String ? it.GetString() : null;
        IReadOnlyList<AbiParameter> components = json.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(FromJson).ToArray()
            : [];
        AbiType type;
        if (typeText.StartsWith("tuple", StringComparison.Ordinal))
        {
            var tuple = "(" + AbiType.JoinNames(components.Select(p => p.Type)) + ")";
            type = AbiType.Parse(tuple + typeText["tuple".Length..]);
        }
        else
        {
            type = AbiType.Parse(typeText);
        }
        return new AbiParameter(name, type, indexed, internalType, components);
    }

    /// <summary>For an array of tuples or a tuple: the components of the innermost tuple.</summary>
    public AbiType InnermostElement
    {
        get
        {
            var t = Type;
            while (t.Element is not null) t = t.Element;
            return t;
        }
    }
}
