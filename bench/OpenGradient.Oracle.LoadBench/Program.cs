// End-to-end throughput and latency of the oracle node on a Hardhat devnet (automine) with PostgreSQL.
// Prints one line per figure, "bench: <name> <value> <unit>", for scripts/bench.sh to collect.
//
//   dotnet run -c Release --project bench/OpenGradient.Oracle.LoadBench -- [requests=200]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
const int Accounts = 5;

await using var hardhat = await HardhatNode.StartAsync();
await using var postgres = new PostgresServer();
await postgres.StartAsync();
var devnet = await OracleDevnet.StartAsync(hardhat);
using var rpc = new EthRpcClient(hardhat.Url);
var directory = Path.Combine(RepoPaths.Root, ".local", "loadbench-" + Guid.NewGuid().ToString("N")[..8]);
var load = new RequestLoad(hardhat.Url, devnet.Deployment.InferenceOracle, HardhatNode.ChainId);
var model = devnet.Manifest.Get("credit-scorer");
RequestSpec Spec(int i) => new(model.ModelId, OracleDevnet.CreditScorerInput(i), model.FeeWei);

// Throughput phases: the load generator first sends every request with no node running, which measures the raw rate
// at which this client gets plain contract calls (these very requests) accepted; then the node starts on that backlog
// and the clock runs from its readiness to the last settlement: the node's fulfilment capacity, independent of intake.
var unbatched = await ThroughputAsync("unbatched", workers: 1, maxBatch: 1);
var rawRate = unbatched.RawRate;
Report("e2e.raw_call_rate", rawRate, "calls/s");
Report("e2e.unbatched.fulfilled_rate", unbatched.Rate, "req/s");
Report("e2e.unbatched.ratio_to_raw", unbatched.Rate / rawRate, "x");
var batched = await ThroughputAsync("batched", workers: 1, maxBatch: 16);
Report("e2e.batched.fulfilled_rate", batched.Rate, "req/s");
Report("e2e.batched.ratio_to_raw", batched.Rate / rawRate, "x");
Report("e2e.worker_peak_memory", batched.PeakMemoryMiB, "MiB");

// 3. Latency under light load: one request at a time, from mined request to observed settlement.
var latencies = await LightLoadLatencyAsync(30);
Report("e2e.latency.p50", Percentile(latencies, 0.50), "ms");
Report("e2e.latency.p95", Percentile(latencies, 0.95), "ms");
Report("e2e.latency.p99", Percentile(latencies, 0.99), "ms");

// 4. Scale-out: two worker processes sharing one database and Hangfire, same operator key.
var scaled = await ThroughputAsync("scale-out", workers: 2, maxBatch: 16);
Report("e2e.scaleout.fulfilled_rate", scaled.Rate, "req/s");
Report("e2e.scaleout.speedup_vs_one_worker", scaled.Rate / batched.Rate, "x");
Report("e2e.scaleout.duplicate_settlements", scaled.Duplicates, "count");
Report("e2e.scaleout.wasted_submissions", scaled.Wasted, "count");
try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}
return 0;

async Task<(double Rate, double RawRate, double PeakMemoryMiB, int Duplicates, int Wasted)> ThroughputAsync(string name, int workers, int maxBatch)
{
    var database = await postgres.CreateDatabaseAsync("loadbench");
    var head = await rpc.BlockNumberAsync();
    var sending = Stopwatch.StartNew();
    var sent = await load.SendAsync(devnet.Users.Take(Accounts).ToArray(), requests, Spec);
    var rawRate = requests / sending.Elapsed.TotalSeconds;

    var nodes = new List<WorkerProcess>();
    try
    {
        var ready = new List<Uri>();
        for (var w = 0; w < workers; w++)
        {
            var (config, dashboard) = devnet.WriteNodeConfig(Path.Combine(directory, $"{name}-{w}"), 0, database, adjust: c =>
            {
                c["Chain"]!["StartBlock"] = head + 1;
                c["Chain"]!["MaxBatchSize"] = maxBatch;
                c["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } };
            });
            nodes.Add(WorkerProcess.Start(config, OracleDevnet.NodeEnvironment));
            ready.Add(new Uri(dashboard, "health/ready"));
        }
        for (var w = 0; w < workers; w++) await nodes[w].WaitUntilHealthyAsync(ready[w], TimeSpan.FromSeconds(90));
        var clock = Stopwatch.StartNew();
        var watcher = new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, head + 1);
        await watcher.WaitForAllAsync(sent.Select(s => s.RequestId), TimeSpan.FromMinutes(5));
        var rate = requests / clock.Elapsed.TotalSeconds;
        var peak = nodes.Max(n => n.PeakMemoryBytes() ?? 0) / (1024.0 * 1024.0);
        return (rate, rawRate, peak, watcher.DuplicateSettlements, watcher.RejectedFulfilments);
    }
    finally
    {
        foreach (var n in nodes) await n.DisposeAsync();
    }
}

async Task<List<double>> LightLoadLatencyAsync(int count)
{
    var database = await postgres.CreateDatabaseAsync("latency");
    var head = await rpc.BlockNumberAsync();
    var (config, dashboard) = devnet.WriteNodeConfig(Path.Combine(directory, "latency"), 0, database, adjust: c =>
    {
        c["Chain"]!["StartBlock"] = head + 1;
        c["Chain"]!["PollInterval"] = "00:00:00.050";
        c["Jobs"]!["QueuePollInterval"] = "00:00:00.050";
        c["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } };
    });
    await using var worker = WorkerProcess.Start(config, OracleDevnet.NodeEnvironment);
    await worker.WaitUntilHealthyAsync(new Uri(dashboard, "health/ready"), TimeSpan.FromSeconds(90));
    var watcher = new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, head + 1);
    var user = devnet.Users.Take(1).ToArray();
    var latencies = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var sent = (await load.SendAsync(user, 1, Spec))[0];
        var mined = Stopwatch.GetTimestamp();
        await watcher.WaitForAllAsync([sent.RequestId], TimeSpan.FromSeconds(30));
        latencies.Add(Stopwatch.GetElapsedTime(mined, watcher.Settled[sent.RequestId].SeenAtTicks).TotalMilliseconds);
    }
    return latencies;
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
}

static void Report(string name, double value, string unit) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: {name} {value:0.###} {unit}"));
