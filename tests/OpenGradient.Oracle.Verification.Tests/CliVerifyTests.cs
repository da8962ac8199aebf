using Xunit.Abstractions;
using System.Globalization;
using OpenGradient.Oracle.Cli;
using OpenGradient.Oracle.Cli.Infrastructure;
using Spectre.Console;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>og-oracle verify / export in-process: what is printed and the exit codes (0 verified, 1 refuted, 3 not checkable).</summary>
[Collection(DevnetCollection.Name)]
public sealed class CliVerifyTests(DevnetFixture devnet, ITestOutputHelper log)
{
    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(errors),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        var code = await OgOracleCli.InvokeAsync(args, new CliContext(output, console));
        log.WriteLine($"$ og-oracle {string.Join(' ', args)}\n{output}{errors}exit {code}\n");
        return (code, output.ToString(), errors.ToString());
    }

    private string[] Online(params string[] more) =>
        ["verify", "--rpc", devnet.Node.Url.ToString(), "--oracle", devnet.Deployment.InferenceOracle.ToString(), .. more];

    private static string Id(PendingRequest r) => r.Id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Verify_exits_0_and_prints_a_tick_for_every_check_of_an_honest_result()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(40));

        var (code, output, errors) = await RunAsync(Online("--request", Id(request), "--model-dir", RegistryModel.Directory));

        Assert.True(code == 0, output + errors);
        Assert.Contains("  ✓ re-execution: re-running the model gives the settled output bit for bit", output, StringComparison.Ordinal);
        Assert.Contains("  ✓ operator[0]:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
        Assert.Contains("verdict: VERIFIED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_1_and_names_re_execution_for_a_signed_wrong_output()
    {
        var request = await devnet.RequestAsync(RegistryModel.Int8Classifier, Inputs.Int8(41));
        var tampered = await devnet.HonestOutputAsync(request);
        tampered[3] ^= 0x10;
        await devnet.FulfilAsync(request, devnet.Operator1, tampered);

        var (code, output, _) = await RunAsync(Online("--request", Id(request), "--model-dir", RegistryModel.Directory));

        Assert.Equal(ExitCodes.Negative, code);
        Assert.Contains("  ✗ re-execution: re-running gives", output, StringComparison.Ordinal);
        Assert.Contains("verdict: REFUTED — failed: re-execution", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_3_when_the_model_dir_holds_the_wrong_file()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(42));
        using var dir = new TempDirectory();
        File.Copy(RegistryModel.Int8Classifier.Path, Path.Combine(dir.Path, "credit-scorer.onnx"));

        var (code, output, _) = await RunAsync(Online("--request", Id(request), "--model-dir", dir.Path));

        Assert.Equal(ExitCodes.Input, code);
        Assert.Contains("✗ model-file: MODEL_FILE_UNAVAILABLE", output, StringComparison.Ordinal);
        Assert.Contains("verdict: INCOMPLETE", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_then_verify_bundle_offline_exits_0_and_an_edited_bundle_exits_1()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(43));
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "bundle.json");

        var export = await RunAsync("export", "--rpc", devnet.Node.Url.ToString(), "--oracle", devnet.Deployment.InferenceOracle.ToString(),
            "--request", Id(request), "--out", file);
        Assert.True(export.Code == 0, export.Err);
        var toStdout = await RunAsync("export", "--rpc", devnet.Node.Url.ToString(), "--oracle", devnet.Deployment.InferenceOracle.ToString(),
            "--request", Id(request));
        Assert.Equal(await File.ReadAllTextAsync(file), toStdout.Out);

        var (code, output, errors) = await RunAsync("verify", "--bundle", file, "--model-dir", RegistryModel.Directory);
        Assert.True(code == 0, output + errors);
        Assert.Contains("(offline)", output, StringComparison.Ordinal);
        Assert.Contains("as recorded in the bundle", output, StringComparison.Ordinal);

        var json = await File.ReadAllTextAsync(file);
        var at = json.IndexOf("\"signature\": \"0x", StringComparison.Ordinal) + 20;
        var edited = json[..at] + (json[at] == '0' ? '1' : '0') + json[(at + 1)..];
        await File.WriteAllTextAsync(file, edited);
        (code, output, _) = await RunAsync("verify", "--bundle", file, "--model-dir", RegistryModel.Directory);
        Assert.Equal(ExitCodes.Negative, code);
        Assert.Contains("✗ signature[0]:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_registry_entry_passes_offline_but_checking_the_bundle_against_the_chain_names_it()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(48));
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "bundle.json");
        var export = await RunAsync("export", "--rpc", devnet.Node.Url.ToString(), "--oracle", devnet.Deployment.InferenceOracle.ToString(),
            "--request", Id(request), "--out", file);
        Assert.Equal(0, export.Code);

        var honest = await RunAsync("verify", "--bundle", file, "--model-dir", RegistryModel.Directory, "--rpc", devnet.Node.Url.ToString());
        Assert.True(honest.Code == 0, honest.Out + honest.Err);
        Assert.Contains("  ✓ chain-record: every field of the bundle equals the chain's record", honest.Out, StringComparison.Ordinal);

        // Re-sign the result with an outsider's key and forge the outsider into the recorded registry state: nothing
        // signed is broken, so offline verification cannot tell (docs/VERIFICATION.md says so).
        var outsider = Ethereum.Crypto.PrivateKey.Generate();
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var output = Ethereum.Primitives.Hex.Decode(json["settlement"]!["output"]!.GetValue<string>());
        json["commitments"]![0]!["signature"] = Ethereum.Primitives.Hex.Encode(devnet.SignCommitment(outsider, request, output));
        json["commitments"]![0]!["operator"] = outsider.Address.ToString();
        json["operators"]![0]!["address"] = outsider.Address.ToString();
        await File.WriteAllTextAsync(file, json.ToJsonString());

        var offline = await RunAsync("verify", "--bundle", file, "--model-dir", RegistryModel.Directory);
        Assert.True(offline.Code == 0, offline.Out);
        Assert.Contains("as recorded in the bundle", offline.Out, StringComparison.Ordinal);

        var (code, checkedOut, _) = await RunAsync("verify", "--bundle", file, "--model-dir", RegistryModel.Directory, "--rpc", devnet.Node.Url.ToString());
        Assert.Equal(ExitCodes.Negative, code);
        Assert.Contains("  ✗ chain-record: 3 field(s) differ from the chain: commitments[0].operator:", checkedOut, StringComparison.Ordinal);
        Assert.Contains("operators[0].address:", checkedOut, StringComparison.Ordinal);
        Assert.Contains($"  ✗ operator[0]: {outsider.Address} was not a registered operator", checkedOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_all_checks_every_settled_request_in_the_range()
    {
        var from = await devnet.BlockNumberAsync() + 1;
        await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(44));
        await devnet.SettleHonestlyAsync(RegistryModel.Int8Classifier, Inputs.Int8(45));
        var honestEnd = await devnet.BlockNumberAsync();
        var bad = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(46));
        var tampered = await devnet.HonestOutputAsync(bad);
        tampered[0] ^= 0x01;
        await devnet.FulfilAsync(bad, devnet.Operator1, tampered);
        var end = await devnet.BlockNumberAsync();
        string Block(ulong b) => b.ToString(CultureInfo.InvariantCulture);

        var honest = await RunAsync(Online("--all", "--from-block", Block(from), "--to-block", Block(honestEnd), "--model-dir", RegistryModel.Directory));
        Assert.True(honest.Code == 0, honest.Out + honest.Err);
        Assert.Contains("2 settled request(s)", honest.Out, StringComparison.Ordinal);
        Assert.Contains("2 verified, 0 refuted", honest.Out, StringComparison.Ordinal);

        var mixed = await RunAsync(Online("--all", "--from-block", Block(from), "--to-block", Block(end), "--model-dir", RegistryModel.Directory));
        Assert.Equal(ExitCodes.Negative, mixed.Code);
        // The flipped high byte also leaves the registered range, which needs no model to see.
        Assert.Contains($"✗ request {Id(bad)}: REFUTED — failed: output-range, re-execution", mixed.Out, StringComparison.Ordinal);
        Assert.Contains("2 verified, 1 refuted", mixed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_without_a_source_is_a_usage_error_and_an_unsettled_request_is_an_input_error()
    {
        Assert.Equal(ExitCodes.Usage, (await RunAsync("verify", "--request", "1")).Code);
        var pending = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(47));
        var (code, _, errors) = await RunAsync(Online("--request", Id(pending)));
        Assert.Equal(ExitCodes.Input, code);
        Assert.Contains("still pending", errors, StringComparison.Ordinal);
    }
}
