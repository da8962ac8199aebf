// End-to-end throughput and latency of the oracle node on a Hardhat devnet with PostgreSQL.
// Prints one line per figure, "bench: <name> <value> <unit>", for scripts/bench.sh to collect.
//
//   dotnet run -c Release --project bench/OpenGradient.Oracle.LoadBench -- [requests=200] [phase...]
// bench.sh passes 2000 and no phase (all of them). Phases: unbatched, batched, latency, scale-out; the raw call rate is
// measured right before and right after each of the unbatched and batched phases, whose ratios need it. Each throughput
// phase runs its load three times on the same node processes and reports the median; it prints a "rates:" line with all
// three and, per load, a "timeline:" line (not figures):
// when, after the load was on the chain, the node stored the requests, sent its transactions and settled them.
// LOADBENCH_LOGS, LOADBENCH_PGSTAT: see below, for finding where the time goes; LOADBENCH_STACKS,
// LOADBENCH_HANGFIRE_DEBUG: see below, for finding why a load stalls.
// LOADBENCH_MAX_BATCH=<n> sets Chain:MaxBatchSize of the batched and scale-out phases (default: the node's default).
// The batched phase is also run at 16 results per transaction (the issue's gas-table size), for a same-run comparison.
//
// Steady state on both sides. This process (the client that measures the raw rate) and the node processes run with
// tiered compilation off (the csproj; NodeProcessEnvironment below): every method is compiled fully optimised on first
// use, which is the code a client or node that has run for a while executes. With tiering on, a few-second run measures
// mostly the JIT's promotions (perf showed the JIT and quick-jitted BouncyCastle code at a third of the node's CPU even
// after a warm-up), and how far each side got with them. The devnet is warmed up before the raw rate is taken, as it is
// before each throughput phase.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;

var requests = 200;
if (args.Length > 0 && (!int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out requests) || requests < 1))
{
    Console.Error.WriteLine($"the first argument is the number of requests per phase, a whole number from 1 up; got '{args[0]}'");
    return 2;
}
string[] allPhases = ["unbatched", "batched", "latency", "scale-out"];
var phases = args.Length > 1 ? args[1..] : allPhases;
if (phases.Except(allPhases).FirstOrDefault() is { } unknown)
{
    Console.Error.WriteLine($"unknown phase '{unknown}' (phases: {string.Join(", ", allPhases)})");
    return 2;
}
const int Accounts = 5;
const int RawSegments = 4;
const int RawCallsPerSegment = 60;
// Per worker process: ten jobs' worth, so every pooled connection has used (and prepared) the common statements.
const int WarmUpRequests = 160;
const int LatencyWarmUpRequests = 5;
const int LoadsPerPhase = 3;
// A load whose settlements stop coming for this long is stuck (a slow load keeps settling: an unbatched one on a slow
// machine takes 15 s and more) and is reported (PrintStallAsync), and again once none has come for the second span,
// past Jobs:InvisibilityTimeout (1 min): whether a fetched job's worker is still alive (its queue entry's fetchedat keeps
// moving) and where the stuck requests went.
const double StallReportSeconds = 15;
const double StallSecondReportSeconds = 75;
// LOADBENCH_STACKS=1: a stall report also prints every node's managed thread stacks (needs dotnet-stack on PATH).
var stallStacks = Environment.GetEnvironmentVariable("LOADBENCH_STACKS") == "1";
// LOADBENCH_HANGFIRE_DEBUG=1: the nodes log Hangfire's workers, state changes and background processes at Debug (failed
// state-change attempts and a faulted worker loop are logged only there).
var hangfireDebug = Environment.GetEnvironmentVariable("LOADBENCH_HANGFIRE_DEBUG") == "1";
var nodeEnvironment = new Dictionary<string, string>(OracleDevnet.NodeEnvironment) { ["DOTNET_TieredCompilation"] = "0" };

