using System.Numerics;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// One scenario's world: a fresh database, the devnet's oracle, a node process, a load of credit-score requests and a
/// watcher that tallies how each settled. Every scenario reports what it injected and the counts it checked.
/// </summary>
internal sealed class ResilienceRun : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory;

    private ResilienceRun(ITestOutputHelper output, OracleDevnet devnet, WorkerProcess worker, Uri dashboard, string directory, ulong fromBlock,
        string database)
    {
        _output = output;
        Database = database;
        Devnet = devnet;
        Worker = worker;
        Dashboard = dashboard;
        _directory = directory;
        Rpc = new EthRpcClient(devnet.Node.Url);
        Watcher = new SettlementWatcher(Rpc, devnet.Deployment.InferenceOracle, fromBlock);
    }

    public OracleDevnet Devnet { get; }

    public WorkerProcess Worker { get; }

    public Uri Dashboard { get; }

    /// <summary>The node's database (connection string), for checks an auditor would make with SQL.</summary>
    public string Database { get; }

    public EthRpcClient Rpc { get; }

    public SettlementWatcher Watcher { get; }

    public Uri Ready => new(Dashboard, "health/ready");

    public static async Task<ResilienceRun> StartAsync(ITestOutputHelper output, HardhatNode node, PostgresServer postgres,
        Uri? rpcUrl = null, Action<System.Text.Json.Nodes.JsonObject>? adjust = null)
    {
        var devnet = await OracleDevnet.StartAsync(node);
        var database = await postgres.CreateDatabaseAsync("resilience");
        var directory = Path.Combine(RepoPaths.Root, ".local", "resilience-" + Guid.NewGuid().ToString("N")[..8]);
        var (config, dashboard) = devnet.WriteNodeConfig(directory, 0, database, rpcUrl, adjust);
        using var rpc = new EthRpcClient(node.Url);
        var from = await rpc.BlockNumberAsync();
        var worker = WorkerProcess.Start(config, OracleDevnet.NodeEnvironment);
        var run = new ResilienceRun(output, devnet, worker, dashboard, directory, from, database);
        await worker.WaitUntilHealthyAsync(run.Ready, TimeSpan.FromSeconds(60));
        return run;
    }

    public static byte[] CreditInput(int i) => OracleDevnet.CreditScorerInput(i);

    public RequestSpec CreditRequest(int i)
    {
        var model = Devnet.Manifest.Get("credit-scorer");
        return new RequestSpec(model.ModelId, CreditInput(i), model.FeeWei);
    }

    public Task<IReadOnlyList<SentRequest>> SendAsync(int count, int accounts = 5, Func<int, RequestSpec>? spec = null) =>
        new RequestLoad(Devnet.Node.Url, Devnet.Deployment.InferenceOracle, HardhatNode.ChainId)
            .SendAsync(Devnet.Users.Take(accounts).ToArray(), count, spec ?? CreditRequest);

    /// <summary>Waits for every request and checks the exactly-once counts; prints them.</summary>
    public async Task AssertAllSettledOnceAsync(string scenario, IReadOnlyCollection<SentRequest> sent, TimeSpan timeout)
    {
        try
        {
            await Watcher.WaitForAllAsync(sent.Select(s => s.RequestId), timeout);
        }
        catch (TimeoutException)
        {
            _output.WriteLine(Worker.Tail(80));
            throw;
        }
        var ids = sent.Select(s => s.RequestId).ToHashSet();
        var settled = Watcher.Settled.Values.Where(s => ids.Contains(s.RequestId)).ToArray();
        var failed = settled.Count(s => s.FailureReason is not null);
        _output.WriteLine($"{scenario}: requested {sent.Count}, settled {settled.Length}, failed {failed}, " +
            $"duplicate settlements {Watcher.DuplicateSettlements}, rejected (wasted) submissions {Watcher.RejectedFulfilments}, worker starts {Worker.Starts}");
        Assert.Equal(sent.Count, settled.Length);
        Assert.Equal(0, failed);
        Assert.Equal(0, Watcher.DuplicateSettlements);
        Assert.Equal(0, Watcher.RejectedFulfilments);
    }

    public void Log(string line) => _output.WriteLine(line);

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        Rpc.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
