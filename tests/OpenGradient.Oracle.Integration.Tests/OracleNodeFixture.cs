using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Jobs;
using OpenGradient.Oracle.Storage;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Integration.Tests;

/// <summary>A Hardhat node, a PostgreSQL cluster and an encrypted operator keystore, shared by the tests of a class.</summary>
public sealed class OracleNodeFixture : IAsyncLifetime
{
    public const int OperatorAccount = 10;
    public const int OwnerAccount = 11;
    public const int RequesterAccount = 12;
    public static readonly BigInteger MinStake = BigInteger.Pow(10, 18);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "og-integration-" + Guid.NewGuid().ToString("N")[..8]);

    public HardhatNode Node { get; } = new();

    public PostgresServer Postgres { get; } = new();

    public string KeystorePath => Path.Combine(_directory, "operator.json");

    public string PasswordFile => Path.Combine(_directory, "password.txt");

    public string Directory => _directory;

    public PrivateKey OperatorKey => PrivateKey.Parse(Node.Accounts[OperatorAccount].PrivateKey);

    public async Task InitializeAsync()
    {
        await Task.WhenAll(((IAsyncLifetime)Node).InitializeAsync(), ((IAsyncLifetime)Postgres).InitializeAsync());
        System.IO.Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(PasswordFile, "integration-password\n");
        await File.WriteAllTextAsync(KeystorePath, KeystoreV3.Encrypt(OperatorKey, "integration-password", new KeystoreOptions { ScryptN = 1 << 10 }));
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Node).DisposeAsync();
        await Postgres.DisposeAsync();
        if (System.IO.Directory.Exists(_directory)) System.IO.Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Contracts of one test: deployed, every bundled model registered, the operator staked.</summary>
internal sealed class Deployed : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Deployed(EthRpcClient rpc, TransactionSender owner, TransactionSender requester, OracleDeployment deployment)
    {
        Rpc = rpc;
        Owner = owner;
        Requester = requester;
        Deployment = deployment;
    }

    public EthRpcClient Rpc { get; }

    public TransactionSender Owner { get; }

    public TransactionSender Requester { get; }

    public OracleDeployment Deployment { get; }

    public static async Task<Deployed> CreateAsync(OracleNodeFixture fixture)
    {
        var rpc = new EthRpcClient(fixture.Node.Url);
        TransactionSender Sender(int account) => new(rpc, PrivateKey.Parse(fixture.Node.Accounts[account].PrivateKey), HardhatNode.ChainId);
        var owner = Sender(OracleNodeFixture.OwnerAccount);
        var deployment = await new OracleDeployer(owner).DeployAsync(new DeploymentPlan(OracleNodeFixture.MinStake));
        var deployed = new Deployed(rpc, owner, Sender(OracleNodeFixture.RequesterAccount), deployment);
        foreach (var model in BundledModel.All)
            await deployed.RegisterModelAsync(model.ModelId, "", model.InputAbi, model.OutputAbi, model.Fee);
        await Sender(OracleNodeFixture.OperatorAccount).SendAndWaitAsync(
            new TransactionCall(deployment.OperatorRegistry, OperatorRegistryContract.EncodeRegister(), OracleNodeFixture.MinStake), Timeout);
        return deployed;
    }

    public Task RegisterModelAsync(byte[] modelId, string uri, ModelRegistryContract.TensorSpec input, ModelRegistryContract.TensorSpec output, BigInteger fee) =>
        Owner.SendAndWaitAsync(new TransactionCall(Deployment.ModelRegistry, ModelRegistryContract.EncodeRegisterModel(modelId, uri, input, output, fee)), Timeout);

    public async Task<TransactionCall> RequestCallAsync(byte[] modelId, byte[] input, BigInteger fee)
    {
        var latest = await Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        return new TransactionCall(Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInference(modelId, input, 0, 1, latest!.Timestamp + 3600), fee);
    }

    /// <summary>Sends a request and returns its id.</summary>
    public async Task<BigInteger> RequestAsync(byte[] modelId, byte[] input, BigInteger fee)
    {
        var receipt = await Requester.SendAndWaitAsync(await RequestCallAsync(modelId, input, fee), Timeout);
        return RequestIdOf(receipt);
    }

    public static BigInteger RequestIdOf(RpcReceipt receipt)
    {
        var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
        return InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data).RequestId;
    }

    /// <summary>Every settlement event of the oracle so far, per request id.</summary>
    public async Task<(Dictionary<BigInteger, List<byte[]>> Fulfilled, Dictionary<BigInteger, List<int>> Failed)> SettlementsAsync()
    {
        var logs = await Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [Deployment.InferenceOracle],
            FromBlock = BlockTag.Number(Deployment.DeploymentBlock),
            ToBlock = BlockTag.Latest,
        });
        var fulfilled = new Dictionary<BigInteger, List<byte[]>>();
        var failed = new Dictionary<BigInteger, List<int>>();
        foreach (var log in logs)
        {
            if (InferenceOracleContract.IsInferenceFulfilledEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFulfilledEvent(log.Topics, log.Data);
                (fulfilled.TryGetValue(e.RequestId, out var l) ? l : fulfilled[e.RequestId] = []).Add(e.Output);
            }
            else if (InferenceOracleContract.IsInferenceFailedEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeInferenceFailedEvent(log.Topics, log.Data);
                (failed.TryGetValue(e.RequestId, out var l) ? l : failed[e.RequestId] = []).Add((int)e.Reason);
            }
        }
        return (fulfilled, failed);
    }

    public void Dispose() => Rpc.Dispose();
}

/// <summary>The node as the Worker wires it, in process: Storage + Jobs (Hangfire) + Chain + Inference from configuration.</summary>
internal static class OracleHost
{
    public static async Task<IHost> StartAsync(OracleNodeFixture fixture, Deployed deployed, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Oracle"] = connectionString,
            ["Chain:RpcUrls:0"] = fixture.Node.Url.ToString(),
            ["Chain:ChainId"] = HardhatNode.ChainId.ToString(CultureInfo.InvariantCulture),
            ["Chain:OracleAddress"] = deployed.Deployment.InferenceOracle.ToString(),
            ["Chain:StartBlock"] = deployed.Deployment.DeploymentBlock.ToString(CultureInfo.InvariantCulture),
            ["Chain:Confirmations"] = "0",
            ["Chain:PollInterval"] = "00:00:00.100",
            ["Chain:ReceiptPollInterval"] = "00:00:00.100",
            ["Chain:BatchWindow"] = "00:00:00.150",
            ["Chain:MaxBatchSize"] = "16",
            ["Operator:KeystorePath"] = fixture.KeystorePath,
            ["Operator:PasswordFile"] = fixture.PasswordFile,
            ["Inference:ModelDirectory"] = BundledModel.Directory,
            ["Jobs:WorkerCount"] = "4",
            ["Jobs:RetryAttempts"] = "2",
            ["Jobs:RetryDelaySeconds:0"] = "0.2",
            ["Jobs:QueuePollInterval"] = "00:00:00.100",
            ["Jobs:SchedulePollingInterval"] = "00:00:00.200",
        });
        builder.AddOracleStorage();
        builder.AddOracleJobs();
        builder.AddOracleChain();
        builder.AddOracleInference();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
