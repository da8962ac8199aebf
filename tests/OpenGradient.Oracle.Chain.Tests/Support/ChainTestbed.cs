using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Storage;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Support;

/// <summary>A fresh oracle deployment on the shared Hardhat node with one small registered model.</summary>
internal sealed class ChainTestbed : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // int32[1,4] in, int32[1,2] out; the contracts check only byte lengths, so any 8 output bytes settle.
    public static readonly ModelRegistryContract.TensorSpec InputSpec = new(3, 2, -1000, 1000, [1, 4]);
    public static readonly ModelRegistryContract.TensorSpec OutputSpec = new(3, 2, -100000, 100000, [1, 2]);
    public static readonly BigInteger Fee = 1000;
    public static readonly BigInteger MinStake = 1_000_000;

    private ChainTestbed(HardhatNode node, EthRpcClient rpc, TransactionSender owner, OracleDeployment deployment, byte[] modelId)
    {
        Node = node;
        Rpc = rpc;
        Owner = owner;
        Deployment = deployment;
        ModelId = modelId;
    }

    public HardhatNode Node { get; }

    public EthRpcClient Rpc { get; }

    public TransactionSender Owner { get; }

    public OracleDeployment Deployment { get; }

    public byte[] ModelId { get; }

    public static async Task<ChainTestbed> DeployAsync(HardhatNode node, int ownerAccount = 1)
    {
        var rpc = new EthRpcClient(node.Url);
        var owner = Sender(node, rpc, ownerAccount);
        var deployment = await new OracleDeployer(owner).DeployAsync(new DeploymentPlan(MinStake));
        var modelId = Keccak256.Hash(Guid.NewGuid().ToByteArray());
        await owner.SendAndWaitAsync(new TransactionCall(deployment.ModelRegistry,
            ModelRegistryContract.EncodeRegisterModel(modelId, "", InputSpec, OutputSpec, Fee)), Timeout);
        return new ChainTestbed(node, rpc, owner, deployment, modelId);
    }

    public static TransactionSender Sender(HardhatNode node, EthRpcClient rpc, int account) =>
        new(rpc, PrivateKey.Parse(node.Accounts[account].PrivateKey), HardhatNode.ChainId);

    public PrivateKey Key(int account) => PrivateKey.Parse(Node.Accounts[account].PrivateKey);

    public async Task RegisterOperatorAsync(int account) =>
        await Sender(Node, Rpc, account).SendAndWaitAsync(
            new TransactionCall(Deployment.OperatorRegistry, OperatorRegistryContract.EncodeRegister(), MinStake), Timeout);

    /// <summary>Sends requestInference and returns the request id and block.</summary>
    public async Task<(BigInteger RequestId, ulong Block)> RequestAsync(TransactionSender requester, byte[]? input = null, uint callbackGasLimit = 0)
    {
        input ??= RandomInput();
        var latest = await Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var deadline = latest!.Timestamp + 3600;
        var receipt = await requester.SendAndWaitAsync(new TransactionCall(Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInference(ModelId, input, callbackGasLimit, 1, deadline), Fee), Timeout);
        var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
        return (InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data).RequestId, receipt.BlockNumber);
    }

    public static byte[] RandomInput()
    {
        var input = new byte[16];
        for (var i = 0; i < 4; i++) input[i * 4 + 3] = (byte)Random.Shared.Next(0, 100);
        return input;
    }

    public async Task<int> StatusAsync(BigInteger requestId) =>
        (int)InferenceOracleContract.DecodeRequestStatusOutput(await Rpc.EthCallAsync(
            new TransactionRequest { To = Deployment.InferenceOracle, Data = InferenceOracleContract.EncodeRequestStatus(requestId) }));

    public ChainOptions Options(Action<ChainOptions>? configure = null)
    {
        var o = new ChainOptions
        {
            OracleAddress = Deployment.InferenceOracle.ToString(),
            ChainId = HardhatNode.ChainId,
            StartBlock = Deployment.DeploymentBlock,
            PollInterval = TimeSpan.FromMilliseconds(100),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(100),
            BatchWindow = TimeSpan.FromMilliseconds(400),
            ReorgRewindBlocks = 8,
        };
        o.RpcUrls.Add(Node.Url.ToString());
        configure?.Invoke(o);
        return o;
    }

    public static async Task<ChainContext> ContextAsync(ChainOptions options, PrivateKey operatorKey)
    {
        var context = new ChainContext(new EthRpcClient(options.PrimaryRpcUrl), new InMemoryOperatorKeyProvider(operatorKey), options);
        await context.InitializeAsync();
        return context;
    }

    public void Dispose() => Rpc.Dispose();
}

/// <summary>The PostgreSQL stores of a fresh database, migrated.</summary>
internal sealed class Stores : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private Stores(ServiceProvider services) => _services = services;

    public IRequestStore Requests => _services.GetRequiredService<IRequestStore>();

    public IChainCursorStore Cursors => _services.GetRequiredService<IChainCursorStore>();

    public INonceStore Nonces => _services.GetRequiredService<INonceStore>();

    public IOutboundTransactionStore Transactions => _services.GetRequiredService<IOutboundTransactionStore>();

    public static async Task<Stores> CreateAsync(PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync("chain");
        var services = new ServiceCollection();
        services.AddOracleStorage(o => o.ConnectionString = connectionString);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return new Stores(provider);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Records what the listener and the receipt tracker queued (the job system is not under test here).</summary>
internal sealed class RecordingScheduler : IJobScheduler
{
    private readonly List<RequestKey> _queued = [];

    /// <summary>Every key queued, in order (a key queued twice appears twice).</summary>
    public IReadOnlyList<RequestKey> Queued
    {
        get
        {
            lock (_queued) return _queued.ToArray();
        }
    }

    /// <summary>How many of the next Enqueue calls fail, as when the job store refuses a connection.</summary>
    public int FailNext { get; set; }

    public IReadOnlyList<string> Enqueue(IReadOnlyList<RequestKey> keys)
    {
        lock (_queued)
        {
            if (FailNext > 0)
            {
                FailNext--;
                throw new InvalidOperationException("job storage unavailable (53300: sorry, too many clients already)");
            }
            _queued.AddRange(keys);
        }
        return ["job-" + string.Join("+", keys)];
    }
}

internal static class Loggers
{
    public static NullLogger<T> For<T>() => NullLogger<T>.Instance;
}
