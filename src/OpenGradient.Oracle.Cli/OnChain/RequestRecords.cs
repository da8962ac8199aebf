using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;

namespace OpenGradient.Oracle.Cli.OnChain;

/// <summary>Reading requests and their outcomes back from the oracle's logs, and showing them.</summary>
internal static class RequestRecords
{
    public static readonly string[] StatusNames = ["none", "pending", "fulfilled", "failed", "cancelled"];

    /// <summary>The InferenceRequested event an oracle transaction emitted (exactly one per request).</summary>
    public static InferenceOracleContract.InferenceRequestedEvent RequestedIn(RpcReceipt receipt, Address oracle)
    {
        foreach (var log in receipt.Logs)
            if (log.Address == oracle && InferenceOracleContract.IsInferenceRequestedEvent(log.Topics))
                return InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
        throw new InvalidOperationException($"transaction {Hex.Encode(receipt.TransactionHash)} emitted no InferenceRequested");
    }

    /// <summary>The InferenceRequested event of <paramref name="requestId"/>, searched from the deployment block.</summary>
    public static async Task<(InferenceOracleContract.InferenceRequestedEvent Event, ulong Block)?> FindAsync(ChainSession session, BigInteger requestId, CancellationToken cancellationToken)
    {
        var logs = await session.Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [session.Deployment.InferenceOracle],
            Topics = [[InferenceOracleContract.InferenceRequestedEventAbi.Topic0], [SettlementWatcher.Topic(requestId)]],
            FromBlock = BlockTag.Number(session.Deployment.DeploymentBlock),
            ToBlock = BlockTag.Latest,
        }, cancellationToken);
        if (logs.Count == 0) return null;
        return (InferenceOracleContract.DecodeInferenceRequestedEvent(logs[0].Topics, logs[0].Data), logs[0].BlockNumber ?? 0);
    }

    /// <summary>"INPUT_OUT_OF_RANGE" for 3: the names docs/PROTOCOL.md and Solidity use.</summary>
    public static string ReasonName(ushort code)
    {
        if (!Enum.IsDefined((FailureReason)code)) return $"UNKNOWN_{code}";
        var pascal = ((FailureReason)code).ToString();
        var snake = new StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) snake.Append('_');
            snake.Append(char.ToUpperInvariant(pascal[i]));
        }
        return snake.ToString();
    }

    /// <summary>A settlement as JSON, the output decoded with <paramref name="outputSpec"/> in real units and raw.</summary>
    public static JsonObject ToJson(Settlement s, TensorSpec? outputSpec)
    {
        var json = new JsonObject
        {
            ["requestId"] = s.RequestId.ToString(CultureInfo.InvariantCulture),
            ["status"] = s.Fulfilled ? "fulfilled" : "failed",
        };
        if (s.Fulfilled)
        {
            if (outputSpec is not null && TryDecode(s.Output!, outputSpec) is { } values)
            {
                json["output"] = new JsonArray(values.Select(v => (JsonNode)TensorText.Real(v, outputSpec)).ToArray());
                json["outputRaw"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray());
            }
            json["outputBytes"] = Hex.Encode(s.Output!);
            json["outputHash"] = Hex.Encode(s.OutputHash!);
        }
        else
        {
            json["failureCode"] = s.Reason!.Value;
            json["failureReason"] = ReasonName(s.Reason.Value);
        }
        json["operator"] = s.Operator?.ToString();
        json["runtime"] = s.Runtime is null ? null : Hex.Encode(s.Runtime);
        json["settlementTx"] = Hex.Encode(s.TransactionHash);
        json["settlementBlock"] = s.BlockNumber;
        return json;
    }

    public static long[]? TryDecode(byte[] bytes, TensorSpec spec)
    {
        var values = new long[spec.ElementCount];
        return TensorCodec.TryDecode(bytes, spec, values) ? values : null;
    }

    public static string Short(ReadOnlySpan<byte> bytes) => Short(Hex.Encode(bytes));

    public static string Short(string hex) => hex.Length <= 14 ? hex : $"{hex[..8]}…{hex[^4..]}";
}
