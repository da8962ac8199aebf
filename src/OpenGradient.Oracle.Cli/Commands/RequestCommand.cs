using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle request</c>: one inference request straight to the oracle, optionally waiting for the result.</summary>
internal static class RequestCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("request",
            "Send one inference request to the oracle, paying the model's fee × redundancy. Prints the request id on stdout; " +
            "with --wait, waits for the result and prints it as JSON instead (exit 0 fulfilled, 1 failed on-chain, 6 not settled in time).");
        var modelFile = new Option<FileInfo?>("--model-file") { Description = "The model's ONNX file (its keccak256 is the model id)." };
        var modelId = new Option<string?>("--model-id") { Description = "The model id (0x + 64 hex digits)." };
        var input = new Option<string>("--input")
        {
            Description = "The input tensor's elements, comma-separated, row-major, in the model's real units: with 4 input " +
                          "decimals, 0.5 is sent as 5000. More decimals than the model has are refused, never rounded.",
            Required = true,
        };
        var raw = new Option<bool>("--raw") { Description = "--input holds the raw on-chain integers instead of real units." };
        var unchecked_ = new Option<bool>("--unchecked")
        {
            Description = "Send values outside the model's registered range anyway (the node answers INPUT_OUT_OF_RANGE on-chain).",
        };
        var redundancy = new Option<int>("--redundancy")
        {
            Description = "How many distinct operators must agree (1..7); the fee is multiplied by it.",
            DefaultValueFactory = _ => 1,
        };
        var deadline = new Option<int>("--deadline")
        {
            Description = "Seconds from now after which the request may be cancelled (at most 30 days).",
            DefaultValueFactory = _ => 3600,
        };
        var wait = new Option<bool>("--wait") { Description = "Wait until the request is fulfilled or failed on-chain." };
        var timeout = new Option<int>("--timeout")
        {
            Description = "With --wait: seconds to wait for the settlement before giving up (exit 6).",
            DefaultValueFactory = _ => 60,
        };
        ChainOptions.AddTo(command);
        KeyLoader.AddTo(command);
        foreach (var o in new Option[] { modelFile, modelId, input, raw, unchecked_, redundancy, deadline, wait, timeout }) command.Options.Add(o);

        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var id = ModelCommands.ModelIdOf(parse.GetValue(modelId), parse.GetValue(modelFile), "--model-id", "--model-file");
            var k = parse.GetValue(redundancy);
            if (k is < 1 or > 7) throw new CliException($"--redundancy {k} is outside 1..7", ExitCodes.Usage);
            var window = parse.GetValue(deadline);
            if (window is < 1 or > 30 * 24 * 3600) throw new CliException($"--deadline {window} is outside 1 s .. 30 days", ExitCodes.Usage);
            var waitSeconds = parse.GetValue(timeout);
            if (waitSeconds < 0) throw new CliException("--timeout must not be negative", ExitCodes.Usage);

            var key = KeyLoader.Load(parse, context.Console);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            var model = await ModelCommands.GetRegisteredModelAsync(session, id, cancellationToken);
            var inputSpec = SpecConversion.FromAbi(model.Input);
            var outputSpec = SpecConversion.FromAbi(model.Output);
            var values = TensorText.Parse(parse.GetValue(input)!, inputSpec, parse.GetValue(raw), checkRange: !parse.GetValue(unchecked_));
            var terms = await session.GetModelTermsAsync(id, cancellationToken);
            var fee = terms.Fee * k;
            var head = await session.Rpc.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken)
                ?? throw new InvalidOperationException("the node has no latest block");

            var receipt = await session.SendAsync(session.Sender(key), "requestInference", new TransactionCall(session.Deployment.InferenceOracle,
                InferenceOracleContract.EncodeRequestInference(id, TensorCodec.Encode(values, inputSpec), 0, k, head.Timestamp + (ulong)window), fee),
                cancellationToken);
            var requested = RequestRecords.RequestedIn(receipt, session.Deployment.InferenceOracle);
            context.Console.MarkupLineInterpolated($"request {requested.RequestId} sent (fee {WeiAmount.Format(fee)})");
            if (!parse.GetValue(wait))
            {
                await context.Out.WriteLineAsync(requested.RequestId.ToString(CultureInfo.InvariantCulture));
                return ExitCodes.Success;
            }

            var watcher = new SettlementWatcher(session.Rpc, session.Deployment.InferenceOracle);
            var settled = await watcher.WaitAsync([requested.RequestId], receipt.BlockNumber, TimeSpan.FromSeconds(waitSeconds), null, cancellationToken);
            if (!settled.TryGetValue(requested.RequestId, out var settlement))
                throw new TimeoutException($"request {requested.RequestId} did not settle within {waitSeconds} s and is still pending " +
                                           $"(check later with `og-oracle status --request {requested.RequestId}`)");
            var json = RequestRecords.ToJson(settlement, outputSpec);
            json["modelId"] = Hex.Encode(id);
            await context.Out.WriteLineAsync(json.ToJsonString(CliJson.Options));
            if (settlement.Fulfilled)
            {
                context.Console.MarkupLineInterpolated($"[green]fulfilled[/]: {TensorText.Real(RequestRecords.TryDecode(settlement.Output!, outputSpec) ?? [], outputSpec)}");
                return ExitCodes.Success;
            }
            context.Console.MarkupLineInterpolated($"[red]failed[/]: {RequestRecords.ReasonName(settlement.Reason!.Value)}");
            return ExitCodes.Negative;
        }));
        return command;
    }
}
