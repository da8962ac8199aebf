using System.Text;

namespace OpenGradient.Oracle.Ethereum.Abi;

public enum AbiKind
{
    UInt,
    Int,
    Address,
    Bool,
    FixedBytes,
    Bytes,
    String,
    FixedArray,
    DynamicArray,
    Tuple,
}

/// <summary>
/// A Solidity ABI v2 type. Parsed from a canonical type string (<c>uint256</c>, <c>(address,bytes32[])[2]</c>) or from
/// an ABI JSON parameter (see <see cref="AbiParameter"/>). Immutable; equality is by canonical name.
/// </summary>
/// <remarks>
/// C# value mapping used by <see cref="AbiEncoder"/> and <see cref="AbiDecoder"/>:
/// <list type="bullet">
/// <item><c>uintN</c>, <c>intN</c>: <see cref="System.Numerics.BigInteger"/> (the encoder also takes any integral primitive).</item>
/// <item><c>address</c>: <see cref="Primitives.Address"/>.</item>
/// <item><c>bool</c>: <see cref="bool"/>.</item>
/// <item><c>bytesN</c>, <c>bytes</c>: <c>byte[]</c> (bytesN exactly N bytes long).</item>
/// <item><c>string</c>: <see cref="string"/> (UTF-8 on the wire).</item>
/// <item><c>T[k]</c>, <c>T[]</c>, tuples: decoded as <c>IReadOnlyList&lt;object?&gt;</c>; the encoder takes any <see cref="System.Collections.IEnumerable"/>.</item>
/// </list>
/// </remarks>
public sealed class AbiType : IEquatable<AbiType>
{
    private AbiType(AbiKind kind, int size, AbiType? element, IReadOnlyList<AbiType>? components)
    {
        Kind = kind;
        Size = size;
        Element = element;
        Components = components ?? [];
        CanonicalName = BuildName();
        IsDynamic = kind switch
        {
            AbiKind.Bytes or AbiKind.String or AbiKind.DynamicArray => true,
            AbiKind.FixedArray => element!.IsDynamic,
            AbiKind.Tuple => Components.Any(c => c.IsDynamic),
            _ => false,
        };
        HeadSize = IsDynamic ? 32 : kind switch
        {
            AbiKind.FixedArray => checked(size * element!.HeadSize),
            AbiKind.Tuple => Components.Sum(c => c.HeadSize),
            _ => 32,
        };
    }

    public AbiKind Kind { get; }

    /// <summary>Bits for ints, bytes for bytesN, length for T[k]; 0 otherwise.</summary>
    public int Size { get; }

    /// <summary>The element type of an array.</summary>
    public AbiType? Element { get; }

    /// <summary>The component types of a tuple.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    public string CanonicalName { get; }

    /// <summary>Dynamic types are encoded in the tail and referenced by an offset in the head.</summary>
    public bool IsDynamic { get; }

    /// <summary>Bytes this type takes in the head of its enclosing tuple (32 for a dynamic type's offset).</summary>
    public int HeadSize { get; }

    public static AbiType UInt(int bits) => new(AbiKind.UInt, CheckBits(bits), null, null);
    public static AbiType Int(int bits) => new(AbiKind.Int, CheckBits(bits), null, null);
    public static AbiType Address { get; } = new(AbiKind.Address, 0, null, null);
    public static AbiType Bool { get; } = new(AbiKind.Bool, 0, null, null);
    public static AbiType Bytes { get; } = new(AbiKind.Bytes, 0, null, null);
    public static AbiType String { get; } = new(AbiKind.String, 0, null, null);
    public static AbiType UInt256 { get; } = UInt(256);
    public static AbiType Bytes32 { get; } = FixedBytes(32);

    public static AbiType FixedBytes(int length) =>
        length is >= 1 and <= 32
            ? new(AbiKind.FixedBytes, length, null, null)
            : throw new ArgumentOutOfRangeException(nameof(length), length, "bytesN needs 1 <= N <= 32");

    public static AbiType Array(AbiType element) =>
        new(AbiKind.DynamicArray, 0, element ?? throw new ArgumentNullException(nameof(element)), null);

    public static AbiType Array(AbiType element, int length) =>
        length >= 1
            ? new(AbiKind.FixedArray, length, element ?? throw new ArgumentNullException(nameof(element)), null)
            : throw new ArgumentOutOfRangeException(nameof(length), length, "a fixed array needs length >= 1");

    /// <summary>A tuple; an empty tuple <c>()</c> is allowed (it is what a function without parameters takes).</summary>
    public static AbiType Tuple(IEnumerable<AbiType> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var list = components.ToArray();
        if (list.Any(c => c is null)) throw new ArgumentException("a tuple component is null", nameof(components));
        return new(AbiKind.Tuple, 0, null, list);
    }

