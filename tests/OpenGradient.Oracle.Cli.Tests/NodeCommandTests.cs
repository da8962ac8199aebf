using System.Text.Json;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.TestSupport;

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

    [Fact]
    public async Task A_database_that_is_down_at_start_is_a_transport_error_naming_the_setting()
    {
        var folder = Directory.CreateTempSubdirectory("og-node-").FullName;
        try
        {
            var keystore = Path.Combine(folder, "operator.json");
            await File.WriteAllTextAsync(keystore, KeystoreV3.Encrypt(
                PrivateKey.Parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"), "pw", new KeystoreOptions { ScryptN = 1 << 10 }));
            await File.WriteAllTextAsync(Path.Combine(folder, "operator.password"), "pw");
            var file = Path.Combine(folder, "node.json");
            // Nothing listens on port 1; every other setting is valid.
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ConnectionStrings"] = new { Oracle = "Host=127.0.0.1;Port=1;Username=postgres;Database=oracle;Timeout=2" },
                ["Chain"] = new { RpcUrls = new[] { "http://127.0.0.1:1/" }, ChainId = HardhatNode.ChainId, OracleAddress = "0x5fbdb2315678afecb367f032d93f642f64180aa3" },
                ["Operator"] = new { KeystorePath = keystore, PasswordFile = Path.Combine(folder, "operator.password") },
                ["Inference"] = new { ModelDirectory = Path.Combine(RepoPaths.Root, "models") },
                ["Dashboard"] = new { Urls = "http://127.0.0.1:0" },
            }));

            var result = await CliRunner.RunAsync("node", "run", "--config", file);

            Assert.True(result.ExitCode == ExitCodes.Transport, result.ToString());
            Assert.Contains("could not reach its database (ConnectionStrings:Oracle)", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:1", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
