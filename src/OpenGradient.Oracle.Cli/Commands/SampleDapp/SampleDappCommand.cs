using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands.SampleDapp;

/// <summary>
/// <c>og-oracle sample-dapp</c>: the demo's example dApp. Sends <see cref="SampleScenario.Requests"/>, waits for each
/// to settle, checks every outcome (status, failure reason, the dApp's callback, and the output against a local
/// ONNX Runtime run of the same model file), and prints a table.
/// </summary>
internal static class SampleDappCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("sample-dapp",
            "Act as the example dApp: score three loan applicants through CreditScoreConsumer, ask risk-mlp and int8-classifier " +
            "directly, and send one input the model's spec forbids. Waits for every request to settle and prints a table. " +
            "Exit 0 only if every request settled as expected (good ones fulfilled with the output a local ONNX Runtime run " +
            "gives, the bad one failed with INPUT_OUT_OF_RANGE); 1 if one did not; 6 if one had not settled by --timeout.");
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait, after the last request is sent, for all of them to settle.",
            DefaultValueFactory = _ => 120,
        };
        var models = new Option<FileInfo>("--models")
        {
            Description = "Model manifest naming the bundled models (their files, next to it, are run locally to check outputs).",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("models", "models.json")),
        };
        var json = new Option<FileInfo?>("--json") { Description = "Also write a JSON summary of every request to this file." };
        ChainOptions.AddTo(command);
        KeyLoader.AddTo(command);
        command.Options.Add(timeout);
        command.Options.Add(models);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var waitSeconds = parse.GetValue(timeout);
            if (waitSeconds < 0) throw new CliException("--timeout must not be negative", ExitCodes.Usage);
            var manifest = ModelManifestFile.Load(parse.GetValue(models)!.FullName);
            var key = KeyLoader.Load(parse, context.Console);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            using var inference = OracleInference.Create(new InferenceOptions { ModelDirectory = manifest.Directory });
            var run = new SampleRun(context, session, manifest, key, inference);
            var outcomes = await run.ExecuteAsync(TimeSpan.FromSeconds(waitSeconds), cancellationToken);

            SampleReport.WriteTable(context.Console, outcomes);
            if (parse.GetValue(json) is { } file)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, SampleReport.ToJson(session, outcomes).ToJsonString(CliJson.Options) + "\n", cancellationToken);
                context.Console.MarkupLineInterpolated($"[grey]summary written to {file.FullName}[/]");
            }
            var unsettled = outcomes.Count(o => o.Settlement is null);
            var unexpected = outcomes.Count(o => o.Settlement is not null && !o.AsExpected);
            await context.Out.WriteLineAsync(unsettled + unexpected == 0 ? "ok" : "not ok");
            if (unexpected > 0)
            {
                context.Console.MarkupLineInterpolated($"[red]{unexpected} request(s) did not settle as expected[/]");
                return ExitCodes.Negative;
            }
            if (unsettled > 0)
            {
                context.Console.MarkupLineInterpolated($"[red]{unsettled} request(s) had not settled after {waitSeconds} s[/]");
                context.Console.MarkupLine("[grey]hint:[/] check that an oracle node runs for this deployment (`og-oracle node run --config FILE`), or raise --timeout");
                return ExitCodes.Timeout;
            }
            context.Console.MarkupLine("[green]every request settled as expected[/]");
            return ExitCodes.Success;
        }));
        return command;
    }
}

/// <summary>One sample request after the run.</summary>
internal sealed class SampleOutcome(SampleRequest request, ManifestModel model, TensorSpec inputSpec, TensorSpec outputSpec)
{
    public SampleRequest Request { get; } = request;
    public ManifestModel Model { get; } = model;
    public TensorSpec InputSpec { get; } = inputSpec;
    public TensorSpec OutputSpec { get; } = outputSpec;
    public BigInteger RequestId { get; set; }
    public byte[] Input { get; set; } = [];
    public byte[] InputHash { get; set; } = [];
    public RpcReceipt? RequestReceipt { get; set; }
    public DateTimeOffset MinedAt { get; set; }
    public Settlement? Settlement { get; set; }
    public RpcReceipt? SettlementReceipt { get; set; }
    public byte[]? CommitmentDigest { get; set; }
    public bool? CallbackDelivered { get; set; }

