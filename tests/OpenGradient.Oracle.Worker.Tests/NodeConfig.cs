using System.Text.Json;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>Writes a node configuration file (the documented schema) into a temporary folder, with an operator keystore.</summary>
internal sealed class NodeConfig : IDisposable
{
    public const string Oracle = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private const string Password = "worker-tests";

    public NodeConfig(string connectionString, Uri rpcUrl, string dashboardUrls = "http://127.0.0.1:0")
    {
        Directory.CreateDirectory(Folder);
        var key = PrivateKey.Parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        OperatorAddress = key.Address.ToString().ToLowerInvariant();
        var keystore = Path.Combine(Folder, "operator.json");
        // Light scrypt: this key only ever signs on a throwaway devnet.
        File.WriteAllText(keystore, KeystoreV3.Encrypt(key, Password, new KeystoreOptions { ScryptN = 1 << 10 }));
        var passwordFile = Path.Combine(Folder, "operator.password");
        File.WriteAllText(passwordFile, Password);

        Settings = new Dictionary<string, object?>
        {
            ["ConnectionStrings"] = new Dictionary<string, object?> { ["Oracle"] = connectionString },
            ["Chain"] = new Dictionary<string, object?>
            {
                ["RpcUrls"] = new[] { rpcUrl.ToString() },
                ["ChainId"] = HardhatNode.ChainId,
                ["OracleAddress"] = Oracle,
                ["StartBlock"] = 0,
                ["Confirmations"] = 0,
                ["PollInterval"] = "00:00:00.500",
            },
            ["Operator"] = new Dictionary<string, object?> { ["KeystorePath"] = keystore, ["PasswordFile"] = passwordFile },
            ["Inference"] = new Dictionary<string, object?> { ["ModelDirectory"] = Path.Combine(RepoPaths.Root, "models") },
            ["Jobs"] = new Dictionary<string, object?>
            {
                ["WorkerCount"] = 1,
                ["RetryAttempts"] = 0,
                ["QueuePollInterval"] = "00:00:00.200",
                ["SchedulePollingInterval"] = "00:00:00.200",
            },
            ["Dashboard"] = new Dictionary<string, object?> { ["Urls"] = dashboardUrls },
            ["Logging"] = new Dictionary<string, object?>
            {
                ["LogLevel"] = new Dictionary<string, object?> { ["Default"] = "Warning", ["Microsoft.Hosting.Lifetime"] = "Information" },
            },
        };
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "og-worker-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string OperatorAddress { get; }

    /// <summary>The file's content; change it before <see cref="Write"/>.</summary>
    public Dictionary<string, object?> Settings { get; }

    public Dictionary<string, object?> Section(string name) => (Dictionary<string, object?>)Settings[name]!;

    public string Write()
    {
        var path = Path.Combine(Folder, "node.json");
        File.WriteAllText(path, JsonSerializer.Serialize(Settings, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>Host options reading the written file and not the environment (tests run in parallel in one process).</summary>
    public OracleNodeHostOptions HostOptions() => new()
    {
        ConfigFilePath = Write(),
        ReadEnvironmentVariables = false,
    };

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}
