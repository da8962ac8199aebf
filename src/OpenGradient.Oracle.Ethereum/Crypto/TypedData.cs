using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>Typed data that cannot be hashed: unknown or cyclic types, a value that does not fit its type.</summary>
public sealed class TypedDataException(string message) : FormatException(message);

/// <summary>One member of an EIP-712 struct type.</summary>
public sealed record TypedDataField(string Name, string Type);

/// <summary>
/// General EIP-712 typed data as eth_signTypedData_v4 takes it: struct types, a primary type, a domain and a message
/// given as JSON. Numbers may be JSON numbers or decimal/0x-hex strings; bytes and addresses are 0x-hex strings.
/// </summary>
public sealed partial class TypedData
{
    public const string DomainTypeName = "EIP712Domain";

    private static readonly string[] DomainFieldOrder = ["name", "version", "chainId", "verifyingContract", "salt"];
    private static readonly Dictionary<string, string> DomainFieldTypes = new()
    {
        ["name"] = "string", ["version"] = "string", ["chainId"] = "uint256", ["verifyingContract"] = "address", ["salt"] = "bytes32",
    };

    private readonly Dictionary<string, IReadOnlyList<TypedDataField>> _types;
    private readonly Dictionary<string, string> _encodedTypes = [];

    /// <summary>EIP712Domain may be listed in <paramref name="types"/>; if absent it is derived from the domain's members.</summary>
    public TypedData(IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, string primaryType, JsonElement domain, JsonElement message)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(primaryType);
        _types = new Dictionary<string, IReadOnlyList<TypedDataField>>(types, StringComparer.Ordinal);
        if (domain.ValueKind != JsonValueKind.Object) throw new TypedDataException("domain must be a JSON object");
        if (!_types.ContainsKey(DomainTypeName))
        {
            var present = new HashSet<string>(domain.EnumerateObject().Select(p => p.Name));
            var unknown = present.Except(DomainFieldOrder).FirstOrDefault();
            if (unknown is not null) throw new TypedDataException($"domain member '{unknown}' is not a standard EIP-712 domain field; list EIP712Domain in types");
            _types[DomainTypeName] = DomainFieldOrder.Where(present.Contains).Select(n => new TypedDataField(n, DomainFieldTypes[n])).ToList();
        }
        PrimaryType = primaryType;
        Domain = domain.Clone();
        Message = message.Clone();
        Validate();
        if (!_types.ContainsKey(primaryType)) throw new TypedDataException($"primary type '{primaryType}' is not defined in types");
    }

    public string PrimaryType { get; }
    public JsonElement Domain { get; }
    public JsonElement Message { get; }

    /// <summary>Parses the eth_signTypedData_v4 JSON object {types, primaryType, domain, message}.</summary>
    public static TypedData Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.Clone();
        if (!root.TryGetProperty("types", out var typesJson) || typesJson.ValueKind != JsonValueKind.Object)
            throw new TypedDataException("typed data needs a 'types' object");
        var types = new Dictionary<string, IReadOnlyList<TypedDataField>>();
        foreach (var type in typesJson.EnumerateObject())
        {
            if (type.Value.ValueKind != JsonValueKind.Array) throw new TypedDataException($"type '{type.Name}' must be an array of fields");
            types[type.Name] = type.Value.EnumerateArray().Select(f => new TypedDataField(
                RequiredString(f, "name", type.Name), RequiredString(f, "type", type.Name))).ToList();
        }
        var primary = root.TryGetProperty("primaryType", out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()! : throw new TypedDataException("typed data needs a 'primaryType' string");
        var domain = root.TryGetProperty("domain", out var d) ? d : throw new TypedDataException("typed data needs a 'domain'");
        var message = root.TryGetProperty("message", out var m) ? m : throw new TypedDataException("typed data needs a 'message'");
        return new TypedData(types, primary, domain, message);
    }

    /// <summary>keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message)): the hash that is signed.</summary>
    public byte[] Digest() => Eip712Hash(DomainSeparator(), HashStruct(PrimaryType, Message));

    public byte[] DomainSeparator() => HashStruct(DomainTypeName, Domain);

    public Signature Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(Digest());
    }

    public Address Recover(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Recover(Digest());
    }

    /// <summary>"Name(type name,...)" followed by every referenced struct type, sorted by name.</summary>
    public string EncodeType(string typeName)
    {
        if (_encodedTypes.TryGetValue(typeName, out var cached)) return cached;
        if (!_types.ContainsKey(typeName)) throw new TypedDataException($"type '{typeName}' is not defined");
        var deps = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(typeName, deps);
        deps.Remove(typeName);
        var sb = new StringBuilder();
        foreach (var name in deps.Prepend(typeName))
            sb.Append(name).Append('(').AppendJoin(',', _types[name].Select(f => f.Type + " " + f.Name)).Append(')');
        return _encodedTypes[typeName] = sb.ToString();
    }

    public byte[] TypeHash(string typeName) => Keccak256.Hash(Encoding.UTF8.GetBytes(EncodeType(typeName)));

    /// <summary>keccak256(typeHash ‖ encodeData(value)).</summary>
    public byte[] HashStruct(string typeName, JsonElement value)
    {
        var fields = _types.TryGetValue(typeName, out var f) ? f : throw new TypedDataException($"type '{typeName}' is not defined");
        if (value.ValueKind != JsonValueKind.Object) throw new TypedDataException($"a {typeName} value must be a JSON object, got {value.ValueKind}");
        var buffer = new byte[32 * (1 + fields.Count)];
        TypeHash(typeName).CopyTo(buffer, 0);
        for (var i = 0; i < fields.Count; i++)
        {
            if (!value.TryGetProperty(fields[i].Name, out var member))
                throw new TypedDataException($"{typeName}.{fields[i].Name} is missing");
            EncodeValue(fields[i].Type, member, buffer.AsSpan(32 * (i + 1), 32), $"{typeName}.{fields[i].Name}");
        }
        return Keccak256.Hash(buffer);
    }

    internal static byte[] Eip712Hash(ReadOnlySpan<byte> domainSeparator, ReadOnlySpan<byte> structHash)
    {
        Span<byte> buffer = stackalloc byte[66];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        domainSeparator.CopyTo(buffer[2..]);
        structHash.CopyTo(buffer[34..]);
        return Keccak256.Hash(buffer);
    }

    private void EncodeValue(string type, JsonElement value, Span<byte> word, string path)
    {
        if (ArrayType().Match(type) is { Success: true } array)
        {
            var element = array.Groups[1].Value;
            if (value.ValueKind != JsonValueKind.Array) throw new TypedDataException($"{path} must be a JSON array for {type}");
            var count = value.GetArrayLength();
            if (array.Groups[2].Success && int.Parse(array.Groups[2].Value, CultureInfo.InvariantCulture) != count)
                throw new TypedDataException($"{path} has {count} elements, {type} needs {array.Groups[2].Value}");
            var buffer = new byte[32 * count];
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                EncodeValue(element, item, buffer.AsSpan(32 * i, 32), $"{path}[{i}]");
                i++;
            }
            Keccak256.Hash(buffer, word);
            return;
        }
        if (_types.ContainsKey(type))
        {
            HashStruct(type, value).CopyTo(word);
            return;
        }
        switch (type)
        {
            case "string":
                Keccak256.Hash(Encoding.UTF8.GetBytes(value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Mismatch(path, type, value)), word);
                return;
            case "bytes":
                Keccak256.Hash(HexValue(value, path, type), word);
                return;
            case "bool":
                word.Clear();
                word[31] = value.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => throw Mismatch(path, type, value),
                };
                return;
            case "address":
                word.Clear();
                var address = HexValue(value, path, type);
                if (address.Length != 20) throw new TypedDataException($"{path} is an address of {address.Length} bytes, not 20");
                address.CopyTo(word[12..]);
                return;
        }
        if (IntegerType().Match(type) is { Success: true } integer)
        {
            var bits = int.Parse(integer.Groups[2].Value, CultureInfo.InvariantCulture);
            var signed = integer.Groups[1].Value.Length == 0;
            var n = IntegerValue(value, path, type);
            var upper = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;
            var lower = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
            if (n < lower || n > upper) throw new TypedDataException($"{path} = {n} is out of range for {type}");
            Word.WriteInteger(n, word);
            return;
        }
        if (FixedBytesType().Match(type) is { Success: true } fixedBytes)
        {
            var size = int.Parse(fixedBytes.Groups[1].Value, CultureInfo.InvariantCulture);
            var bytes = HexValue(value, path, type);
            if (bytes.Length != size) throw new TypedDataException($"{path} has {bytes.Length} bytes, {type} needs {size}");
            word.Clear();
            bytes.CopyTo(word);
            return;
        }
        throw new TypedDataException($"{path} has unknown type '{type}'");
    }

    private static byte[] HexValue(JsonElement value, string path, string type)
    {
        if (value.ValueKind != JsonValueKind.String) throw Mismatch(path, type, value);
        var text = value.GetString()!;
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) throw new TypedDataException($"{path} ({type}) must be 0x-prefixed hex");
        try
        {
            return Hex.Decode(text);
        }
        catch (FormatException e)
        {
            throw new TypedDataException($"{path} ({type}): {e.Message}");
        }
    }

    private static BigInteger IntegerValue(JsonElement value, string path, string type)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            var raw = value.GetRawText();
            if (BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
            throw new TypedDataException($"{path} ({type}) is not an integer: {raw}");
        }
        if (value.ValueKind != JsonValueKind.String) throw Mismatch(path, type, value);
        var text = value.GetString()!;
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        BigInteger parsed;
        bool ok;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = digits.Length > 2 && digits[2..].All(Uri.IsHexDigit);
            parsed = ok ? BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) : default;
        }
        else
        {
            ok = digits.Length > 0 && digits.All(char.IsAsciiDigit);
            parsed = ok ? BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) : default;
        }
        if (!ok) throw new TypedDataException($"{path} ({type}) is not a decimal or 0x-hex integer: '{text}'");
        return negative ? -parsed : parsed;
    }

    private static TypedDataException Mismatch(string path, string type, JsonElement value) =>
        new($"{path} ({type}) cannot be {value.ValueKind}");

    private void CollectDependencies(string typeName, SortedSet<string> found)
    {
        if (!found.Add(typeName)) return;
        foreach (var field in _types[typeName])
        {
            var baseType = BaseType(field.Type);
            if (_types.ContainsKey(baseType)) CollectDependencies(baseType, found);
        }
    }

    private static string BaseType(string type)
    {
        var bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private void Validate()
    {
        foreach (var (name, fields) in _types)
        {
            if (!StructName().IsMatch(name)) throw new TypedDataException($"'{name}' is not a valid struct type name");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in fields)
            {
                if (!seen.Add(field.Name)) throw new TypedDataException($"{name} declares '{field.Name}' twice");
                var t = field.Type;
                while (ArrayType().Match(t) is { Success: true } a) t = a.Groups[1].Value;
                if (_types.ContainsKey(t)) continue;
                if (t is "string" or "bytes" or "bool" or "address") continue;
                if (IntegerType().Match(t) is { Success: true } i && int.TryParse(i.Groups[2].Value, CultureInfo.InvariantCulture, out var bits)
                    && bits is >= 8 and <= 256 && bits % 8 == 0 && i.Groups[2].Value == bits.ToString(CultureInfo.InvariantCulture)) continue;
                if (FixedBytesType().Match(t) is { Success: true } b && int.TryParse(b.Groups[1].Value, CultureInfo.InvariantCulture, out var size)
                    && size is >= 1 and <= 32 && b.Groups[1].Value == size.ToString(CultureInfo.InvariantCulture)) continue;
                throw new TypedDataException($"{name}.{field.Name} has unknown type '{field.Type}'");
            }
        }
    }

    private static string RequiredString(JsonElement field, string member, string typeName) =>
        field.ValueKind == JsonValueKind.Object && field.TryGetProperty(member, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()! : throw new TypedDataException($"a field of type '{typeName}' needs a string '{member}'");

    [GeneratedRegex(@"^(.+)\[(\d+)?\]$")]
    private static partial Regex ArrayType();

    [GeneratedRegex(@"^(u?)int(\d+)$")]
    private static partial Regex IntegerType();

    [GeneratedRegex(@"^bytes(\d+)$")]
    private static partial Regex FixedBytesType();

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*$")]
    private static partial Regex StructName();
}

/// <summary>32-byte ABI words for EIP-712 atomic values (kept here so EIP-712 does not depend on the ABI encoder).</summary>
internal static class Word
{
    /// <summary>Two's complement, big-endian, sign-extended to 32 bytes.</summary>
    public static void WriteInteger(BigInteger value, Span<byte> word)
    {
        word.Fill(value.Sign < 0 ? (byte)0xff : (byte)0);
        var count = value.GetByteCount();
        if (count > 32)
        {
            // 2^255..2^256-1 needs a 33rd (sign) byte in two's complement; unsigned form fits.
            if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "integer does not fit 256 bits");
            count = value.GetByteCount(isUnsigned: true);
            if (count > 32) throw new ArgumentOutOfRangeException(nameof(value), "integer does not fit 256 bits");
            value.TryWriteBytes(word[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
            return;
        }
        value.TryWriteBytes(word[(32 - count)..], out _, isUnsigned: false, isBigEndian: true);
    }
}