    /// <summary>The local ONNX Runtime run of the same model file: output bytes or failure; null if it could not run.</summary>
    public InferenceResult? Local { get; set; }

    public string? LocalProblem { get; set; }

    public double? LatencySeconds => Settlement is null ? null : Math.Max(0, (Settlement.ObservedAt - MinedAt).TotalSeconds);

    /// <summary>Null if it matches (or could not be checked); otherwise what differs.</summary>
    public string? Mismatch
    {
        get
        {
            if (Settlement is not { } s) return "not settled";
            if (Request.ExpectedFailure is { } reason)
            {
                if (s.Fulfilled) return $"fulfilled, expected {RequestRecords.ReasonName((ushort)reason)}";
                if (s.Reason != (ushort)reason) return $"failed with {RequestRecords.ReasonName(s.Reason!.Value)}, expected {RequestRecords.ReasonName((ushort)reason)}";
            }
            else
            {
                if (!s.Fulfilled) return $"failed with {RequestRecords.ReasonName(s.Reason!.Value)}";
                if (Local is { IsSuccess: true } local && !local.Output.AsSpan().SequenceEqual(s.Output)) return "output differs from the local ONNX Runtime run";
                if (Local is { IsSuccess: false } failed) return $"the local run failed: {failed.Failure}";
            }
            if (CallbackDelivered == false) return "the dApp's callback did not run";
            return null;
        }
    }

    public bool AsExpected => Mismatch is null;
}

