using System.CommandLine;
using System.Globalization;
using System.Numerics;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.Verification;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary>
/// <c>og-oracle verify</c> and <c>og-oracle export</c> (docs/VERIFICATION.md): anyone re-checks a settled request from
/// the chain or from a proof bundle. Check lines go to stdout; the progress bar of --all to stderr.
/// Exit codes: 0 every check holds, 1 a check failed (the result is refuted), 3 something could not be checked
/// (model file missing or not matching its id, bad bundle, unknown or unsettled request).
/// </summary>
internal static class VerifyCommands
{
    private static readonly Option<string?> RpcOption = new("--rpc") { Description = "JSON-RPC endpoint of any node of the chain." };
    private static readonly Option<string?> OracleOption = new("--oracle") { Description = "Address of the InferenceOracle contract." };
    private static readonly Option<string?> RequestOption = new("--request") { Description = "The request id (decimal)." };
    private static readonly Option<ulong?> FromBlockOption = new("--from-block")
    {
        Description = "First block to search (the oracle's deployment block makes lookups cheap). Required with --all.",
    };

    private static readonly Option<ulong> MaxBlockRangeOption = new("--max-block-range")
    {
        Description = "Split log searches into calls of at most this many blocks (public RPC providers cap eth_getLogs); 0 = one call.",
    };

    private static readonly Option<DirectoryInfo?> ModelDirOption = new("--model-dir")
    {
        Description = "Folder of ONNX files; a file is used only if its keccak256 is the model id. Without it, the registry URI is tried.",
    };

    public static void AddTo(RootCommand root, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(BuildVerify(context));
        root.Subcommands.Add(BuildExport(context));
    }

