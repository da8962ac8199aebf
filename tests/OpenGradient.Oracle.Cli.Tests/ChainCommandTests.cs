using System.Text.Json.Nodes;
using OpenGradient.Oracle.Cli.Infrastructure;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Cli.Tests;

[Collection(DevnetCollection.Name)]
public sealed class ChainCommandTests(Devnet devnet, ITestOutputHelper output)
{
    private const string CreditScorerId = "0x12379c428fefcc3243abed5bc0845bacfe3aca11e53903f2d2d01ccd49340649";

    private static async Task<CliResult> Ok(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        return result;
    }

    private string[] Signed(string who, string deployment, params string[] rest) =>
        [.. devnet.Signed(who), "--deployment", deployment, .. rest];

    [Fact]
    public async Task Deploy_register_show_stake_request_and_status_work_against_a_devnet()
    {
        var (file, deployment) = await devnet.DeployAsync();
        Assert.NotNull(deployment.CreditScoreConsumer);
        Assert.Equal(1_000_000_000_000_000_000, (long)deployment.MinStake);

        var registered = await Ok(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile("credit-scorer"))]);
        Assert.Equal(CreditScorerId, registered.Stdout.Trim());

        var shown = JsonNode.Parse((await Ok("model", "show", "--rpc", devnet.Rpc, "--deployment", file, "--file", Devnet.ModelFile("credit-scorer"))).Stdout)!;
        Assert.Equal(CreditScorerId, shown["modelId"]!.GetValue<string>());
        Assert.Equal("100000000000000", shown["feeWei"]!.GetValue<string>());
        Assert.Equal(4, shown["input"]!["decimals"]!.GetValue<int>());
        Assert.Equal("[1,8]", shown["input"]!["shape"]!.ToJsonString());
        Assert.Equal("1000000", shown["output"]!["maxValue"]!.GetValue<string>());
        Assert.False(shown["revoked"]!.GetValue<bool>());

        var operatorState = JsonNode.Parse((await Ok(["operator", "register", .. Signed("operator", file, "--stake", "1.5eth")])).Stdout)!;
        Assert.True(operatorState["active"]!.GetValue<bool>());
        var shownOperator = JsonNode.Parse((await Ok("operator", "show", "--rpc", devnet.Rpc, "--deployment", file, "--address", devnet.Node.Accounts[1].Address)).Stdout)!;
        Assert.True(shownOperator["registered"]!.GetValue<bool>());
        Assert.Equal("1500000000000000000", shownOperator["stakeWei"]!.GetValue<string>());
        var topped = JsonNode.Parse((await Ok(["operator", "stake", .. Signed("operator", file, "--amount", "500000000000000000")])).Stdout)!;
        Assert.Equal("2000000000000000000", topped["stakeWei"]!.GetValue<string>());

        // No node runs: the request stays pending.
        var sent = await Ok(["request", .. Signed("user", file, "--model-file", Devnet.ModelFile("credit-scorer"), "--input", "0.5,-0.25,0,1,0,0,0,0.1")]);
        var requestId = sent.Stdout.Trim();
        Assert.Equal("1", requestId);
        var status = JsonNode.Parse((await Ok("status", "--rpc", devnet.Rpc, "--deployment", file, "--request", requestId)).Stdout)!;
        Assert.Equal("pending", status["status"]!.GetValue<string>());
        Assert.Equal(CreditScorerId, status["modelId"]!.GetValue<string>());
        Assert.Equal("100000000000000", status["feeWei"]!.GetValue<string>());

        var waited = await CliRunner.RunAsync(["request", .. Signed("user", file, "--model-id", CreditScorerId, "--input", "0,0,0,0,0,0,0,0", "--wait", "--timeout", "2")]);
        Assert.True(waited.ExitCode == ExitCodes.Timeout, waited.ToString());
        Assert.Contains("did not settle within 2 s", waited.Stderr, StringComparison.Ordinal);

        var summary = JsonNode.Parse((await Ok("status", "--rpc", devnet.Rpc, "--deployment", file)).Stdout)!;
        Assert.Equal("3", summary["nextRequestId"]!.GetValue<string>());
        Assert.Equal(deployment.InferenceOracle.ToString(), summary["inferenceOracle"]!.GetValue<string>());

        var unknown = await CliRunner.RunAsync("status", "--rpc", devnet.Rpc, "--deployment", file, "--request", "99");
        Assert.Equal(ExitCodes.Negative, unknown.ExitCode);
        Assert.Contains("\"none\"", unknown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_the_same_model_twice_exits_5_and_names_the_custom_error()
    {
        var (file, _) = await devnet.DeployAsync();
        await Ok(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile("int8-classifier"))]);

        var again = await CliRunner.RunAsync(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile("int8-classifier"))]);

        Assert.True(again.ExitCode == ExitCodes.Reverted, again.ToString());
        Assert.Contains("ModelRegistryAlreadyRegistered", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("og-oracle model show", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdrawing_stake_before_the_unbonding_delay_ends_is_refused_with_its_error()
    {
        var (file, _) = await devnet.DeployAsync();
        await Ok(["operator", "register", .. Signed("operator2", file, "--stake", "1eth")]);
        var unbonding = JsonNode.Parse((await Ok(["operator", "unbond", .. Signed("operator2", file)])).Stdout)!;
        Assert.False(unbonding["active"]!.GetValue<bool>());
        Assert.NotNull(unbonding["unbondingAt"]);

        var early = await CliRunner.RunAsync(["operator", "withdraw", .. Signed("operator2", file)]);

        Assert.True(early.ExitCode == ExitCodes.Reverted, early.ToString());
        Assert.Contains("OperatorRegistryUnbondingNotOver", early.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staking_below_the_minimum_is_refused_before_anything_is_sent()
    {
        var (file, _) = await devnet.DeployAsync();

        var result = await CliRunner.RunAsync(["operator", "register", .. Signed("operator", file, "--stake", "1000wei")]);

        Assert.True(result.ExitCode == ExitCodes.Reverted, result.ToString());
        Assert.Contains("OperatorRegistryInsufficientStake", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_is_fulfilled_or_fails_on_chain_and_wait_reports_it_with_exit_0_or_1()
    {
        var (file, deployment) = await devnet.DeployAsync();
        await Ok(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile("credit-scorer"))]);
        await Ok(["operator", "register", .. Signed("operator", file, "--stake", "1eth")]);
        await using var op = new FakeOperator(devnet.Node.Url, deployment, devnet.Key(1));

        var fulfilled = await CliRunner.RunAsync(["request", .. Signed("user", file, "--model-file", Devnet.ModelFile("credit-scorer"), "--input", "0,0,0,0,0,0,0,0", "--wait", "--timeout", "60")]);
        Assert.True(fulfilled.ExitCode == ExitCodes.Success, fulfilled.ToString());
        var result = JsonNode.Parse(fulfilled.Stdout)!;
        Assert.Equal("fulfilled", result["status"]!.GetValue<string>());
        Assert.Equal("0.562176", result["output"]![0]!.GetValue<string>()); // models/README.md golden value
        Assert.Equal(devnet.Node.Accounts[1].Address, result["operator"]!.GetValue<string>(), ignoreCase: true);

        var failed = await CliRunner.RunAsync(["request", .. Signed("user", file, "--model-file", Devnet.ModelFile("credit-scorer"), "--input", "101,0,0,0,0,0,0,0", "--unchecked", "--wait", "--timeout", "60")]);
        Assert.True(failed.ExitCode == ExitCodes.Negative, failed.ToString());
        Assert.Equal("INPUT_OUT_OF_RANGE", JsonNode.Parse(failed.Stdout)!["failureReason"]!.GetValue<string>());

        var status = JsonNode.Parse((await Ok("status", "--rpc", devnet.Rpc, "--deployment", file, "--request", "1")).Stdout)!;
        Assert.Equal("fulfilled", status["status"]!.GetValue<string>());
        Assert.Equal("562176", status["outputRaw"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task Sample_dapp_settles_every_request_as_expected_and_writes_the_summary()
    {
        var (file, deployment) = await devnet.DeployAsync();
        foreach (var model in new[] { "credit-scorer", "risk-mlp", "int8-classifier" })
            await Ok(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile(model))]);
        await Ok(["operator", "register", .. Signed("operator", file, "--stake", "1eth")]);
        await using var op = new FakeOperator(devnet.Node.Url, deployment, devnet.Key(1));
        var summaryFile = Path.Combine(devnet.Directory, $"summary-{Guid.NewGuid():N}.json");

        var run = await CliRunner.RunAsync(["sample-dapp", .. Signed("user", file, "--timeout", "120", "--models", Devnet.Manifest, "--json", summaryFile)]);

        output.WriteLine(run.Stderr);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryFile))!;
        Assert.True(summary["ok"]!.GetValue<bool>());
        var requests = summary["requests"]!.AsArray();
        Assert.Equal(6, requests.Count);
        Assert.Equal(5, requests.Count(r => r!["status"]!.GetValue<string>() == "fulfilled" && r["localOutputMatches"]!.GetValue<bool>()));
        var bad = Assert.Single(requests, r => r!["status"]!.GetValue<string>() == "failed")!;
        Assert.Equal("INPUT_OUT_OF_RANGE", bad["failureReason"]!.GetValue<string>());
        Assert.True(bad["callbackDelivered"]!.GetValue<bool>());
        Assert.All(requests, r => Assert.StartsWith("0x", r!["commitmentDigest"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(requests, r => Assert.True(r!["settlementGasUsed"]!.GetValue<long>() > 0));
        Assert.Contains("INPUT_OUT_OF_RANGE", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_dapp_without_a_node_exits_6_and_reports_the_requests_as_pending()
    {
        var (file, _) = await devnet.DeployAsync();
        foreach (var model in new[] { "credit-scorer", "risk-mlp", "int8-classifier" })
            await Ok(["model", "register", .. Signed("deployer", file, "--file", Devnet.ModelFile(model))]);
        var summaryFile = Path.Combine(devnet.Directory, $"summary-{Guid.NewGuid():N}.json");

        var run = await CliRunner.RunAsync(["sample-dapp", .. Signed("user", file, "--timeout", "1", "--models", Devnet.Manifest, "--json", summaryFile)]);

        Assert.True(run.ExitCode == ExitCodes.Timeout, run.ToString());
        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryFile))!;
        Assert.False(summary["ok"]!.GetValue<bool>());
        Assert.All(summary["requests"]!.AsArray(), r => Assert.Equal("pending", r!["status"]!.GetValue<string>()));
    }
}