// LOADBENCH_PGSTAT=1: PostgreSQL runs with pg_stat_statements and each throughput phase prints its costliest statements.
var pgStatements = Environment.GetEnvironmentVariable("LOADBENCH_PGSTAT") == "1";
if (pgStatements) Environment.SetEnvironmentVariable("PG_EXTRA_OPTS", "-c shared_preload_libraries=pg_stat_statements");
await using var hardhat = await HardhatNode.StartAsync();
// `hardhat node` prints every call it serves; nobody reads that here, and printing it cost the devnet about a tenth of
// its throughput (for the raw rate and the node alike).
await hardhat.RpcAsync("hardhat_setLoggingEnabled", false);
await using var postgres = new PostgresServer();
await postgres.StartAsync();
// Two registered operators: the scale-out run gives each worker process its own key (see ThroughputAsync).
var devnet = await OracleDevnet.StartAsync(hardhat, operators: 2);
using var rpc = new EthRpcClient(hardhat.Url);
// The devnet's block gas limit, raised for each load's block (see ThroughputAsync) and restored after it.
var blockGasLimit = Convert.ToUInt64((await hardhat.RpcAsync("eth_getBlockByNumber", "latest", false)).GetProperty("gasLimit").GetString(), 16);
// LOADBENCH_LOGS=<folder>: the node logs at Information and each run's output is written there (for finding where
// the time goes; the log lines themselves cost some throughput).
var nodeDefaultBatch = new OpenGradient.Oracle.Chain.Hosting.ChainOptions().MaxBatchSize;
if (!int.TryParse(Environment.GetEnvironmentVariable("LOADBENCH_MAX_BATCH") ?? nodeDefaultBatch.ToString(CultureInfo.InvariantCulture), NumberStyles.None,
        CultureInfo.InvariantCulture, out var maxBatchSize)
    || maxBatchSize is < 1 or > 256)
{
    Console.Error.WriteLine("LOADBENCH_MAX_BATCH must be a whole number from 1 to 256 (Chain:MaxBatchSize)");
    return 2;
}
var logFolder = Environment.GetEnvironmentVariable("LOADBENCH_LOGS") is { Length: > 0 } l ? Directory.CreateDirectory(l).FullName : null;
var directory = Path.Combine(RepoPaths.Root, ".local", "loadbench-" + Guid.NewGuid().ToString("N")[..8]);
// 150k gas is ample for requestInference (about 65k) and lets a 30M-gas block hold 200 of them.
var load = new RequestLoad(hardhat.Url, devnet.Deployment.InferenceOracle, HardhatNode.ChainId) { GasLimit = 150_000 };
var model = devnet.Manifest.Get("credit-scorer");
RequestSpec Spec(int i) => new(model.ModelId, OracleDevnet.CreditScorerInput(i), model.FeeWei);

// 1. The raw call rate: how fast this devnet accepts a plain contract call (the very requestInference the load sends)
// from the same client, one call after another (send, then wait for the receipt), with no node running. The issue's
// yardstick; the rate at which five accounts in parallel get their calls accepted is reported next to it, and measured
// first, so the devnet (a JavaScript process whose own JIT warms up too) is warmer when the raw rate is taken. Each
// throughput phase is compared with the raw rate of its own minutes: segments taken right before its node processes
// start and right after they stop (RawAround). The machine's speed drifts within a run (the raw rate fell from 474 to
// 317 calls/s between the start and the end of one), so a phase set against segments taken minutes away is set against
// another machine; one stall moved a single one-second run by a fifth, hence several short segments and their median.
var parallelIntake = Stopwatch.StartNew();
await load.SendAsync(devnet.Users.Take(Accounts).ToArray(), requests, Spec);
var intakeRate = requests / parallelIntake.Elapsed.TotalSeconds;
await RawSegmentAsync();
Report("e2e.parallel_intake_rate", intakeRate, "calls/s");
// Every raw segment of the run, for the run's overall raw rate.
var allSegments = new List<double>();