    public static AbiType Tuple(params AbiType[] components) => Tuple((IEnumerable<AbiType>)components);

    /// <summary>
    /// Parses a canonical type string. <c>uint</c>/<c>int</c> are accepted as aliases of the 256-bit types; anything
    /// else that is not canonical (<c>uint7</c>, <c>bytes33</c>, <c>T[0]</c>, spaces) is a <see cref="FormatException"/>.
    /// </summary>
    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pos = 0;
        var type = ParseAt(text, ref pos);
        if (pos != text.Length) throw Bad(text, $"unexpected '{text[pos]}' at {pos}");
        return type;
    }

    private static AbiType ParseAt(string s, ref int pos)
    {
        AbiType type;
        if (pos < s.Length && s[pos] == '(')
        {
            pos++;
            var components = new List<AbiType>();
            if (pos < s.Length && s[pos] == ')')
            {
                pos++;
            }
            else
            {
                while (true)
                {
                    components.Add(ParseAt(s, ref pos));
                    if (pos >= s.Length) throw Bad(s, "unclosed tuple");
                    if (s[pos] == ',') { pos++; continue; }
                    if (s[pos] == ')') { pos++; break; }
                    throw Bad(s, $"unexpected '{s[pos]}' at {pos}");
                }
            }
            type = Tuple(components);
        }
        else
        {
            var start = pos;
            while (pos < s.Length && char.IsAsciiLetterOrDigit(s[pos])) pos++;
            type = Elementary(s, s[start..pos]);
        }

        while (pos < s.Length && s[pos] == '[')
        {
            var close = s.IndexOf(']', pos);
            if (close < 0) throw Bad(s, "unclosed array bracket");
            var inner = s.AsSpan(pos + 1, close - pos - 1);
            if (inner.Length == 0)
            {
                type = Array(type);
            }
            else
            {
                if (!IsCanonicalNumber(inner, out var length) || length < 1) throw Bad(s, $"bad array length '{inner}'");
                type = Array(type, length);
            }
            pos = close + 1;
        }
        return type;
    }

    private static AbiType Elementary(string whole, string name)
    {
        switch (name)
        {
            case "address": return Address;
            case "bool": return Bool;
            case "bytes": return Bytes;
            case "string": return String;
            case "uint": return UInt256;
            case "int": return Int(256);
        }
        if (name.StartsWith("uint", StringComparison.Ordinal) && IsCanonicalNumber(name.AsSpan(4), out var ub) && IsBits(ub))
            return UInt(ub);
        if (name.StartsWith("int", StringComparison.Ordinal) && IsCanonicalNumber(name.AsSpan(3), out var ib) && IsBits(ib))
            return Int(ib);
        if (name.StartsWith("bytes", StringComparison.Ordinal) && IsCanonicalNumber(name.AsSpan(5), out var n) && n is >= 1 and <= 32)
            return FixedBytes(n);
        throw Bad(whole, $"unknown type '{name}'");
    }

    private static bool IsCanonicalNumber(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.Length is 0 or > 6 || (digits[0] == '0' && digits.Length > 1)) return false;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static bool IsBits(int bits) => bits is >= 8 and <= 256 && bits % 8 == 0;

    private static int CheckBits(int bits) =>
        IsBits(bits) ? bits : throw new ArgumentOutOfRangeException(nameof(bits), bits, "integer width must be 8..256 in steps of 8");

    private static FormatException Bad(string text, string why) => new($"invalid ABI type '{text}': {why}");

    private string BuildName() => Kind switch
    {
        AbiKind.UInt => "uint" + Size,
        AbiKind.Int => "int" + Size,
        AbiKind.Address => "address",
        AbiKind.Bool => "bool",
        AbiKind.FixedBytes => "bytes" + Size,
        AbiKind.Bytes => "bytes",
        AbiKind.String => "string",
        AbiKind.FixedArray => $"{Element!.CanonicalName}[{Size}]",
        AbiKind.DynamicArray => Element!.CanonicalName + "[]",
        AbiKind.Tuple => "(" + string.Join(",", Components.Select(c => c.CanonicalName)) + ")",
        _ => throw new InvalidOperationException(),
    };

    public override string ToString() => CanonicalName;

    public bool Equals(AbiType? other) => other is not null && CanonicalName == other.CanonicalName;

    public override bool Equals(object? obj) => Equals(obj as AbiType);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalName);

    internal static string JoinNames(IEnumerable<AbiType> types)
    {
        var sb = new StringBuilder();
        foreach (var t in types)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(t.CanonicalName);
        }
        return sb.ToString();
    }
}
