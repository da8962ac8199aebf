using System.Numerics;
using System.Text.Json.Nodes;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Tests.Abi;

/// <summary>CsCheck generators for ABI types (nested tuples and arrays, bounded depth and size) and their values.</summary>
internal static class AbiGen
{
    private static readonly string[] Chars = ["a", "Z", "0", " ", "\"", "\\", "é", "ß", "中", "€", "😀", "\n", "\u0000", "x"];

    public static readonly Gen<AbiType> Elementary = Gen.Frequency(
        (3, Gen.Int[1, 32].Select(n => AbiType.UInt(n * 8))),
        (3, Gen.Int[1, 32].Select(n => AbiType.Int(n * 8))),
        (2, Gen.Const(AbiType.Address)),
        (2, Gen.Const(AbiType.Bool)),
        (2, Gen.Int[1, 32].Select(AbiType.FixedBytes)),
        (2, Gen.Const(AbiType.Bytes)),
        (2, Gen.Const(AbiType.String)));

    public static Gen<AbiType> Type(int depth) => depth <= 0
        ? Elementary
        : Gen.Frequency(
            (4, Elementary),
            (1, Type(depth - 1).Select(AbiType.Array)),
            (1, Gen.Select(Type(depth - 1), Gen.Int[1, 3], AbiType.Array)),
            (1, Type(depth - 1).Array[1, 4].Select(c => AbiType.Tuple(c))));

    /// <summary>A tuple of 1..4 top-level types, as function arguments are.</summary>
    public static readonly Gen<AbiType[]> Types = Type(3).Array[1, 4];

    public static Gen<object?> Value(AbiType t) => t.Kind switch
    {
        AbiKind.UInt => UIntValue(t.Size),
        AbiKind.Int => IntValue(t.Size),
        AbiKind.Address => Gen.Byte.Array[20].Select(b => (object?)new Address(b)),
        AbiKind.Bool => Gen.Bool.Select(b => (object?)b),
        AbiKind.FixedBytes => Gen.Byte.Array[t.Size].Select(b => (object?)b),
        AbiKind.Bytes => Gen.Byte.Array[0, 70].Select(b => (object?)b),
        AbiKind.String => Gen.Int[0, Chars.Length - 1].Array[0, 40].Select(ix => (object?)string.Concat(ix.Select(i => Chars[i]))),
        AbiKind.DynamicArray => Value(t.Element!).List[0, 3].Select(l => (object?)l.ToArray()),
        AbiKind.FixedArray => Value(t.Element!).List[t.Size].Select(l => (object?)l.ToArray()),
        AbiKind.Tuple => Values(t.Components).Select(v => (object?)v),
        _ => throw new InvalidOperationException(),
    };

    public static Gen<object?[]> Values(IReadOnlyList<AbiType> types)
    {
        var gen = Gen.Const(Array.Empty<object?>());
        foreach (var t in types)
            gen = gen.SelectMany(acc => Value(t).Select(v => (object?[])[.. acc, v]));
        return gen;
    }

    public static readonly Gen<(AbiType[] Types, object?[] Values)> Case =
        Types.SelectMany(ts => Values(ts).Select(vs => (ts, vs)));

    private static Gen<object?> UIntValue(int bits) => Gen.Frequency(
        (1, Gen.Const((object?)BigInteger.Zero)),
        (1, Gen.Const((object?)((BigInteger.One << bits) - 1))),
        (6, Gen.Byte.Array[1, bits / 8].Select(b => (object?)new BigInteger(b, isUnsigned: true, isBigEndian: true))));

    private static Gen<object?> IntValue(int bits) => Gen.Frequency(
        (1, Gen.Const((object?)(-(BigInteger.One << (bits - 1))))),
        (1, Gen.Const((object?)((BigInteger.One << (bits - 1)) - 1))),
        (1, Gen.Const((object?)BigInteger.MinusOne)),
        (6, Gen.Byte.Array[1, bits / 8].Select(b => (object?)new BigInteger(b, isUnsigned: false, isBigEndian: true))));

    /// <summary>Our C# value as the JSON the bridge speaks (also the canonical form compared against ethers' answers).</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        BigInteger i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Address a => a.ToString(),
        bool b => b,
        byte[] bytes => Hex.Encode(bytes),
        string s => s,
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
        _ => throw new ArgumentException("no JSON form for " + value.GetType()),
    };

    public static string Show(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) =>
        $"types ({string.Join(",", types.Select(t => t.CanonicalName))}) values {ToJson(values.ToArray())!.ToJsonString()}";

    /// <summary>ABI JSON for one parameter: tuples become "tuple" with components, as solc writes them.</summary>
    public static JsonObject ParamJson(AbiType t, string name, bool? indexed = null)
    {
        var o = new JsonObject { ["name"] = name };
        var inner = t;
        var suffix = "";
        while (inner.Kind is AbiKind.DynamicArray or AbiKind.FixedArray)
        {
            suffix = (inner.Kind == AbiKind.DynamicArray ? "[]" : $"[{inner.Size}]") + suffix;
            inner = inner.Element!;
        }
        if (inner.Kind == AbiKind.Tuple)
        {
            o["type"] = "tuple" + suffix;
            o["components"] = new JsonArray(inner.Components.Select((c, i) => (JsonNode?)ParamJson(c, "c" + i)).ToArray());
        }
        else
        {
            o["type"] = t.CanonicalName;
        }
        if (indexed is { } ix) o["indexed"] = ix;
        return o;
    }
}