// 2. Throughput. The node processes (1 or 2) start, settle a small warm-up load and wait idle; the load is then
// broadcast with automine off and mined at once, and the clock runs from the moment it is all on the chain to the last
// settlement: the node's sustained fulfilment capacity, without its start-up or first-use costs in the figure and with
// both scale-out workers ready before the first request appears.
double? unbatchedRate = null;
if (phases.Contains("unbatched"))
{
    var (unbatched, raw) = await RawAround("unbatched", () => ThroughputAsync("unbatched", workers: 1, maxBatch: 1));
    unbatchedRate = unbatched.Rate;
    Report("e2e.unbatched.fulfilled_rate", unbatched.Rate, "req/s");
    ReportRatioToRaw("unbatched", unbatched.Rate, raw);
    Report("e2e.unbatched.ratio_to_parallel_intake", unbatched.Rate / intakeRate, "x");
}
double? batchedRate = null;
if (phases.Contains("batched"))
{
    var (batched, raw) = await RawAround("batched", () => ThroughputAsync("batched", workers: 1, maxBatch: maxBatchSize));
    batchedRate = batched.Rate;
    Report("e2e.batched.fulfilled_rate", batched.Rate, "req/s");
    ReportRatioToRaw("batched", batched.Rate, raw);
    Report("e2e.batched.ratio_to_parallel_intake", batched.Rate / intakeRate, "x");
    Report("e2e.worker_peak_memory", batched.PeakMemoryMiB, "MiB");

    // The same at 16 results per transaction: what the larger default batch is worth, measured in the same run.
    const int GasTableBatch = 16;
    var (small, smallRaw) = await RawAround("batched-16", () => ThroughputAsync("batched-16", workers: 1, maxBatch: GasTableBatch));
    Report("e2e.batched_16.fulfilled_rate", small.Rate, "req/s");
    ReportRatioToRaw("batched_16", small.Rate, smallRaw);
    Report("e2e.batched.speedup_vs_16", batched.Rate / small.Rate, "x");
}

// 3. Latency under light load: one request at a time, from mined request to observed settlement.
if (phases.Contains("latency"))
{
    var latencies = await LightLoadLatencyAsync(30);
    Report("e2e.latency.p50", Percentile(latencies, 0.50), "ms");
    Report("e2e.latency.p95", Percentile(latencies, 0.95), "ms");
    Report("e2e.latency.p99", Percentile(latencies, 0.99), "ms");
}

// 4. Scale-out: two worker processes sharing one database and Hangfire, one operator key each; batched as in the
// batched phase (e2e.scaleout.*), then unbatched (e2e.scaleout_unbatched.*). They answer different questions: batched,
// one node already keeps the shared cores busy; unbatched, one node's sends wait on the chain one after another, and a
// second key is a second stream of them.
if (phases.Contains("scale-out"))
{
    var scaled = await ThroughputAsync("scale-out", workers: 2, maxBatch: maxBatchSize);
    Report("e2e.scaleout.fulfilled_rate", scaled.Rate, "req/s");
    if (batchedRate is { } one) Report("e2e.scaleout.speedup_vs_one_worker", scaled.Rate / one, "x");
    Report("e2e.scaleout.duplicate_settlements", scaled.Duplicates, "count");
    Report("e2e.scaleout.wasted_submissions", scaled.Wasted, "count");

    var scaledUnbatched = await ThroughputAsync("scale-out-unbatched", workers: 2, maxBatch: 1);
    Report("e2e.scaleout_unbatched.fulfilled_rate", scaledUnbatched.Rate, "req/s");
    if (unbatchedRate is { } oneUnbatched) Report("e2e.scaleout_unbatched.speedup_vs_one_worker", scaledUnbatched.Rate / oneUnbatched, "x");
    Report("e2e.scaleout_unbatched.duplicate_settlements", scaledUnbatched.Duplicates, "count");
    Report("e2e.scaleout_unbatched.wasted_submissions", scaledUnbatched.Wasted, "count");
}
if (allSegments.Count > 0)
{
    Report("e2e.raw_call_rate", Percentile(allSegments, 0.5), "calls/s");
    Report("e2e.raw_call_rate_min", allSegments.Min(), "calls/s");
    Report("e2e.raw_call_rate_max", allSegments.Max(), "calls/s");
}
try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}
return 0;

// A throughput phase between raw segments: RawSegments right before it (no node runs yet) and RawSegments right after
// it (its nodes stopped). Returns the phase's result and those segments.
async Task<(T Result, (List<double> Before, List<double> After) Raw)> RawAround<T>(string phase, Func<Task<T>> run)
{
    var before = new List<double>();
    for (var segment = 0; segment < RawSegments; segment++) before.Add(await RawSegmentAsync());
    var result = await run();
    var after = new List<double>();
    for (var segment = 0; segment < RawSegments; segment++) after.Add(await RawSegmentAsync());
    allSegments.AddRange(before);
    allSegments.AddRange(after);
    static string Rates(List<double> rates) => string.Join(", ", rates.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)));
    Console.WriteLine($"raw call rate per segment around {phase}: before {Rates(before)}; after {Rates(after)} calls/s");
    return (result, (before, after));
}

