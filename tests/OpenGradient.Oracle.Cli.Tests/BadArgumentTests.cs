using OpenGradient.Oracle.Cli.Infrastructure;

namespace OpenGradient.Oracle.Cli.Tests;

[Collection(DevnetCollection.Name)]
public sealed class BadArgumentTests(Devnet devnet)
{
    private static void AssertExit(int expected, CliResult result, string mentioned)
    {
        Assert.True(result.ExitCode == expected, result.ToString());
        Assert.Contains(mentioned, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_rpc_option_is_a_usage_error() =>
        AssertExit(ExitCodes.Usage, await CliRunner.RunAsync("status", "--deployment", "whatever.json"), "--rpc");

    [Fact]
    public async Task A_malformed_rpc_url_is_a_usage_error() =>
        AssertExit(ExitCodes.Usage, await CliRunner.RunAsync("deploy", "--rpc", "localhost:8545", "--keystore", devnet.Keystore("deployer"), "--password-file", devnet.PasswordFile),
            "not an http(s) URL");

    [Fact]
    public async Task A_deployment_file_that_does_not_exist_is_an_input_error() =>
        AssertExit(ExitCodes.Input, await CliRunner.RunAsync("status", "--rpc", devnet.Rpc, "--deployment", Path.Combine(devnet.Directory, "missing.json")),
            "og-oracle deploy --out");

    [Fact]
    public async Task A_model_file_that_does_not_exist_is_an_input_error()
    {
        var (file, _) = await devnet.DeployAsync();
        AssertExit(ExitCodes.Input, await CliRunner.RunAsync(["model", "register", .. devnet.Signed("deployer"), "--deployment", file, "--file", "/nonexistent/model.onnx"]),
            "/nonexistent/model.onnx does not exist");
    }

    [Fact]
    public async Task An_unreachable_rpc_node_is_a_transport_error()
    {
        var (file, _) = await devnet.DeployAsync();
        AssertExit(ExitCodes.Transport, await CliRunner.RunAsync("status", "--rpc", "http://127.0.0.1:1/", "--deployment", file), "RPC node unreachable");
    }

    [Fact]
    public async Task A_wrong_keystore_password_is_an_input_error()
    {
        var wrong = Path.Combine(devnet.Directory, "wrong-password.txt");
        await File.WriteAllTextAsync(wrong, "not the password\n");
        AssertExit(ExitCodes.Input, await CliRunner.RunAsync("deploy", "--rpc", devnet.Rpc, "--keystore", devnet.Keystore("deployer"), "--password-file", wrong),
            "wrong password");
    }

    [Fact]
    public async Task A_deployment_of_another_chain_is_refused()
    {
        var (file, _) = await devnet.DeployAsync();
        var other = Path.Combine(devnet.Directory, "other-chain.json");
        await File.WriteAllTextAsync(other, (await File.ReadAllTextAsync(file)).Replace("\"31337\"", "\"1\"", StringComparison.Ordinal));
        AssertExit(ExitCodes.Input, await CliRunner.RunAsync("status", "--rpc", devnet.Rpc, "--deployment", other), "is for chain 1");
    }

    [Theory]
    [InlineData("0.12345,0,0,0,0,0,0,0", "at most 4 decimals")]
    [InlineData("1,2,3", "takes 8")]
    [InlineData("101,0,0,0,0,0,0,0", "--unchecked")]
    [InlineData("x,0,0,0,0,0,0,0", "not a number")]
    public async Task Inputs_the_model_cannot_take_are_refused_before_sending(string input, string mentioned)
    {
        var (file, _) = await devnet.DeployAsync();
        var registered = await CliRunner.RunAsync(["model", "register", .. devnet.Signed("deployer"), "--deployment", file, "--file", Devnet.ModelFile("credit-scorer")]);
        Assert.True(registered.ExitCode == 0, registered.ToString());

        var result = await CliRunner.RunAsync(["request", .. devnet.Signed("user"), "--deployment", file, "--model-file", Devnet.ModelFile("credit-scorer"), "--input", input]);

        AssertExit(ExitCodes.Usage, result, mentioned);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Requesting_an_unregistered_model_is_a_negative_answer_naming_the_fix()
    {
        var (file, _) = await devnet.DeployAsync();
        AssertExit(ExitCodes.Negative,
            await CliRunner.RunAsync(["request", .. devnet.Signed("user"), "--deployment", file, "--model-file", Devnet.ModelFile("risk-mlp"), "--input", "0"]),
            "og-oracle model register");
    }

    [Fact]
    public async Task An_amount_without_a_unit_that_is_not_whole_wei_is_a_usage_error()
    {
        var (file, _) = await devnet.DeployAsync();
        AssertExit(ExitCodes.Usage, await CliRunner.RunAsync(["operator", "register", .. devnet.Signed("operator"), "--deployment", file, "--stake", "1.5"]),
            "needs a unit");
    }
}
