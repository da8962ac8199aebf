using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle status</c>: one request's state and outcome, or a summary of the deployment.</summary>
internal static class StatusCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("status",
            "Print, as JSON, the state of one request (--request: none, pending, fulfilled, failed or cancelled, with the output " +
            "or failure reason) or a summary of the chain and the deployment. Exit 1 if the request does not exist.");
        var request = new Option<string?>("--request") { Description = "The request id (decimal)." };
        ChainOptions.AddTo(command);
        command.Options.Add(request);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            BigInteger? id = null;
            if (parse.GetValue(request) is { } text)
            {
                if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                    throw new CliException($"--request {text} is not a request id", ExitCodes.Usage, "request ids are decimal integers (1, 2, ...)");
                id = parsed;
            }
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            var json = id is { } requestId ? await RequestAsync(session, requestId, cancellationToken) : await SummaryAsync(session, cancellationToken);
            await context.Out.WriteLineAsync(json.ToJsonString(CliJson.Options));
            if (id is not null)
            {
                var status = json["status"]!.GetValue<string>();
                context.Console.MarkupLineInterpolated($"request {id}: {status}");
                if (status == "none") return ExitCodes.Negative;
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<JsonObject> RequestAsync(ChainSession session, BigInteger id, CancellationToken cancellationToken)
    {
        var oracle = session.Deployment.InferenceOracle;
        var status = (int)InferenceOracleContract.DecodeRequestStatusOutput(
            await session.CallAsync(oracle, InferenceOracleContract.EncodeRequestStatus(id), cancellationToken));
        var json = new JsonObject
        {
            ["requestId"] = id.ToString(CultureInfo.InvariantCulture),
            ["status"] = status < RequestRecords.StatusNames.Length ? RequestRecords.StatusNames[status] : $"status-{status}",
        };
        if (status == 0) return json;
        if (await RequestRecords.FindAsync(session, id, cancellationToken) is not { } found) return json;
        var (requested, block) = found;
        json["modelId"] = Hex.Encode(requested.ModelId);
        json["requester"] = requested.Requester.ToString();
        json["feeWei"] = requested.Request.Fee.ToString(CultureInfo.InvariantCulture);
        json["redundancy"] = (int)requested.Request.Redundancy;
        json["deadline"] = DateTimeOffset.FromUnixTimeSeconds((long)requested.Request.Deadline).ToString("O", CultureInfo.InvariantCulture);
        json["requestBlock"] = block;
        if (status is 2 or 3)
        {
            var settled = await new SettlementWatcher(session.Rpc, oracle).ReadAsync([id], block, cancellationToken);
            if (settled.TryGetValue(id, out var settlement))
            {
                var spec = SpecConversion.FromAbi((await session.GetModelAsync(requested.ModelId, cancellationToken)).Output);
                foreach (var (k, v) in RequestRecords.ToJson(settlement, spec)) json[k] = v?.DeepClone();
            }
        }
        return json;
    }

    private static async Task<JsonObject> SummaryAsync(ChainSession session, CancellationToken cancellationToken)
    {
        var d = session.Deployment;
        var head = await session.Rpc.BlockNumberAsync(cancellationToken);
        var next = InferenceOracleContract.DecodeNextRequestIdOutput(await session.CallAsync(d.InferenceOracle, InferenceOracleContract.EncodeNextRequestId(), cancellationToken));
        var version = InferenceOracleContract.DecodeTypeAndVersionOutput(await session.CallAsync(d.InferenceOracle, InferenceOracleContract.EncodeTypeAndVersion(), cancellationToken));
        var minStake = OperatorRegistryContract.DecodeMinStakeOutput(await session.CallAsync(d.OperatorRegistry, OperatorRegistryContract.EncodeMinStake(), cancellationToken));
        var delay = OperatorRegistryContract.DecodeUnbondingDelayOutput(await session.CallAsync(d.OperatorRegistry, OperatorRegistryContract.EncodeUnbondingDelay(), cancellationToken));
        var table = new Table().HideHeaders().AddColumn("").AddColumn("");
        table.AddRow("chain", $"{session.ChainId} at block {head}");
        table.AddRow("oracle", $"{d.InferenceOracle} ({Markup.Escape(version)})");
        table.AddRow("requests so far", (next - 1).ToString(CultureInfo.InvariantCulture));
        table.AddRow("min stake", Markup.Escape(WeiAmount.Format(minStake)));
        session.Context.Console.Write(table);
        return new JsonObject
        {
            ["chainId"] = session.ChainId.ToString(CultureInfo.InvariantCulture),
            ["blockNumber"] = head,
            ["inferenceOracle"] = d.InferenceOracle.ToString(),
            ["typeAndVersion"] = version,
            ["modelRegistry"] = d.ModelRegistry.ToString(),
            ["operatorRegistry"] = d.OperatorRegistry.ToString(),
            ["creditScoreConsumer"] = d.CreditScoreConsumer?.ToString(),
            ["nextRequestId"] = next.ToString(CultureInfo.InvariantCulture),
            ["minStakeWei"] = minStake.ToString(CultureInfo.InvariantCulture),
            ["unbondingDelaySeconds"] = delay.ToString(CultureInfo.InvariantCulture),
        };
    }
}