// A phase's ratio to the raw rate of its own minutes (the median of the segments before and after it), with the two
// sides' medians, so a reader (and bench.sh) can see whether the machine's drift over the phase could decide it.
void ReportRatioToRaw(string phase, double rate, (List<double> Before, List<double> After) raw)
{
    var around = Percentile([.. raw.Before, .. raw.After], 0.5);
    Report($"e2e.{phase}.raw_call_rate_before", Percentile(raw.Before, 0.5), "calls/s");
    Report($"e2e.{phase}.raw_call_rate_after", Percentile(raw.After, 0.5), "calls/s");
    Report($"e2e.{phase}.raw_call_rate", around, "calls/s");
    Report($"e2e.{phase}.ratio_to_raw", rate / around, "x");
}

// One raw segment: RawCallsPerSegment calls from one client, one after another. Calls/s.
async Task<double> RawSegmentAsync()
{
    var oneClient = Stopwatch.StartNew();
    await load.SendAsync(devnet.Users.Take(1).ToArray(), RawCallsPerSegment, Spec);
    return RawCallsPerSegment / oneClient.Elapsed.TotalSeconds;
}

async Task<(double Rate, double PeakMemoryMiB, int Duplicates, int Wasted)> ThroughputAsync(string name, int workers, int maxBatch)
{
    var database = await postgres.CreateDatabaseAsync("loadbench");
    var head = await rpc.BlockNumberAsync();
    var nodes = new List<WorkerProcess>();
    try
    {
        var ready = new List<Uri>();
        for (var w = 0; w < workers; w++)
        {
            // Each worker signs with its own operator key: processes sharing one key would share one nonce sequence,
            // and every transaction of one would wait on the other's (the jobs and the database are shared all the same).
            var (config, dashboard) = devnet.WriteNodeConfig(Path.Combine(directory, $"{name}-{w}"), w, database, adjust: c =>
            {
                c["Chain"]!["StartBlock"] = head + 1;
                c["Chain"]!["MaxBatchSize"] = maxBatch;
                // As an operator would set it for a fast chain (the latency run below uses 50 ms): with the default
                // 1 s, up to a second of every run would be the listener sleeping.
                c["Chain"]!["PollInterval"] = "00:00:00.100";
                var levels = new JsonObject { ["Default"] = logFolder is null ? "Warning" : "Information" };
                if (hangfireDebug)
                {
                    levels["Hangfire.Server.Worker"] = "Debug";
                    levels["Hangfire.States"] = "Debug";
                    levels["Hangfire.Processing.BackgroundExecution"] = "Debug";
                }
                c["Logging"] = new JsonObject { ["LogLevel"] = levels };
            });
            nodes.Add(WorkerProcess.Start(config, nodeEnvironment));
            ready.Add(new Uri(dashboard, "health/ready"));
        }
        for (var w = 0; w < workers; w++) await nodes[w].WaitUntilHealthyAsync(ready[w], TimeSpan.FromSeconds(90));

        // Warm-up: a small load settled before the clock starts, so the figure is the node's sustained rate rather than
        // its first-use costs (code paths compiled on first call, connection pools filling, query plans), which a node
        // pays once in its life. Enough requests for a few jobs per worker.
        var warmUp = await load.SendAsync(devnet.Users.Take(Accounts).ToArray(), WarmUpRequests * workers, Spec);
        await new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, head + 1)
            .WaitForAllAsync(warmUp.Select(s => s.RequestId), TimeSpan.FromMinutes(2));
        head = await rpc.BlockNumberAsync();
        // A node that has been running has table statistics: autovacuum analyzes a table within a minute of its first
        // 50 rows. A database minutes old has none, and then the planner's guesses for the small tables can pick an
        // index that matches only part of a key (a scan of every row per lookup). Analyze now, as autovacuum would
        // have by the time the node had run a while.
        await using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        // The same load several times over (the node keeps running): one load takes a few seconds, and a stall of the
        // shared machine in that time moved a single figure by a sixth. The figure is the median load.
        var rates = new List<double>();
        int duplicates = 0, wasted = 0;
        for (var repetition = 0; repetition < LoadsPerPhase; repetition++)
        {
            head = await rpc.BlockNumberAsync();
            if (pgStatements) await AdminAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()");
            var loadStart = DateTime.UtcNow;
            await hardhat.RpcAsync("evm_setAutomine", false);
            long minedAt;
            DateTime minedWall;
            IReadOnlyList<byte[]> hashes;
            try
            {
                hashes = await load.BroadcastAsync(devnet.Users.Take(Accounts).ToArray(), requests, Spec);
                // Mined at once: one block holds the whole load (its gas limit raised for it), so the node sees every
                // request at the same moment, when the clock starts. Over several blocks the node would start on the
                // first ones while the devnet mined the rest, and where the clock started would decide who got that time.
                await hardhat.RpcAsync("evm_setBlockGasLimit", "0x" + ((ulong)requests * load.GasLimit + blockGasLimit).ToString("x", CultureInfo.InvariantCulture));
                await hardhat.RpcAsync("evm_mine");
                minedAt = Stopwatch.GetTimestamp();
                minedWall = DateTime.UtcNow;
                if ((await hardhat.RpcAsync("eth_getBlockByNumber", "pending", false)).GetProperty("transactions").GetArrayLength() is var left and > 0)
                    throw new InvalidOperationException($"{left} requests of the load did not fit in its block");
            }
            finally
            {
                await hardhat.RpcAsync("evm_setBlockGasLimit", "0x" + blockGasLimit.ToString("x", CultureInfo.InvariantCulture));
                await hardhat.RpcAsync("evm_setAutomine", true);
                await hardhat.RpcAsync("evm_mine"); // anything the node sent in the meantime
            }
            // The node's settlements are counted as they come; the request ids are read from the receipts only afterwards,
            // so 500 receipt reads do not compete with the node for the devnet while the clock runs.
            var watcher = new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, head + 1);
            var settling = watcher.WaitForCountAsync(requests, TimeSpan.FromMinutes(5));
            // A load whose settlements stop coming is stuck somewhere: say where, while it still is.
            var (seen, lastNew, reports) = (-1, Stopwatch.GetTimestamp(), 0);
            while (await Task.WhenAny(settling, Task.Delay(TimeSpan.FromSeconds(1))) != settling)
            {
                if (watcher.Settled.Count != seen)
                {
                    (seen, lastNew) = (watcher.Settled.Count, Stopwatch.GetTimestamp());
                    continue;
                }
                var quiet = Stopwatch.GetElapsedTime(lastNew).TotalSeconds;
                if (quiet >= (reports == 0 ? StallReportSeconds : StallSecondReportSeconds) && reports < 2)
                {
                    reports++;
                    await PrintStallAsync($"{name} load {repetition + 1}", quiet, database, loadStart, seen, nodes);
                }
            }
            await settling;
            var sent = await load.CollectAsync(hashes) ?? throw new InvalidOperationException("a request was not mined");
            if (sent.FirstOrDefault(s => !watcher.Settled.ContainsKey(s.RequestId)) is { } missing)
                throw new InvalidOperationException($"request {missing.RequestId} did not settle, yet {watcher.Settled.Count} settlements were seen");
            // From the load being on the chain to the moment the last settlement was seen.
            var elapsed = Stopwatch.GetElapsedTime(minedAt, watcher.Settled.Values.Max(v => v.SeenAtTicks));
            rates.Add(requests / elapsed.TotalSeconds);
            duplicates += watcher.DuplicateSettlements;
            wasted += watcher.RejectedFulfilments;
            if (pgStatements) await PrintTopStatementsAsync(name);
            await PrintTimelineAsync($"{name} load {repetition + 1}", database, loadStart, minedWall, watcher.Settled.Values.Select(v => Stopwatch.GetElapsedTime(minedAt, v.SeenAtTicks).TotalMilliseconds));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rates: {name} {string.Join(", ", rates.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))} req/s (median reported)"));
        var peak = nodes.Max(n => n.PeakMemoryBytes() ?? 0) / (1024.0 * 1024.0);
        return (Percentile(rates, 0.5), peak, duplicates, wasted);
    }
    finally
    {
        for (var w = 0; w < nodes.Count; w++)
        {
            await nodes[w].DisposeAsync();
            if (logFolder is not null) await File.WriteAllTextAsync(Path.Combine(logFolder, $"{name}-{w}.log"), nodes[w].Output);
        }
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
        // Jobs:QueuePollInterval stays at the node's default (1 s): a job the node queues itself wakes an idle worker at
        // once, so the figure does not depend on it.
        c["Jobs"]!.AsObject().Remove("QueuePollInterval");
        c["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } };
    });
    await using var worker = WorkerProcess.Start(config, nodeEnvironment);
    await worker.WaitUntilHealthyAsync(new Uri(dashboard, "health/ready"), TimeSpan.FromSeconds(90));
    var watcher = new SettlementWatcher(rpc, devnet.Deployment.InferenceOracle, head + 1);
    var user = devnet.Users.Take(1).ToArray();
    // A few untimed requests first, as the throughput phases have their warm-up: the first request through a fresh node
    // pays for compiling its whole path (up to 1.5 s here), which a running node has long paid.
    for (var i = 0; i < LatencyWarmUpRequests; i++)
        await watcher.WaitForAllAsync([(await load.SendAsync(user, 1, Spec))[0].RequestId], TimeSpan.FromSeconds(30));
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