    private static Command BuildVerify(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Verify every request settled in [--from-block, --to-block]." };
        var toBlock = new Option<string?>("--to-block") { Description = "Last block for --all: a number or 'latest' (default)." };
        var bundleOption = new Option<FileInfo?>("--bundle")
        {
            Description = "Verify a proof bundle written by `og-oracle export`, without any RPC; with --rpc, also compare it with the chain's record.",
        };

        var verify = new Command("verify", "Re-check a settled request: hashes, re-execution, EIP-712 signatures, operators, quorum.");
        foreach (var option in new Option[] { RpcOption, OracleOption, RequestOption, all, FromBlockOption, toBlock, MaxBlockRangeOption, bundleOption, ModelDirOption })
            verify.Options.Add(option);
        verify.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var modelDir = ModelDirectory(parse);
            if (parse.GetValue(bundleOption) is { } bundleFile)
            {
                if (parse.GetValue(RequestOption) is not null || parse.GetValue(all) || parse.GetValue(OracleOption) is not null)
                    throw new CliException("--bundle names its oracle and request; it takes no --oracle, --request or --all", ExitCodes.Usage);
                return await VerifyBundleAsync(context, bundleFile, modelDir, OptionalRpc(parse), cancellationToken);
            }

            var (rpcUri, oracle) = Endpoint(parse);
            using var rpc = new EthRpcClient(rpcUri);
            if (parse.GetValue(all))
            {
                if (parse.GetValue(RequestOption) is not null) throw new CliException("give either --request or --all, not both", ExitCodes.Usage);
                var from = parse.GetValue(FromBlockOption) ?? throw new CliException("--all needs --from-block", ExitCodes.Usage,
                    "pass the oracle's deployment block, e.g. --from-block 0 on a devnet");
                var to = await ToBlockAsync(rpc, parse.GetValue(toBlock), cancellationToken);
                return await VerifyRangeAsync(context, Reader(parse, rpc, oracle, from), rpc, from, to, modelDir, cancellationToken);
            }
            var requestId = RequestId(parse);
            var reader = Reader(parse, rpc, oracle, parse.GetValue(FromBlockOption) ?? 0);
            var bundle = await ReadAsync(reader, requestId, cancellationToken);
            using var inference = CreateInference(modelDir);
            var report = await OnlineVerifier(inference, rpc, bundle).VerifyAsync(bundle, $"chain {bundle.ChainId} via {rpcUri}, oracle {oracle}", cancellationToken);
            Print(context, report);
            return ExitCode(report.Verdict);
        }));
        return verify;
    }

    private static Command BuildExport(CliContext context)
    {
        var outOption = new Option<FileInfo?>("--out") { Description = "Write the bundle here instead of standard output (refuses to overwrite)." };
        var export = new Command("export", "Write the proof bundle of a settled request (JSON): everything `verify --bundle` needs offline.");
        foreach (var option in new Option[] { RpcOption, OracleOption, RequestOption, FromBlockOption, MaxBlockRangeOption, outOption })
            export.Options.Add(option);
        export.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var (rpcUri, oracle) = Endpoint(parse);
            var requestId = RequestId(parse);
            var target = parse.GetValue(outOption);
            if (target is { Exists: true })
                throw new CliException($"{target.FullName} already exists", ExitCodes.Input, "remove it or choose another --out");
            using var rpc = new EthRpcClient(rpcUri);
            var bundle = await ReadAsync(Reader(parse, rpc, oracle, parse.GetValue(FromBlockOption) ?? 0), requestId, cancellationToken);
            var json = ProofBundleJson.Write(bundle);
            if (target is null)
            {
                await context.Out.WriteAsync(json);
            }
            else
            {
                await File.WriteAllTextAsync(target.FullName, json, cancellationToken);
                context.Console.MarkupLineInterpolated($"[green]wrote[/] {target.FullName} (request {requestId}, {bundle.Commitments.Count} commitment(s))");
            }
            return ExitCodes.Success;
        }));
        return export;
    }

    // ------------------------------------------------------------------ the three modes

    /// <summary>Offline; with <paramref name="rpc"/> the bundle is also compared field by field with the chain's
    /// record (check <c>chain-record</c>) and operator state comes from the chain instead of the bundle.</summary>
    private static async Task<int> VerifyBundleAsync(CliContext context, FileInfo file, DirectoryInfo? modelDir, Uri? rpc, CancellationToken cancellationToken)
    {
        if (!file.Exists) throw new CliException($"bundle {file.FullName} does not exist", ExitCodes.Input, "write one with `og-oracle export --out FILE`");
        ProofBundle bundle;
        try
        {
            bundle = ProofBundleJson.Parse(await File.ReadAllTextAsync(file.FullName, cancellationToken));
        }
        catch (ProofBundleFormatException e)
        {
            throw new CliException($"{file.FullName} is not a usable proof bundle: {e.Message}", ExitCodes.Input, inner: e);
        }
        using var inference = CreateInference(modelDir);
        VerificationReport report;
        if (rpc is null)
        {
            report = await new Verifier(inference, new RecordedOperatorStatus(bundle)).VerifyAsync(bundle, $"bundle {file.FullName} (offline)", cancellationToken);
        }
        else
        {
            using var client = new EthRpcClient(rpc);
            var (anchor, onChain) = await ChainRecordComparison.CompareAsync(bundle, client, cancellationToken);
            var registry = onChain?.OperatorRegistry ?? bundle.OperatorRegistry;
            report = await new Verifier(inference, new ChainOperatorStatus(client, registry), client)
                .VerifyAsync(bundle, $"bundle {file.FullName} checked against chain via {rpc}", cancellationToken);
            report = report with { Checks = [anchor, .. report.Checks] };
        }
        Print(context, report);
        return ExitCode(report.Verdict);
    }

    private static async Task<int> VerifyRangeAsync(CliContext context, SettlementReader reader, EthRpcClient rpc, ulong from, ulong to,
        DirectoryInfo? modelDir, CancellationToken cancellationToken)
    {
        var oracle = reader.Oracle;
        var ids = await reader.FindSettledAsync(from, to, cancellationToken);
        if (ids.Count == 0)
        {
            await context.Out.WriteLineAsync($"no request settled by {oracle} in blocks {from}..{to}");
            return ExitCodes.Success;
        }

        using var inference = CreateInference(modelDir);
        var reports = new List<VerificationReport>();
        var unreadable = new List<(BigInteger Id, string Reason)>();
        await context.Console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask($"verifying {ids.Count} request(s)", maxValue: ids.Count);
            foreach (var id in ids)
            {
                try
                {
                    var bundle = await reader.ReadAsync(id, cancellationToken);
                    reports.Add(await OnlineVerifier(inference, rpc, bundle).VerifyAsync(bundle, $"oracle {oracle}", cancellationToken));
                }
                catch (Exception e) when (e is SettlementReadException or AbiDecodingException)
                {
                    // One unreadable request must not hide the verdicts on the others.
                    unreadable.Add((id, e.Message));
                }
                task.Increment(1);
            }
        });

        foreach (var report in reports)
        {
            await context.Out.WriteLineAsync($"{(report.Verdict == Verdict.Verified ? "✓" : "✗")} request {report.RequestId}: {VerdictText(report)}");
            foreach (var check in report.Checks.Where(c => !c.Passed)) await context.Out.WriteLineAsync($"    {check}");
        }
        foreach (var (id, reason) in unreadable) await context.Out.WriteLineAsync($"✗ request {id}: could not be read: {reason}");
        var refuted = reports.Count(r => r.Verdict == Verdict.Refuted);
        var incomplete = reports.Count(r => r.Verdict == Verdict.Incomplete) + unreadable.Count;
        var verified = reports.Count(r => r.Verdict == Verdict.Verified);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{ids.Count} settled request(s) in blocks {from}..{to}: {verified} verified, {refuted} refuted, {incomplete} not fully checked"));
        return refuted > 0 ? ExitCodes.Negative : incomplete > 0 ? ExitCodes.Input : ExitCodes.Success;
    }

    // ------------------------------------------------------------------ helpers

    private static SettlementReader Reader(ParseResult parse, EthRpcClient rpc, Address oracle, ulong fromBlock) =>
        new(rpc, oracle) { FromBlock = fromBlock, MaxBlockRange = parse.GetValue(MaxBlockRangeOption) };

    private static Verifier OnlineVerifier(IOracleInference inference, EthRpcClient rpc, ProofBundle bundle) =>
        new(inference, new ChainOperatorStatus(rpc, bundle.OperatorRegistry), rpc);

    private static IOracleInference CreateInference(DirectoryInfo? modelDir) =>
        OracleInference.Create(new InferenceOptions { ModelDirectory = modelDir?.FullName });

    private static async Task<ProofBundle> ReadAsync(SettlementReader reader, BigInteger requestId, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(requestId, cancellationToken);
        }
        catch (SettlementReadException e)
        {
            throw new CliException(e.Message, ExitCodes.Input, "check --oracle and --request (and --from-block, if given)", e);
        }
        catch (AbiDecodingException e)
        {
            throw new CliException($"{reader.Oracle} does not answer like an InferenceOracle: {e.Message}", ExitCodes.Input, "check --oracle", e);
        }
    }

    private static void Print(CliContext context, VerificationReport report)
    {
        context.Out.WriteLine($"request {report.RequestId} — {report.Source}");
        foreach (var check in report.Checks) context.Out.WriteLine($"  {check}");
        context.Out.WriteLine($"verdict: {VerdictText(report)}");
    }

    private static string VerdictText(VerificationReport report)
    {
        var failed = report.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => c.Name).ToList();
        var open = report.Checks.Where(c => c.Outcome is CheckOutcome.Unverifiable or CheckOutcome.Skipped).Select(c => c.Name).ToList();
        return report.Verdict switch
        {
            Verdict.Verified => $"VERIFIED — all {report.Checks.Count} checks hold",
            Verdict.Refuted => $"REFUTED — failed: {string.Join(", ", failed)}",
            _ => $"INCOMPLETE — could not check: {string.Join(", ", open)}",
        };
    }

    private static int ExitCode(Verdict verdict) => verdict switch
    {
        Verdict.Verified => ExitCodes.Success,
        Verdict.Refuted => ExitCodes.Negative,
        _ => ExitCodes.Input,
    };

    private static (Uri Rpc, Address Oracle) Endpoint(ParseResult parse)
    {
        var rpc = OptionalRpc(parse) ?? throw new CliException("--rpc is required (or use --bundle)", ExitCodes.Usage);
        var oracleText = parse.GetValue(OracleOption) ?? throw new CliException("--oracle is required", ExitCodes.Usage);
        try
        {
            return (rpc, Address.Parse(oracleText));
        }
        catch (FormatException e)
        {
            throw new CliException($"--oracle: {e.Message}", ExitCodes.Usage, inner: e);
        }
    }

    private static Uri? OptionalRpc(ParseResult parse)
    {
        if (parse.GetValue(RpcOption) is not { } text) return null;
        return Uri.TryCreate(text, UriKind.Absolute, out var rpc) && (rpc.Scheme == Uri.UriSchemeHttp || rpc.Scheme == Uri.UriSchemeHttps)
            ? rpc : throw new CliException($"--rpc '{text}' is not an http(s) URL", ExitCodes.Usage);
    }

    private static BigInteger RequestId(ParseResult parse)
    {
        var text = parse.GetValue(RequestOption) ?? throw new CliException("--request is required", ExitCodes.Usage);
        return BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id : throw new CliException($"--request '{text}' is not a request id (a positive decimal integer)", ExitCodes.Usage);
    }

    private static DirectoryInfo? ModelDirectory(ParseResult parse)
    {
        var dir = parse.GetValue(ModelDirOption);
        if (dir is { Exists: false }) throw new CliException($"--model-dir {dir.FullName} does not exist", ExitCodes.Input);
        return dir;
    }

    private static async Task<ulong> ToBlockAsync(EthRpcClient rpc, string? text, CancellationToken cancellationToken)
    {
        if (text is null or "latest") return await rpc.BlockNumberAsync(cancellationToken);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new CliException($"--to-block '{text}' is not a block number or 'latest'", ExitCodes.Usage);
    }
}
