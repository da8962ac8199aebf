using System.Globalization;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Ethereum.Primitives;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands.SampleDapp;

/// <summary>The sample dApp's results: a table for people (stderr) and a JSON summary for the demo and tests.</summary>
internal static class SampleReport
{
    public static void WriteTable(IAnsiConsole console, IReadOnlyList<SampleOutcome> outcomes)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("sample dApp requests");
        foreach (var column in new[] { "request", "model", "via", "output", "commitment", "settlement tx", "gas", "latency (s)", "checked", "result" })
            table.AddColumn(column);
        table.Columns[6].RightAligned();
        table.Columns[7].RightAligned();
        foreach (var o in outcomes)
        {
            var s = o.Settlement;
            string output, result;
            if (s is null)
            {
                output = "";
                result = "pending";
            }
            else if (s.Fulfilled)
            {
                output = RequestRecords.TryDecode(s.Output!, o.OutputSpec) is { } values ? TensorText.Summary(values, o.OutputSpec) : Hex.Encode(s.Output!);
                result = "fulfilled";
            }
            else
            {
                output = "";
                result = $"failed: {RequestRecords.ReasonName(s.Reason!.Value)}";
            }
            var mark = o.AsExpected ? "[green]✓[/]" : s is null ? "[yellow]…[/]" : "[red]✗[/]";
            table.AddRow(
                o.RequestId.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(o.Request.Model),
                o.Request.Route == SampleRoute.Consumer ? "dApp" : "direct",
                Markup.Escape(output),
                o.CommitmentDigest is { } digest ? RequestRecords.Short(digest) : s?.OutputHash is { } h ? RequestRecords.Short(h) : "",
                s is null ? "" : RequestRecords.Short(s.TransactionHash),
                o.SettlementReceipt?.GasUsed.ToString(CultureInfo.InvariantCulture) ?? "",
                o.LatencySeconds?.ToString("0.00", CultureInfo.InvariantCulture) ?? "",
                Checked(o),
                $"{mark} {Markup.Escape(result)}{(o.Mismatch is { } m && s is not null ? $" [red]({Markup.Escape(m)})[/]" : "")}");
        }
        table.Caption("output in the model's real units; commitment = the EIP-712 digest the operator signed; checked = output equal to a local ONNX Runtime run");
        console.Write(table);
    }

    private static string Checked(SampleOutcome o) => (o.Local, o.Settlement) switch
    {
        (null, _) => "[grey]n/a[/]",
        ({ IsSuccess: true } local, { Fulfilled: true } s) => local.Output.AsSpan().SequenceEqual(s.Output) ? "[green]ONNX ✓[/]" : "[red]ONNX ✗[/]",
        ({ IsSuccess: false } local, { Fulfilled: false } s) => local.Failure.Reason == (Core.Models.FailureReason)s.Reason!.Value ? "[green]ONNX ✓[/]" : "[red]ONNX ✗[/]",
        (_, null) => "",
        _ => "[red]ONNX ✗[/]",
    };

    public static JsonObject ToJson(ChainSession session, IReadOnlyList<SampleOutcome> outcomes)
    {
        var requests = new JsonArray();
        foreach (var o in outcomes)
        {
            var item = new JsonObject
            {
                ["requestId"] = o.RequestId.ToString(CultureInfo.InvariantCulture),
                ["label"] = o.Request.Label,
                ["model"] = o.Request.Model,
                ["modelId"] = Hex.Encode(o.Model.ModelId),
                ["route"] = o.Request.Route == SampleRoute.Consumer ? "CreditScoreConsumer.requestScore" : "InferenceOracle.requestInference",
                ["input"] = new JsonArray(o.Request.Input.Select(v => (JsonNode)v).ToArray()),
                ["inputHash"] = Hex.Encode(o.InputHash),
                ["expected"] = o.Request.ExpectedFailure is { } reason ? $"failed:{RequestRecords.ReasonName((ushort)reason)}" : "fulfilled",
                ["requestTx"] = o.RequestReceipt is { } rr ? Hex.Encode(rr.TransactionHash) : null,
                ["requestGasUsed"] = o.RequestReceipt?.GasUsed,
            };
            if (o.Settlement is { } s)
            {
                foreach (var (k, v) in RequestRecords.ToJson(s, o.OutputSpec))
                    if (k != "requestId") item[k] = v?.DeepClone();
                item["commitmentDigest"] = o.CommitmentDigest is { } digest ? Hex.Encode(digest) : null;
                item["settlementGasUsed"] = o.SettlementReceipt?.GasUsed;
                item["latencySeconds"] = o.LatencySeconds is { } l ? Math.Round(l, 3) : null;
                item["callbackDelivered"] = o.CallbackDelivered;
            }
            else
            {
                item["status"] = "pending";
            }
            item["localOutputMatches"] = o.Local is { IsSuccess: true } local && o.Settlement is { Fulfilled: true } f ? local.Output.AsSpan().SequenceEqual(f.Output) : null;
            item["localFailure"] = o.Local is { IsSuccess: false } lf ? RequestRecords.ReasonName((ushort)lf.Failure.Reason) : null;
            item["asExpected"] = o.AsExpected;
            item["problem"] = o.Mismatch;
            requests.Add(item);
        }
        return new JsonObject
        {
            ["ok"] = outcomes.All(o => o.AsExpected),
            ["chainId"] = session.ChainId.ToString(CultureInfo.InvariantCulture),
            ["inferenceOracle"] = session.Deployment.InferenceOracle.ToString(),
            ["creditScoreConsumer"] = session.Deployment.CreditScoreConsumer?.ToString(),
            ["requests"] = requests,
        };
    }
}