// Where a throughput run's time went, in ms after the load was on the chain: first/median/last request stored by the
// node (the time its transaction began), Hangfire jobs created and started, transactions sent (count, first, last) and settlements seen, leaving out the warm-up (stored before
// <since>). For reading, not a figure.
async Task PrintTimelineAsync(string name, string database, DateTime since, DateTime zero, IEnumerable<double> settledMs)
{
    await using var connection = new Npgsql.NpgsqlConnection(database);
    await connection.OpenAsync();
    async Task<List<double>> Times(string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection) { Parameters = { new Npgsql.NpgsqlParameter { Value = since } } };
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<double>();
        // Hangfire's timestamps are UTC without a zone.
        while (await reader.ReadAsync())
        {
            var at = reader.GetDateTime(0);
            list.Add(((at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime()) - zero).TotalMilliseconds);
        }
        return list;
    }
    static string Spread(List<double> ms) => ms.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture,
        $"{ms.Count} at {ms.Min():0}/{Percentile(ms, 0.5):0}/{ms.Max():0}");
    var stored = await Times("SELECT created_at FROM oracle.requests WHERE created_at >= $1");
    var jobs = await Times("SELECT createdat FROM hangfire.job WHERE createdat >= $1");
    var started = await Times("SELECT createdat FROM hangfire.state WHERE name = 'Processing' AND createdat >= $1");
    var sent = await Times("SELECT created_at FROM oracle.outbound_transactions WHERE created_at >= $1");
    Console.WriteLine($"timeline: {name} (ms after the load was mined at {zero:HH:mm:ss.fff} UTC; count at first/median/last): requests stored {Spread(stored)}; " +
        $"jobs created {Spread(jobs)}, started {Spread(started)}; transactions stored {Spread(sent)}; settlements seen {Spread(settledMs.ToList())}");
}

