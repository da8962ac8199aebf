using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Rpc;

/// <summary>A block parameter: a number or one of latest, pending, safe, finalized, earliest.</summary>
public readonly record struct BlockTag(string Value)
{
    public static BlockTag Latest { get; } = new("latest");
    public static BlockTag Pending { get; } = new("pending");
    public static BlockTag Safe { get; } = new("safe");
    public static BlockTag Finalized { get; } = new("finalized");
    public static BlockTag Earliest { get; } = new("earliest");

    public static BlockTag Number(ulong number) => new(Quantity.Format(number));

    public static implicit operator BlockTag(ulong number) => Number(number);

    public override string ToString() => Value;
}

/// <summary>Hex quantities (<c>0x1a</c>) as JSON-RPC writes numbers.</summary>
public static class Quantity
{
    public static string Format(BigInteger value) =>
        value.Sign < 0 ? throw new ArgumentOutOfRangeException(nameof(value), "quantities are non-negative")
        : value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');

    public static string Format(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static BigInteger ParseBig(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || hex.Length < 3)
            throw new FormatException($"not a hex quantity: '{hex}'");
        return BigInteger.Parse("0" + hex[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public static ulong Parse(string hex)
    {
        var value = ParseBig(hex);
        return value <= ulong.MaxValue ? (ulong)value : throw new FormatException($"quantity {hex} does not fit 64 bits");
    }
}

/// <summary>
/// Fields of eth_call, eth_estimateGas and (devnet) eth_sendTransaction. Unset fields are left out of the request.
/// </summary>
public sealed record TransactionRequest
{
    public Address? From { get; init; }
    public Address? To { get; init; }
    public byte[]? Data { get; init; }
    public BigInteger? Value { get; init; }
    public ulong? Gas { get; init; }
    public BigInteger? GasPrice { get; init; }
    public BigInteger? MaxFeePerGas { get; init; }
    public BigInteger? MaxPriorityFeePerGas { get; init; }
    public ulong? Nonce { get; init; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (From is { } from) o["from"] = from.ToString();
        if (To is { } to) o["to"] = to.ToString();
        if (Data is { } data) o["data"] = Hex.Encode(data);
        if (Value is { } value) o["value"] = Quantity.Format(value);
        if (Gas is { } gas) o["gas"] = Quantity.Format(gas);
        if (GasPrice is { } gp) o["gasPrice"] = Quantity.Format(gp);
        if (MaxFeePerGas is { } mf) o["maxFeePerGas"] = Quantity.Format(mf);
        if (MaxPriorityFeePerGas is { } mp) o["maxPriorityFeePerGas"] = Quantity.Format(mp);
        if (Nonce is { } nonce) o["nonce"] = Quantity.Format(nonce);
        return o;
    }
}

/// <summary>eth_getLogs filter. Each topic position is null (any) or a list of alternatives.</summary>
public sealed record LogFilter
{
    public IReadOnlyList<Address> Addresses { get; init; } = [];
    public IReadOnlyList<IReadOnlyList<byte[]>?> Topics { get; init; } = [];
    public BlockTag? FromBlock { get; init; }
    public BlockTag? ToBlock { get; init; }
    public byte[]? BlockHash { get; init; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Addresses.Count == 1) o["address"] = Addresses[0].ToString();
        else if (Addresses.Count > 1) o["address"] = new JsonArray(Addresses.Select(a => (JsonNode?)a.ToString()).ToArray());
        if (Topics.Count > 0)
            o["topics"] = new JsonArray(Topics.Select(t => t is null ? null
                : t.Count == 1 ? (JsonNode?)Hex.Encode(t[0])
                : new JsonArray(t.Select(x => (JsonNode?)Hex.Encode(x)).ToArray())).ToArray());
        if (FromBlock is { } f) o["fromBlock"] = f.Value;
        if (ToBlock is { } t2) o["toBlock"] = t2.Value;
        if (BlockHash is { } h) o["blockHash"] = Hex.Encode(h);
        return o;
    }
}

/// <summary>A block header (eth_getBlockByNumber without full transactions).</summary>
public sealed record RpcBlock(
    ulong Number,
    byte[] Hash,
    byte[] ParentHash,
    ulong Timestamp,
    BigInteger? BaseFeePerGas,
    ulong GasLimit,
    ulong GasUsed,
    Address Miner,
    IReadOnlyList<byte[]> TransactionHashes)
{
    internal static RpcBlock FromJson(JsonElement j) => new(
        j.Quantity("number"),
        j.Bytes("hash"),
        j.Bytes("parentHash"),
        j.Quantity("timestamp"),
        j.OptionalBig("baseFeePerGas"),
        j.Quantity("gasLimit"),
        j.Quantity("gasUsed"),
        Address.Parse(j.Str("miner")),
        j.TryGetProperty("transactions", out var txs) && txs.ValueKind == JsonValueKind.Array
            ? txs.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => Hex.Decode(t.GetString()!)).ToArray()
            : []);
}

/// <summary>A log entry from eth_getLogs or a receipt.</summary>
public sealed record RpcLog(
    Address Address,
    IReadOnlyList<byte[]> Topics,
    byte[] Data,
    ulong? BlockNumber,
    byte[]? BlockHash,
    byte[]? TransactionHash,
    ulong? TransactionIndex,
    ulong? LogIndex,
    bool Removed)
{
    internal static RpcLog FromJson(JsonElement j) => new(
        Address.Parse(j.Str("address")),
        j.GetProperty("topics").EnumerateArray().Select(t => Hex.Decode(t.GetString()!)).ToArray(),
        j.Bytes("data"),
        j.OptionalQuantity("blockNumber"),
        j.OptionalBytes("blockHash"),
        j.OptionalBytes("transactionHash"),
        j.OptionalQuantity("transactionIndex"),
        j.OptionalQuantity("logIndex"),
        j.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True);
}

/// <summary>eth_getTransactionReceipt.</summary>
public sealed record RpcReceipt(
    byte[] TransactionHash,
    bool Succeeded,
    ulong BlockNumber,
    byte[] BlockHash,
    ulong TransactionIndex,
    Address From,
    Address? To,
    Address? ContractAddress,
    ulong GasUsed,
    ulong CumulativeGasUsed,
    BigInteger EffectiveGasPrice,
    IReadOnlyList<RpcLog> Logs)
{
    internal static RpcReceipt FromJson(JsonElement j) => new(
        j.Bytes("transactionHash"),
        j.Quantity("status") == 1,
        j.Quantity("blockNumber"),
        j.Bytes("blockHash"),
        j.Quantity("transactionIndex"),
        Address.Parse(j.Str("from")),
        j.OptionalStr("to") is { } to ? Address.Parse(to) : null,
        j.OptionalStr("contractAddress") is { } ca ? Address.Parse(ca) : null,
        j.Quantity("gasUsed"),
        j.Quantity("cumulativeGasUsed"),
        j.OptionalBig("effectiveGasPrice") ?? BigInteger.Zero,
        j.GetProperty("logs").EnumerateArray().Select(RpcLog.FromJson).ToArray());
}

/// <summary>eth_feeHistory. <see cref="BaseFeePerGas"/> has one more entry than blocks (the next block's base fee).</summary>
public sealed record FeeHistory(
    ulong OldestBlock,
    IReadOnlyList<BigInteger> BaseFeePerGas,
    IReadOnlyList<double> GasUsedRatio,
    IReadOnlyList<IReadOnlyList<BigInteger>> Reward)
{
    internal static FeeHistory FromJson(JsonElement j) => new(
        j.Quantity("oldestBlock"),
        j.GetProperty("baseFeePerGas").EnumerateArray().Select(x => Quantity.ParseBig(x.GetString()!)).ToArray(),
        j.GetProperty("gasUsedRatio").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
        j.TryGetProperty("reward", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(b => (IReadOnlyList<BigInteger>)b.EnumerateArray().Select(x => Quantity.ParseBig(x.GetString()!)).ToArray()).ToArray()
            : []);
}

internal static class JsonReading
{
    public static string Str(this JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"field '{name}' is missing or not a string");

    public static string? OptionalStr(this JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static ulong Quantity(this JsonElement j, string name) => Rpc.Quantity.Parse(j.Str(name));

    public static ulong? OptionalQuantity(this JsonElement j, string name) =>
        j.OptionalStr(name) is { } s ? Rpc.Quantity.Parse(s) : null;

    public static BigInteger? OptionalBig(this JsonElement j, string name) =>
        j.OptionalStr(name) is { } s ? Rpc.Quantity.ParseBig(s) : null;

    public static byte[] Bytes(this JsonElement j, string name) => Hex.Decode(j.Str(name));

    public static byte[]? OptionalBytes(this JsonElement j, string name) =>
        j.OptionalStr(name) is { } s ? Hex.Decode(s) : null;
}
