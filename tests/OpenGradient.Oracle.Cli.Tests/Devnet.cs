using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Cli.Tests;

/// <summary>
/// One Hardhat devnet for the CLI tests, with encrypted keystores for its dev accounts (#0 deployer, #1 operator,
/// #2 dApp user) written by `og-oracle keys import`. Each test deploys its own contracts, so tests stay independent.
/// </summary>
public sealed class Devnet : IAsyncLifetime
{
    public const string Password = "cli-test-password";

    public HardhatNode Node { get; private set; } = null!;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "og-cli-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string PasswordFile => Path.Combine(Directory, "password.txt");

    public string Rpc => Node.Url.ToString();

    public string Keystore(string who) => Path.Combine(Directory, who + ".json");

    public PrivateKey Key(int account) => PrivateKey.Parse(Node.Accounts[account].PrivateKey);

    public static string ModelFile(string name) => Path.Combine(RepoPaths.Root, "models", name + ".onnx");

    public static string Manifest => Path.Combine(RepoPaths.Root, "models", "models.json");

    public async Task InitializeAsync()
    {
        Node = await HardhatNode.StartAsync();
        System.IO.Directory.CreateDirectory(Directory);
        await File.WriteAllTextAsync(PasswordFile, Password + "\n");
        foreach (var (index, who) in new[] { (0, "deployer"), (1, "operator"), (2, "user"), (3, "operator2") })
        {
            var keyFile = Path.Combine(Directory, who + ".key");
            await File.WriteAllTextAsync(keyFile, Node.Accounts[index].PrivateKey);
            var result = await CliRunner.RunAsync("keys", "import", "--private-key-file", keyFile, "--light", "--out", Keystore(who), "--password-file", PasswordFile);
            Assert.True(result.ExitCode == 0, result.ToString());
            File.Delete(keyFile);
        }
    }

    /// <summary>The options every signing command takes: RPC, keystore and the password file.</summary>
    public string[] Signed(string who) => ["--rpc", Rpc, "--keystore", Keystore(who), "--password-file", PasswordFile];

    /// <summary>Deploys fresh contracts (with the example consumer) through the CLI and returns the deployment file.</summary>
    public async Task<(string File, OracleDeployment Deployment)> DeployAsync(string minStake = "1eth")
    {
        var file = Path.Combine(Directory, $"deployment-{Guid.NewGuid():N}.json");
        var result = await CliRunner.RunAsync([.. "deploy".Split(' '), .. Signed("deployer"), "--min-stake", minStake,
            "--example-consumer-model", ModelFile("credit-scorer"), "--out", file]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (file, OracleDeployment.Load(file));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DevnetCollection : ICollectionFixture<Devnet>
{
    public const string Name = "devnet";
}