/// <summary>Where the requests of a load that stopped settling are: each node's last lines (and thread stacks with
/// LOADBENCH_STACKS=1), their stored status, the Hangfire jobs that carry the first unsent one (with every state they
/// went through) and the queue, Hangfire's lock rows and servers, and the database sessions not idle. A diagnosis must
/// never end the run: a failing query is printed and skipped.</summary>
async Task PrintStallAsync(string name, double quietSeconds, string database, DateTime since, int settled, IReadOnlyList<WorkerProcess> nodes)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stall: {name} has {settled} settlements, none new for {quietSeconds:0} s"));
    foreach (var node in nodes)
    {
        Console.WriteLine($"stall: node (pid {node.ProcessId}) output:\n" + node.Tail(80));
        if (stallStacks && node.ProcessId is { } pid) Console.WriteLine("stall: node stacks:\n" + await RunAsync("dotnet-stack", "report", "-p", pid.ToString(CultureInfo.InvariantCulture)));
    }
    await using var connection = new Npgsql.NpgsqlConnection(database);
    await connection.OpenAsync();
    // Prints up to 40 rows; returns the first column of the first. The values bind to $1, $2, ...
    async Task<string?> PrintRowsAsync(string label, string sql, params object[] values)
    {
        string? first = null;
        try
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            foreach (var value in values) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
            await using var reader = await command.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync() && rows++ < 40)
            {
                var row = Enumerable.Range(0, reader.FieldCount)
                    .Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!).ToArray();
                first ??= row[0];
                Console.WriteLine($"stall: {label}: " + string.Join(" | ", row));
            }
        }
        catch (Npgsql.NpgsqlException e)
        {
            Console.WriteLine($"stall: {label}: query failed: {e.Message}");
        }
        return first;
    }
    await PrintRowsAsync("by status", "SELECT status, version, count(*) FROM oracle.requests WHERE created_at >= $1 GROUP BY status, version ORDER BY status, version", since);
    var stuck = await PrintRowsAsync("unsent request", "SELECT request_id::text, status, version, created_at, updated_at, detail FROM oracle.requests WHERE created_at >= $1 AND status < 4 ORDER BY request_id", since);
    await PrintRowsAsync("job not succeeded", "SELECT id, statename, createdat FROM hangfire.job WHERE createdat >= $1 AND statename IS DISTINCT FROM 'Succeeded' ORDER BY id", since);
    if (stuck is not null)
    {
        await PrintRowsAsync($"job carrying {stuck}",
            "SELECT j.id, j.createdat, s.name, s.createdat, s.reason, left(s.data::text, 300) FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id " +
            "WHERE j.createdat >= $1 AND j.arguments::text ~ ('[^0-9]' || $2 || '[^0-9]') ORDER BY j.id, s.id", since, stuck);
        await PrintRowsAsync("queue", "SELECT q.jobid, q.queue, q.fetchedat FROM hangfire.jobqueue q JOIN hangfire.job j ON j.id = q.jobid WHERE j.createdat >= $1 ORDER BY q.jobid", since);
    }
    await PrintRowsAsync("now", "SELECT now() AT TIME ZONE 'UTC'");
    await PrintRowsAsync("lock", "SELECT resource, acquired FROM hangfire.lock ORDER BY acquired");
    await PrintRowsAsync("server", "SELECT id, lastheartbeat, left(data::text, 200) FROM hangfire.server");
    await PrintRowsAsync("activity",
        "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, now() - query_start, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 160) " +
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle' ORDER BY query_start");
}

