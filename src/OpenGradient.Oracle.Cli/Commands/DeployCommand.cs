using System.CommandLine;
using System.Globalization;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Ethereum.Primitives;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle deploy</c>: ModelRegistry, OperatorRegistry, InferenceOracle, optionally the example consumer.</summary>
internal static class DeployCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("deploy",
            "Deploy the model registry, the operator registry and the oracle (wired together), and optionally the example " +
            "CreditScoreConsumer. Prints the deployment JSON on stdout and the addresses as a table on stderr.");
        var minStake = new Option<string>("--min-stake")
        {
            Description = $"Stake an operator needs to be active: {WeiAmount.Syntax}.",
            DefaultValueFactory = _ => "1eth",
        };
        var unbondingDelay = new Option<ulong>("--unbonding-delay")
        {
            Description = "Seconds between an operator's unbond request and its withdrawal; keep it above the oracle's 30-day deadline window so a losing commitment stays slashable.",
            DefaultValueFactory = _ => 31UL * 24 * 3600,
        };
        var exampleModel = new Option<FileInfo?>("--example-consumer-model")
        {
            Description = "Also deploy the example CreditScoreConsumer asking this ONNX model (model id = keccak256 of the file; its element types come from the manifest).",
        };
        var models = new Option<FileInfo?>("--models")
        {
            Description = "Model manifest with the example model's tensor specs (default: models.json next to the model file).",
        };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Also write the deployment JSON to this file (what --deployment of the other commands reads).",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        ChainOptions.AddTo(command, deployment: false);
        KeyLoader.AddTo(command);
        command.Options.Add(minStake);
        command.Options.Add(unbondingDelay);
        command.Options.Add(exampleModel);
        command.Options.Add(models);
        command.Options.Add(output);
        command.Options.Add(force);

        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var stake = WeiAmount.Parse(parse.GetValue(minStake)!, "--min-stake");
            var outFile = parse.GetValue(output);
            if (outFile is { Exists: true } && !parse.GetValue(force))
                throw new CliException($"{outFile.FullName} already exists", ExitCodes.Input, "choose another --out, or pass --force to overwrite it");

            var plan = new DeploymentPlan(stake, parse.GetValue(unbondingDelay));
            if (parse.GetValue(exampleModel) is { } modelFile)
            {
                var modelId = ModelManifestFile.HashFile(modelFile.FullName);
                var manifestPath = parse.GetValue(models)?.FullName ?? Path.Combine(modelFile.DirectoryName ?? ".", "models.json");
                var entry = ModelManifestFile.Load(manifestPath).FindById(modelId)
                    ?? throw new CliException($"{manifestPath} lists no model with the id {Hex.Encode(modelId)} of {modelFile.FullName}",
                        ExitCodes.Input, "add the model to the manifest, or pass the right one with --models");
                plan = plan with { ExampleConsumerModelId = modelId, ExampleInputType = entry.Input.ElementType, ExampleOutputType = entry.Output.ElementType };
            }

            var key = KeyLoader.Load(parse, context.Console);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: false, cancellationToken);
            var deployer = new OracleDeployer(session.Sender(key)) { ReceiptTimeout = ChainSession.ReceiptTimeout };
            var deployment = await deployer.DeployAsync(plan,
                new Progress<string>(step => context.Console.MarkupLineInterpolated($"[grey]deploying {step}[/]")), cancellationToken);

            var json = deployment.ToJson();
            if (outFile is not null)
            {
                outFile.Directory?.Create();
                await File.WriteAllTextAsync(outFile.FullName, json, cancellationToken);
            }
            var table = new Table().AddColumn("contract").AddColumn("address");
            table.AddRow("ModelRegistry", deployment.ModelRegistry.ToString());
            table.AddRow("OperatorRegistry", deployment.OperatorRegistry.ToString());
            table.AddRow("InferenceOracle", deployment.InferenceOracle.ToString());
            if (deployment.CreditScoreConsumer is { } consumer) table.AddRow("CreditScoreConsumer", consumer.ToString());
            table.Caption($"chain {deployment.ChainId.ToString(CultureInfo.InvariantCulture)}, from block {deployment.DeploymentBlock.ToString(CultureInfo.InvariantCulture)}, min stake {Markup.Escape(WeiAmount.Format(deployment.MinStake))}");
            context.Console.Write(table);
            if (outFile is not null) context.Console.MarkupLineInterpolated($"[grey]deployment written to {outFile.FullName}[/]");
            await context.Out.WriteAsync(json);
            return ExitCodes.Success;
        }));
        return command;
    }
}