/// <summary>Sends the scenario, follows settlements in the background, then gathers receipts and local checks.</summary>
internal sealed class SampleRun(CliContext context, ChainSession session, ModelManifestFile manifest, PrivateKey key, IOracleInference inference)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<IReadOnlyList<SampleOutcome>> ExecuteAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var d = session.Deployment;
        var consumer = d.CreditScoreConsumer
            ?? throw new CliException("the deployment has no CreditScoreConsumer", ExitCodes.Input,
                "deploy with `og-oracle deploy --example-consumer-model models/credit-scorer.onnx`");
        var consumerModelId = CreditScoreConsumerContract.DecodeModelIdOutput(await session.CallAsync(consumer, CreditScoreConsumerContract.EncodeModelId(), cancellationToken));

        var outcomes = new List<SampleOutcome>();
        foreach (var request in SampleScenario.Requests)
        {
            var entry = manifest.FindByName(request.Model)
                ?? throw new CliException($"{manifest.Path} has no model {request.Model}", ExitCodes.Input, "use the repository's models/models.json");
            if (request.Route == SampleRoute.Consumer && !entry.ModelId.AsSpan().SequenceEqual(consumerModelId))
                throw new CliException($"the deployed CreditScoreConsumer asks model {Hex.Encode(consumerModelId)}, not {request.Model} ({Hex.Encode(entry.ModelId)})",
                    ExitCodes.Input, "deploy with `og-oracle deploy --example-consumer-model models/credit-scorer.onnx`");
            var info = await ModelCommands.GetRegisteredModelAsync(session, entry.ModelId, cancellationToken);
            outcomes.Add(new SampleOutcome(request, entry, SpecConversion.FromAbi(info.Input), SpecConversion.FromAbi(info.Output)));
        }

        var sender = session.Sender(key);
        var watcher = new SettlementWatcher(session.Rpc, d.InferenceOracle);
        var byId = new ConcurrentDictionary<BigInteger, SampleOutcome>();
        var allSent = false;
        ulong fromBlock = await session.Rpc.BlockNumberAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Follow settlements while the requests are still being sent, so each latency starts at its own request.
        var follower = Task.Run(async () =>
        {
            while (true)
            {
                var done = Volatile.Read(ref allSent);
                var open = byId.Values.Where(o => o.Settlement is null).Select(o => o.RequestId).ToArray();
                if (open.Length > 0)
                {
                    foreach (var (id, s) in await watcher.ReadAsync(open, fromBlock, stop.Token))
                    {
                        var outcome = byId[id];
                        if (outcome.Settlement is not null) continue;
                        outcome.Settlement = s;
                        context.Console.MarkupLineInterpolated(
                            $"[grey]request {id} {(s.Fulfilled ? "fulfilled" : "failed: " + RequestRecords.ReasonName(s.Reason!.Value))} after {outcome.LatencySeconds:0.00} s[/]");
                    }
                }
                else if (done)
                {
                    return;
                }
                await Task.Delay(PollInterval, stop.Token);
            }
        }, stop.Token);

        try
        {
            var head = await session.Rpc.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken)
                ?? throw new InvalidOperationException("the node has no latest block");
            var deadline = head.Timestamp + 3600;
            foreach (var outcome in outcomes)
            {
                var values = outcome.Request.Input.Select(v => FixedPointText.TryParse(v, outcome.InputSpec.Decimals, out var q)
                    ? (long)q : throw new InvalidOperationException($"sample input {v} does not fit {outcome.Request.Model}")).ToArray();
                var terms = await session.GetModelTermsAsync(outcome.Model.ModelId, cancellationToken);
                var call = outcome.Request.Route == SampleRoute.Consumer
                    ? new TransactionCall(consumer, CreditScoreConsumerContract.EncodeRequestScore(TensorText.ToBig(values), 1, deadline), terms.Fee)
                    : new TransactionCall(d.InferenceOracle, InferenceOracleContract.EncodeRequestInference(
                        outcome.Model.ModelId, TensorCodec.Encode(values, outcome.InputSpec), 0, 1, deadline), terms.Fee);
                var receipt = await sender.SendAndWaitAsync(call, ChainSession.ReceiptTimeout, cancellationToken);
                var requested = RequestRecords.RequestedIn(receipt, d.InferenceOracle);
                outcome.MinedAt = TimeProvider.System.GetUtcNow();
                outcome.RequestReceipt = receipt;
                outcome.RequestId = requested.RequestId;
                outcome.Input = requested.Input;
                outcome.InputHash = requested.Request.InputHash;
                byId[requested.RequestId] = outcome;
                context.Console.MarkupLineInterpolated(
                    $"request {requested.RequestId}: {outcome.Request.Label} ({outcome.Request.Model}, {(outcome.Request.Route == SampleRoute.Consumer ? "via CreditScoreConsumer" : "direct")})");
            }
            Volatile.Write(ref allSent, true);
            await follower.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Reported per request below: the table shows which ones are still pending.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await follower;
            }
            catch (OperationCanceledException)
            {
            }
        }

        var domain = Eip712Domain.InferenceOracle(session.ChainId, d.InferenceOracle);
        foreach (var outcome in outcomes)
        {
            await CheckLocallyAsync(outcome, cancellationToken);
            if (outcome.Settlement is not { } s) continue;
            outcome.SettlementReceipt = await session.Rpc.GetTransactionReceiptAsync(s.TransactionHash, cancellationToken);
            if (s.Runtime is { } runtime)
                outcome.CommitmentDigest = s.Fulfilled
                    ? CommitmentSigning.CommitmentDigest(domain, s.RequestId, outcome.Model.ModelId, outcome.InputHash, s.OutputHash, runtime)
                    : CommitmentSigning.FailureDigest(domain, s.RequestId, outcome.Model.ModelId, outcome.InputHash, s.Reason!.Value, runtime);
            if (outcome.Request.Route == SampleRoute.Consumer && outcome.SettlementReceipt is { } r)
                outcome.CallbackDelivered = r.Logs.Any(log => log.Address == consumer && log.Topics.Count > 1
                    && (CreditScoreConsumerContract.IsScoreReceivedEvent(log.Topics) || CreditScoreConsumerContract.IsScoreFailedEvent(log.Topics))
                    && new BigInteger(log.Topics[1], isUnsigned: true, isBigEndian: true) == s.RequestId);
        }
        return outcomes;
    }

    /// <summary>Runs the same model file on the same input bytes here: the oracle's answer must be this one.</summary>
    private async Task CheckLocallyAsync(SampleOutcome outcome, CancellationToken cancellationToken)
    {
        if (!File.Exists(manifest.FullPathOf(outcome.Model)))
        {
            outcome.LocalProblem = $"{manifest.FullPathOf(outcome.Model)} is missing";
            return;
        }
        if (outcome.Input.Length == 0) return;
        outcome.Local = await inference.RunAsync(new InferenceRequest(outcome.Model.ModelId, null, outcome.InputSpec, outcome.OutputSpec, outcome.Input), cancellationToken);
    }
}