// A diagnostic command's output (stdout and stderr), or why it could not run.
static async Task<string> RunAsync(string file, params string[] arguments)
{
    try
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }
    catch (System.ComponentModel.Win32Exception e)
    {
        return $"{file} could not run: {e.Message}";
    }
}

async Task AdminAsync(string sql)
{
    await using var connection = new Npgsql.NpgsqlConnection(postgres.AdminConnectionString);
    await connection.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

// The statements that took PostgreSQL the most time since the load was broadcast (LOADBENCH_PGSTAT=1).
async Task PrintTopStatementsAsync(string name)
{
    await using var connection = new Npgsql.NpgsqlConnection(postgres.AdminConnectionString);
    await connection.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand("""
        SELECT calls, total_exec_time, mean_exec_time, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 140)
          FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12
        """, connection);
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pgstat: {name} calls {reader.GetInt64(0)} total {reader.GetDouble(1):0} ms mean {reader.GetDouble(2):0.00} ms: {reader.GetString(3)}"));
        }
    }
    // And all statements together: how many the load cost the database, and its time in them.
    await using var totals = new Npgsql.NpgsqlCommand("SELECT sum(calls)::bigint, sum(total_exec_time) FROM pg_stat_statements", connection);
    await using var sums = await totals.ExecuteReaderAsync();
    if (await sums.ReadAsync())
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pgstat: {name} all statements: calls {sums.GetInt64(0)} total {sums.GetDouble(1):0} ms"));
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
}

static void Report(string name, double value, string unit) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: {name} {value:0.###} {unit}"));
