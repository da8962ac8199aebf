using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Verification;

/// <summary>A bundle file that cannot be read: not JSON, another format or version, a missing or malformed field.</summary>
public sealed class ProofBundleFormatException(string message, Exception? inner = null) : FormatException(message, inner);

/// <summary>
/// The JSON form of a <see cref="ProofBundle"/> (docs/VERIFICATION.md). Integers that can exceed 2^53 are decimal
/// strings, bytes are 0x-hex, addresses are read without requiring an EIP-55 checksum (a checksum error would hide
/// an edit behind a parse error instead of naming the check it breaks).
/// </summary>
public static class ProofBundleJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(ProofBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var r = bundle.Request;
        var root = new JsonObject
        {
            ["format"] = ProofBundle.FormatName,
            ["version"] = ProofBundle.FormatVersion,
            ["chainId"] = Dec(bundle.ChainId),
            ["oracle"] = bundle.Oracle.ToString(),
            ["modelRegistry"] = bundle.ModelRegistry.ToString(),
            ["operatorRegistry"] = bundle.OperatorRegistry.ToString(),
            ["requestId"] = Dec(bundle.RequestId),
            ["request"] = new JsonObject
            {
                ["requester"] = r.Requester.ToString(),
                ["fee"] = Dec(r.Fee),
                ["modelId"] = Hex.Encode(r.ModelId),
                ["inputHash"] = Hex.Encode(r.InputHash),
                ["deadline"] = Dec(r.Deadline),
                ["callbackGasLimit"] = Dec(r.CallbackGasLimit),
                ["outputBytes"] = Dec(r.OutputBytes),
                ["redundancy"] = Dec(r.Redundancy),
            },
            ["input"] = Hex.Encode(bundle.Input),
            ["requested"] = Position(bundle.Requested, new JsonObject()),
            ["model"] = new JsonObject
            {
                ["modelId"] = Hex.Encode(bundle.Model.ModelId),
                ["uri"] = bundle.Model.Uri,
                ["owner"] = bundle.Model.Owner.ToString(),
                ["fee"] = Dec(bundle.Model.Fee),
                ["revoked"] = bundle.Model.Revoked,
                ["input"] = Spec(bundle.Model.Input),
                ["output"] = Spec(bundle.Model.Output),
                ["atBlock"] = bundle.Model.AtBlock,
            },
            ["settlement"] = Position(bundle.Settlement.Position, new JsonObject
            {
                ["kind"] = Kind(bundle.Settlement.Kind),
                ["output"] = bundle.Settlement.Output is { } o ? Hex.Encode(o) : null,
                ["outputHash"] = bundle.Settlement.OutputHash is { } h ? Hex.Encode(h) : null,
                ["reason"] = bundle.Settlement.Reason,
            }),
            ["commitments"] = new JsonArray(bundle.Commitments.Select(c => (JsonNode?)Position(c.Position, new JsonObject
            {
                ["operator"] = c.Operator.ToString(),
                ["kind"] = Kind(c.Kind),
                ["vote"] = Hex.Encode(c.Vote),
                ["runtime"] = Hex.Encode(c.Runtime),
                ["output"] = c.Output is { } o ? Hex.Encode(o) : null,
                ["reason"] = c.Reason,
                ["signature"] = Hex.Encode(c.Signature),
                ["method"] = c.Method,
            })).ToArray()),
            ["minStake"] = Dec(bundle.MinStake),
            ["operators"] = new JsonArray(bundle.Operators.Select(o => (JsonNode?)new JsonObject
            {
                ["address"] = o.Operator.ToString(),
                ["registered"] = o.Registered,
                ["stake"] = Dec(o.Stake),
                ["unbondingAt"] = Dec(o.UnbondingAt),
                ["active"] = o.Active,
                ["atBlock"] = o.AtBlock,
            }).ToArray()),
            ["finality"] = bundle.Finality is { } f ? WriteFinality(f) : null,
        };
        return root.ToJsonString(Indented) + "\n";
    }

    /// <exception cref="ProofBundleFormatException">the message names the field that is wrong.</exception>
    public static ProofBundle Parse(string json)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(json) ?? throw new ProofBundleFormatException("the bundle is empty");
        }
        catch (JsonException e)
        {
            throw new ProofBundleFormatException($"the bundle is not JSON: {e.Message}", e);
        }
        var format = Str(root, "format");
        if (format != ProofBundle.FormatName)
            throw new ProofBundleFormatException($"\"format\" is '{format}', not '{ProofBundle.FormatName}'");
        var version = (int)ULong(root, "version");
        if (version != ProofBundle.FormatVersion)
            throw new ProofBundleFormatException($"bundle version {version} is not supported (this tool reads version {ProofBundle.FormatVersion})");

        var r = Obj(root, "request");
        var request = new InferenceOracleContract.Request(
            Addr(r, "request.requester"), Big(r, "request.fee", 96), Bytes(r, "request.modelId", 32), Bytes(r, "request.inputHash", 32),
            Big(r, "request.deadline", 64), Big(r, "request.callbackGasLimit", 32), Big(r, "request.outputBytes", 32), Big(r, "request.redundancy", 8));
        var m = Obj(root, "model");
        var model = new ModelRecord(
            Bytes(m, "model.modelId", 32), Str(m, "model.uri"), Addr(m, "model.owner"), Big(m, "model.fee"), Bool(m, "model.revoked"),
            ReadSpec(Obj(m, "model.input"), "model.input"), ReadSpec(Obj(m, "model.output"), "model.output"), ULong(m, "model.atBlock"));
        var s = Obj(root, "settlement");
        var settlement = new SettlementRecord(
            ReadKind(s, "settlement.kind"), OptBytes(s, "settlement.output"), OptBytes(s, "settlement.outputHash"),
            OptUShort(s, "settlement.reason"), ReadPosition(s, "settlement"));
        var commitments = Arr(root, "commitments").Select((node, i) =>
        {
            var c = node as JsonObject ?? throw new ProofBundleFormatException($"commitments[{i}] is not an object");
            var p = $"commitments[{i}]";
            return new CommitmentRecord(
                Addr(c, $"{p}.operator"), ReadKind(c, $"{p}.kind"), Bytes(c, $"{p}.vote", 32), Bytes(c, $"{p}.runtime", 32),
                OptBytes(c, $"{p}.output"), OptUShort(c, $"{p}.reason"), Bytes(c, $"{p}.signature"), Str(c, $"{p}.method"),
                ReadPosition(c, p));
        }).ToArray();
        var operators = Arr(root, "operators").Select((node, i) =>
        {
            var o = node as JsonObject ?? throw new ProofBundleFormatException($"operators[{i}] is not an object");
            var p = $"operators[{i}]";
            return new OperatorRecord(Addr(o, $"{p}.address"), Bool(o, $"{p}.registered"), Big(o, $"{p}.stake"),
                ULong(o, $"{p}.unbondingAt"), Bool(o, $"{p}.active"), ULong(o, $"{p}.atBlock"));
        }).ToArray();

        var finality = root["finality"] is JsonObject fo ? ReadFinality(fo) : null;
        return new ProofBundle(
            ULong(root, "chainId"), Addr(root, "oracle"), Addr(root, "modelRegistry"), Addr(root, "operatorRegistry"),
            Big(root, "requestId", 256), request, Bytes(root, "input"), ReadPosition(Obj(root, "requested"), "requested"),
            model, settlement, commitments, Big(root, "minStake"), operators, finality);
    }

    // ------------------------------------------------------------------ writing helpers

    private static string Dec(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Kind(SettlementKind kind) => kind == SettlementKind.Fulfilled ? "fulfilled" : "failed";

    private static JsonObject Position(ChainPosition position, JsonObject into)
    {
        into["blockNumber"] = position.BlockNumber;
        into["blockHash"] = Hex.Encode(position.BlockHash);
        into["transactionHash"] = Hex.Encode(position.TransactionHash);
        into["logIndex"] = position.LogIndex;
        return into;
    }

    private static JsonObject Spec(TensorSpec spec) => new()
    {
        ["elementType"] = (int)spec.ElementType,
        ["decimals"] = (int)spec.Decimals,
        ["minValue"] = spec.MinValue.ToString(CultureInfo.InvariantCulture),
        ["maxValue"] = spec.MaxValue.ToString(CultureInfo.InvariantCulture),
        ["shape"] = new JsonArray(spec.Shape.Select(d => (JsonNode?)d).ToArray()),
    };

    private static JsonObject WriteFinality(FinalityHistory f) => new()
    {
        ["challengeWindow"] = Dec(f.ChallengeWindow),
        ["provisionalOperator"] = f.ProvisionalOperator.ToString(),
        ["provisionalOutputHash"] = Hex.Encode(f.ProvisionalOutputHash),
        ["challengeDeadline"] = Dec(f.ChallengeDeadline),
        ["challenge"] = f.Challenge is { } c ? Position(c.Position, new JsonObject
        {
            ["challenger"] = c.Challenger.ToString(),
            ["claimedOutputHash"] = Hex.Encode(c.ClaimedOutputHash),
        }) : null,
        ["outcome"] = Outcome(f.Outcome),
        ["final"] = f.FinalOutput is { } output && f.Finalized is { } at ? Position(at, new JsonObject
        {
            ["output"] = Hex.Encode(output),
            ["outputHash"] = Hex.Encode(f.FinalOutputHash ?? []),
        }) : null,
    };

    private static FinalityHistory ReadFinality(JsonObject f)
    {
        var challenge = f["challenge"] is JsonObject c
            ? new ChallengeRecord(Addr(c, "finality.challenge.challenger"), Bytes(c, "finality.challenge.claimedOutputHash", 32), ReadPosition(c, "finality.challenge"))
            : null;
        var final = f["final"] as JsonObject;
        var outcome = Str(f, "finality.outcome") switch
        {
            "none" => ChallengeOutcome.None,
            "original-correct" => ChallengeOutcome.OriginalCorrect,
            "original-wrong" => ChallengeOutcome.OriginalWrong,
            "timed-out" => ChallengeOutcome.TimedOut,
            var other => throw new ProofBundleFormatException($"\"finality.outcome\" is '{other}', not none, original-correct, original-wrong or timed-out"),
        };
        return new FinalityHistory(
            ULong(f, "finality.challengeWindow"), Addr(f, "finality.provisionalOperator"), Bytes(f, "finality.provisionalOutputHash", 32),
            ULong(f, "finality.challengeDeadline"), challenge, outcome,
            final is null ? null : Bytes(final, "finality.final.output"),
            final is null ? null : Bytes(final, "finality.final.outputHash", 32),
            final is null ? null : ReadPosition(final, "finality.final"));
    }

    private static string Outcome(ChallengeOutcome outcome) => outcome switch
    {
        ChallengeOutcome.OriginalCorrect => "original-correct",
        ChallengeOutcome.OriginalWrong => "original-wrong",
        ChallengeOutcome.TimedOut => "timed-out",
        _ => "none",
    };

    // ------------------------------------------------------------------ reading helpers

    private static string Leaf(string path) => path[(path.LastIndexOf('.') + 1)..];

    private static JsonNode? Get(JsonNode node, string path) => node[Leaf(path)];

    private static JsonObject Obj(JsonNode node, string path) =>
        Get(node, path) as JsonObject ?? throw new ProofBundleFormatException($"\"{path}\" is missing or not an object");

    private static JsonArray Arr(JsonNode node, string path) =>
        Get(node, path) as JsonArray ?? throw new ProofBundleFormatException($"\"{path}\" is missing or not an array");

    private static string Str(JsonNode node, string path) =>
        Get(node, path) is JsonValue v && v.TryGetValue<string>(out var s) ? s
        : throw new ProofBundleFormatException($"\"{path}\" is missing or not a string");

    private static bool Bool(JsonNode node, string path) =>
        Get(node, path) is JsonValue v && v.TryGetValue<bool>(out var b) ? b
        : throw new ProofBundleFormatException($"\"{path}\" is missing or not true/false");

    /// <summary>A JSON number or a decimal string.</summary>
    private static string Number(JsonNode node, string path) => Get(node, path) switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw new ProofBundleFormatException($"\"{path}\" is missing or not a number"),
    };

    private static BigInteger Big(JsonNode node, string path, int bits = 256) =>
        BigInteger.TryParse(Number(node, path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < BigInteger.One << bits ? n
        : throw new ProofBundleFormatException($"\"{path}\" is not a uint{bits} (a non-negative decimal integer below 2^{bits})");

    private static ulong ULong(JsonNode node, string path) =>
        ulong.TryParse(Number(node, path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ProofBundleFormatException($"\"{path}\" is not a non-negative 64-bit integer");

    private static long Long(JsonNode node, string path) =>
        long.TryParse(Number(node, path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ProofBundleFormatException($"\"{path}\" is not a 64-bit integer");

    private static ushort? OptUShort(JsonNode node, string path)
    {
        if (Get(node, path) is null) return null;
        return ushort.TryParse(Number(node, path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ProofBundleFormatException($"\"{path}\" is not a uint16");
    }

    private static byte[] Bytes(JsonNode node, string path, int? length = null)
    {
        var text = Str(node, path);
        byte[] bytes;
        try
        {
            bytes = Hex.Decode(text);
        }
        catch (FormatException e)
        {
            throw new ProofBundleFormatException($"\"{path}\" is not 0x-hex: {e.Message}", e);
        }
        if (length is { } n && bytes.Length != n)
            throw new ProofBundleFormatException($"\"{path}\" has {bytes.Length} bytes, {n} expected");
        return bytes;
    }

    private static byte[]? OptBytes(JsonNode node, string path) => Get(node, path) is null ? null : Bytes(node, path);

    private static Address Addr(JsonNode node, string path) => new(Bytes(node, path, Address.Length));

    private static SettlementKind ReadKind(JsonNode node, string path) => Str(node, path) switch
    {
        "fulfilled" => SettlementKind.Fulfilled,
        "failed" => SettlementKind.Failed,
        var other => throw new ProofBundleFormatException($"\"{path}\" is '{other}', not 'fulfilled' or 'failed'"),
    };

    private static ChainPosition ReadPosition(JsonNode node, string path) => new(
        ULong(node, $"{path}.blockNumber"), Bytes(node, $"{path}.blockHash", 32), Bytes(node, $"{path}.transactionHash", 32),
        ULong(node, $"{path}.logIndex"));

    private static TensorSpec ReadSpec(JsonNode node, string path)
    {
        var type = ULong(node, $"{path}.elementType");
        var decimals = ULong(node, $"{path}.decimals");
        if (type > byte.MaxValue || decimals > byte.MaxValue) throw new ProofBundleFormatException($"\"{path}\" elementType/decimals must fit uint8");
        var shape = Arr(node, $"{path}.shape").Select((d, i) =>
            d is JsonValue v && v.TryGetValue<uint>(out var n) ? n : throw new ProofBundleFormatException($"\"{path}.shape[{i}]\" is not a uint32")).ToArray();
        var spec = new TensorSpec((ElementType)type, (byte)decimals, Long(node, $"{path}.minValue"), Long(node, $"{path}.maxValue"), shape);
        return spec.Validate() is { } error ? throw new ProofBundleFormatException($"\"{path}\": {error}") : spec;
    }
}
