using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>
/// A Hardhat devnet with the oracle deployed, every bundled model registered and some operators staked: the world an
/// oracle node is started into. Accounts: #0 deploys and owns the models, #1..#n are operators, the last ones are users.
/// </summary>
public sealed class OracleDevnet
{
    public const string KeystorePassword = "devnet-operator-password";
    public const string PasswordVariable = "OG_ORACLE_TEST_PASSWORD";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private OracleDevnet(HardhatNode node, OracleDeployment deployment, ModelManifest manifest, IReadOnlyList<PrivateKey> operators)
    {
        Node = node;
        Deployment = deployment;
        Manifest = manifest;
        Operators = operators;
    }

    public HardhatNode Node { get; }

    public OracleDeployment Deployment { get; }

    public ModelManifest Manifest { get; }

    public IReadOnlyList<PrivateKey> Operators { get; }

    /// <summary>Accounts #10..#19, free for dApp users and load generators.</summary>
    public IReadOnlyList<PrivateKey> Users => Node.Accounts.Skip(10).Select(a => PrivateKey.Parse(a.PrivateKey)).ToArray();

    public static string ModelDirectory => Path.Combine(RepoPaths.Root, "models");

    public static async Task<OracleDevnet> StartAsync(HardhatNode node, int operators = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (operators is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(operators), "accounts #1..#9 are the operators");
        using var rpc = new EthRpcClient(node.Url);
        var deployer = new TransactionSender(rpc, PrivateKey.Parse(node.Accounts[0].PrivateKey), HardhatNode.ChainId);
        var manifest = ModelManifest.Load(Path.Combine(ModelDirectory, "models.json"));
        var minStake = BigInteger.Pow(10, 18);
        var deployment = await new OracleDeployer(deployer).DeployAsync(
            new DeploymentPlan(minStake, ExampleConsumerModelId: manifest.Get("credit-scorer").ModelId), null, cancellationToken).ConfigureAwait(false);

        foreach (var model in manifest.Models)
        {
            var uri = new Uri(manifest.PathOf(model)).AbsoluteUri;
            await deployer.SendAndWaitAsync(new TransactionCall(deployment.ModelRegistry,
                ModelRegistryContract.EncodeRegisterModel(model.ModelId, uri, ToAbi(model.Input), ToAbi(model.Output), model.FeeWei)),
                Timeout, cancellationToken).ConfigureAwait(false);
        }

        var keys = new List<PrivateKey>();
        for (var i = 1; i <= operators; i++)
        {
            var key = PrivateKey.Parse(node.Accounts[i].PrivateKey);
            var sender = new TransactionSender(rpc, key, HardhatNode.ChainId);
            await sender.SendAndWaitAsync(new TransactionCall(deployment.OperatorRegistry, OperatorRegistryContract.EncodeRegister(), minStake),
                Timeout, cancellationToken).ConfigureAwait(false);
            keys.Add(key);
        }
        return new OracleDevnet(node, deployment, manifest, keys);
    }

    /// <summary>A valid credit-scorer input: 8 int32 features within the registered range, different for each <paramref name="i"/>.</summary>
    public static byte[] CreditScorerInput(int i)
    {
        var input = new byte[32];
        for (var f = 0; f < 8; f++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(f * 4), ((i * 7919 + f * 104_729) % 20_001) - 10_000);
        return input;
    }

    public static ModelRegistryContract.TensorSpec ToAbi(TensorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new((int)spec.ElementType, spec.Decimals, spec.MinValue, spec.MaxValue, spec.Shape.Select(d => (BigInteger)d).ToArray());
    }

    /// <summary>Writes an encrypted keystore (light scrypt: tests need speed, not brute-force resistance).</summary>
    public static string WriteKeystore(PrivateKey key, string directory)
    {
        ArgumentNullException.ThrowIfNull(key);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"operator-{key.Address.ToString()[2..10]}.json");
        File.WriteAllText(path, KeystoreV3.Encrypt(key, KeystorePassword, KeystoreOptions.Light));
        return path;
    }

    /// <summary>
    /// Writes a node configuration file (docs/CONFIGURATION.md) for operator <paramref name="operatorIndex"/>, its own
    /// database and a free dashboard port. Returns the file and the dashboard URL.
    /// </summary>
    public (string ConfigFile, Uri Dashboard) WriteNodeConfig(string directory, int operatorIndex, string connectionString,
        Uri? rpcUrl = null, Action<JsonObject>? adjust = null)
    {
        Directory.CreateDirectory(directory);
        var dashboard = new Uri($"http://127.0.0.1:{FreePort()}/");
        var config = new JsonObject
        {
            ["ConnectionStrings"] = new JsonObject { ["Oracle"] = connectionString },
            ["Chain"] = new JsonObject
            {
                ["RpcUrls"] = new JsonArray((rpcUrl ?? Node.Url).AbsoluteUri),
                ["ChainId"] = HardhatNode.ChainId,
                ["OracleAddress"] = Deployment.InferenceOracle.ToString(),
                ["StartBlock"] = Deployment.DeploymentBlock,
                ["Confirmations"] = 0,
                ["PollInterval"] = "00:00:00.200",
            },
            ["Operator"] = new JsonObject
            {
                ["KeystorePath"] = WriteKeystore(Operators[operatorIndex], directory),
                ["PasswordEnvironmentVariable"] = PasswordVariable,
            },
            ["Inference"] = new JsonObject { ["ModelDirectory"] = ModelDirectory },
            ["Jobs"] = new JsonObject { ["QueuePollInterval"] = "00:00:00.200", ["SchedulePollingInterval"] = "00:00:00.500" },
            ["Dashboard"] = new JsonObject { ["Urls"] = dashboard.AbsoluteUri.TrimEnd('/') },
        };
        adjust?.Invoke(config);
        var path = Path.Combine(directory, $"node-{operatorIndex}.json");
        File.WriteAllText(path, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return (path, dashboard);
    }

    /// <summary>Environment the node process needs (the keystore password).</summary>
    public static IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string> { [PasswordVariable] = KeystorePassword };

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
