using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Primitives;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle model register|show</c>: models are registered by content hash, with their tensor specs.</summary>
internal static class ModelCommands
{
    public static Command Build(CliContext context)
    {
        var model = new Command("model", "Register ONNX models (by content hash) and inspect registered ones.");
        model.Subcommands.Add(BuildRegister(context));
        model.Subcommands.Add(BuildShow(context));
        return model;
    }

    private static Command BuildRegister(CliContext context)
    {
        var command = new Command("register",
            "Register an ONNX model: model id = keccak256(file), tensor specs from the model manifest (models.json next to the " +
            "file by default) or from --input-spec/--output-spec. Prints the model id on stdout.");
        var file = new Option<FileInfo>("--file") { Description = "The ONNX model file.", Required = true };
        var uri = new Option<string?>("--uri")
        {
            Description = "Where nodes can fetch the file (file:// or http(s):// on loopback). Default: empty, nodes use their model folder.",
        };
        var fee = new Option<string?>("--fee")
        {
            Description = $"Fee per operator result: {WeiAmount.Syntax}. Default: the manifest's feeWei, else 0.",
        };
        var spec = new Option<string?>("--spec")
        {
            Description = "Name of the manifest entry to use (e.g. credit-scorer). Default: the entry whose modelId matches the file.",
        };
        var models = new Option<FileInfo?>("--models") { Description = "The model manifest (default: models.json next to --file)." };
        var inputSpec = new Option<string?>("--input-spec")
        {
            Description = "Input tensor spec as JSON instead of the manifest: {\"elementType\":3,\"decimals\":4,\"minValue\":-1000000,\"maxValue\":1000000,\"shape\":[1,8]} (elementType 1..4 = INT8..INT64).",
        };
        var outputSpec = new Option<string?>("--output-spec") { Description = "Output tensor spec as JSON (same form as --input-spec)." };
        ChainOptions.AddTo(command);
        KeyLoader.AddTo(command);
        foreach (var o in new Option[] { file, uri, fee, spec, models, inputSpec, outputSpec }) command.Options.Add(o);

        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!.FullName;
            var modelId = ModelManifestFile.HashFile(path);
            TensorSpec input, output;
            BigInteger feeWei = 0;
            string source;
            var inputJson = parse.GetValue(inputSpec);
            var outputJson = parse.GetValue(outputSpec);
            if (inputJson is not null || outputJson is not null)
            {
                if (inputJson is null || outputJson is null)
                    throw new CliException("--input-spec and --output-spec go together", ExitCodes.Usage, "give both, or neither to use the manifest");
                try
                {
                    input = ModelManifestFile.ParseSpec(inputJson, "--input-spec");
                    output = ModelManifestFile.ParseSpec(outputJson, "--output-spec");
                }
                catch (FormatException e)
                {
                    throw new CliException(e.Message, ExitCodes.Usage, "see `og-oracle model register --help` for the JSON form", e);
                }
                source = "--input-spec/--output-spec";
            }
            else
            {
                var manifest = ModelManifestFile.Load(parse.GetValue(models)?.FullName ?? Path.Combine(Path.GetDirectoryName(path)!, "models.json"));
                var name = parse.GetValue(spec);
                var entry = (name is not null
                                ? manifest.FindByName(name) ?? throw new CliException($"{manifest.Path} has no model named {name}", ExitCodes.Input,
                                    $"known: {string.Join(", ", manifest.Models.Select(m => m.Name))}")
                                : manifest.FindById(modelId) ?? manifest.FindByName(Path.GetFileName(path)))
                            ?? throw new CliException($"{manifest.Path} lists no model with the id {Hex.Encode(modelId)} of {path}",
                                ExitCodes.Input, "pass --spec NAME, or --input-spec/--output-spec");
                if (!entry.ModelId.AsSpan().SequenceEqual(modelId))
                    throw new CliException(
                        $"{path} hashes to {Hex.Encode(modelId)}, but {manifest.Path} says {entry.Name} is {Hex.Encode(entry.ModelId)}",
                        ExitCodes.Input, "the file is not the one the manifest describes: regenerate it or fix the manifest");
                (input, output, feeWei) = (entry.Input, entry.Output, entry.FeeWei);
                source = $"{manifest.Path} ({entry.Name})";
            }
            if (parse.GetValue(fee) is { } feeText) feeWei = WeiAmount.Parse(feeText, "--fee");

            var key = KeyLoader.Load(parse, context.Console);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            context.Console.MarkupLineInterpolated($"[grey]model {Hex.Encode(modelId)}: specs from {source}, fee {WeiAmount.Format(feeWei)}[/]");
            await session.SendAsync(session.Sender(key), "registerModel", new TransactionCall(session.Deployment.ModelRegistry,
                ModelRegistryContract.EncodeRegisterModel(modelId, parse.GetValue(uri) ?? "", SpecConversion.ToAbi(input), SpecConversion.ToAbi(output), feeWei)),
                cancellationToken);
            await context.Out.WriteLineAsync(Hex.Encode(modelId));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command BuildShow(CliContext context)
    {
        var command = new Command("show", "Print a registered model (owner, fee, state, URI, tensor specs) as JSON. Exit 1 if it is not registered.");
        var id = new Option<string?>("--id") { Description = "The model id (0x + 64 hex digits)." };
        var file = new Option<FileInfo?>("--file") { Description = "The ONNX file (its keccak256 is the model id)." };
        ChainOptions.AddTo(command);
        command.Options.Add(id);
        command.Options.Add(file);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var modelId = ModelIdOf(parse.GetValue(id), parse.GetValue(file), "--id", "--file");
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            var info = await GetRegisteredModelAsync(session, modelId, cancellationToken);
            var json = new JsonObject
            {
                ["modelId"] = Hex.Encode(modelId),
                ["owner"] = info.Owner.ToString(),
                ["feeWei"] = info.Fee.ToString(CultureInfo.InvariantCulture),
                ["revoked"] = info.Revoked,
                ["uri"] = info.Uri,
                ["inputBytes"] = (long)info.InputBytes,
                ["outputBytes"] = (long)info.OutputBytes,
                ["input"] = ModelManifestFile.SpecToJson(SpecConversion.FromAbi(info.Input)),
                ["output"] = ModelManifestFile.SpecToJson(SpecConversion.FromAbi(info.Output)),
            };
            await context.Out.WriteLineAsync(json.ToJsonString(CliJson.Options));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The model id from an explicit id or a file; exactly one must be given.</summary>
    internal static byte[] ModelIdOf(string? id, FileInfo? file, string idOption, string fileOption)
    {
        if ((id is null) == (file is null))
            throw new CliException($"give exactly one of {idOption} and {fileOption}", ExitCodes.Usage);
        if (file is not null) return ModelManifestFile.HashFile(file.FullName);
        try
        {
            return Hex.DecodeFixed(id!, 32);
        }
        catch (FormatException e)
        {
            throw new CliException($"{idOption} {id} is not a model id", ExitCodes.Usage, "a model id is 0x followed by 64 hex digits", e);
        }
    }

    /// <summary>getModel, with "not registered" as a negative answer (exit 1) rather than a revert.</summary>
    internal static async Task<ModelRegistryContract.ModelInfo> GetRegisteredModelAsync(ChainSession session, byte[] modelId, CancellationToken cancellationToken)
    {
        try
        {
            return await session.GetModelAsync(modelId, cancellationToken);
        }
        catch (ContractRevertedException e) when (e.ErrorName == "ModelRegistryUnknownModel")
        {
            throw new CliException($"model {Hex.Encode(modelId)} is not registered in {session.Deployment.ModelRegistry}", ExitCodes.Negative,
                "register it with `og-oracle model register --file FILE`", e);
        }
    }
}
