using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>SIGTERM (not SIGKILL) while jobs run: the node drains them, exits 0, leaves no transaction half-done.</summary>
[Collection(nameof(ResilienceCollection))]
public sealed partial class GracefulShutdownTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_mid_run_drains_running_jobs_exits_0_and_a_restart_settles_every_request_once()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres,
            adjust: c => c["Jobs"]!["ShutdownTimeout"] = DrainTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture));

        // Stop mid-run, once settlements flow, at a moment the node has jobs in hand (inference or submission). A load
        // can be worked off between two looks (the node settles 100 requests in well under a second), so up to three
        // loads are sent until one look finds a job processing.
        var loads = new List<Task<IReadOnlyList<SentRequest>>>();
        long processing = 0;
        var wait = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 3 && processing == 0; attempt++)
        {
            var load = run.SendAsync(100);
            loads.Add(load);
            var settledAtStart = run.Watcher.Settled.Count;
            while (run.Watcher.Settled.Count < settledAtStart + 20 && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                await run.Watcher.PollAsync();
                await Task.Delay(50);
            }
            // Until a job is seen processing, or this load is all sent and nothing is left to work on.
            while ((processing = await OutboundLedger.ProcessingJobsAsync(run.Database)) == 0 && !load.IsCompleted)
                await Task.Delay(10);
            if (processing == 0) processing = await OutboundLedger.ProcessingJobsAsync(run.Database);
        }
        Assert.True(processing > 0, "three loads of 100 requests went by without a job seen processing: the drain was not exercised");
        var settledBefore = run.Watcher.Settled.Count;

        var stopping = Stopwatch.StartNew();
        await run.Worker.StopAsync(DrainTimeout + TimeSpan.FromSeconds(30)); // throws (and kills) if it does not exit
        run.Log($"injected: SIGTERM with {processing} jobs processing and {settledBefore} requests settled (load {loads.Count} of 100 requests); exited with code {run.Worker.ExitCode} after {stopping.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(0, run.Worker.ExitCode);
        var drained = DrainingLine().Match(run.Worker.Output);
        Assert.True(drained.Success, "the node did not log its drain:\n" + run.Worker.Tail(60));
        Assert.Contains("Shutdown drained", run.Worker.Output, StringComparison.Ordinal);
        run.Log($"node log: {drained.Value.Trim()}");

        // Nothing half-done: every transaction the node stored as still pending was broadcast (automine mined it).
        var stored = await OutboundLedger.ReadAsync(run.Database);
        var pending = stored.Where(t => t.Status == StoredTransaction.Pending).ToArray();
        foreach (var tx in pending)
            Assert.NotNull(await run.Rpc.GetTransactionReceiptAsync(tx.Hash));
        run.Log($"stored transactions at exit: {stored.Count}, still marked pending {pending.Length} (each has a receipt on-chain)");

        var sent = (await Task.WhenAll(loads)).SelectMany(l => l).ToList();
        run.Worker.Launch();
        await run.AssertAllSettledOnceAsync("SIGTERM drain + restart", sent, TimeSpan.FromMinutes(4));
        Assert.Equal(2, run.Worker.Starts);
    }

    [GeneratedRegex(@"Shutting down: no new jobs are taken; waiting up to [^\n]* for \d+ running jobs")]
    private static partial Regex DrainingLine();
}
