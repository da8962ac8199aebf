using OpenGradient.Oracle.Cli.Infrastructure;

namespace OpenGradient.Oracle.Cli.Tests;

public sealed class NodeCommandTests
{
    [Fact]
    public async Task A_missing_configuration_file_is_an_input_error()
    {
        var result = await CliRunner.RunAsync("node", "run", "--config", "/nonexistent/node.json");
        Assert.True(result.ExitCode == ExitCodes.Input, result.ToString());
        Assert.Contains("/nonexistent/node.json does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_configuration_names_the_wrong_keys_and_exits_3()
    {
        var file = Path.Combine(Path.GetTempPath(), $"og-node-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "Chain": { "OracleAddress": "not-an-address" } }""");
        try
        {
            var result = await CliRunner.RunAsync("node", "run", "--config", file);
            Assert.True(result.ExitCode == ExitCodes.Input, result.ToString());
            Assert.Contains("OracleAddress", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Node_run_without_config_is_a_usage_error() =>
        Assert.Equal(ExitCodes.Usage, (await CliRunner.RunAsync("node", "run")).ExitCode);
}
