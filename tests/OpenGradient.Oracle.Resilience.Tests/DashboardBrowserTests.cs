using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// Issue 7's browser proof: headless Chromium (Debian's package, installed by scripts/bootstrap.sh) loads the status
/// page of a running node after requests settled, saves a screenshot as a test artifact, and the rendered page lists
/// every settled request with its gas: its share of what its transaction's on-chain receipt says it used.
/// </summary>
[Collection(nameof(ResilienceCollection))]
public sealed partial class DashboardBrowserTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Chromium_renders_the_dashboard_with_the_settled_requests()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run ./scripts/bootstrap.sh (installs Debian's chromium)");
        await using var run = await ResilienceRun.StartAsync(output, node, postgres);
        var sent = await run.SendAsync(3, accounts: 1);
        await run.AssertAllSettledOnceAsync("dashboard", sent, TimeSpan.FromMinutes(1));
        // The node records settlement when it sees the receipt; give its tracker a moment after the chain did.
        var artifacts = Path.Combine(RepoPaths.Root, "test-artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "dashboard.png");

        string dom = "";
        for (var attempt = 0; attempt < 20; attempt++)
        {
            dom = await ChromiumAsync("--dump-dom", run.Dashboard.AbsoluteUri);
            if (sent.All(s => SettledRow(dom, s.RequestId.ToString()) && GasShown(dom, s.RequestId.ToString()) is not null)) break;
            await Task.Delay(500);
        }
        await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1400,1100", run.Dashboard.AbsoluteUri);

        output.WriteLine($"screenshot: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
        foreach (var s in sent)
            Assert.True(SettledRow(dom, s.RequestId.ToString()), $"request {s.RequestId} is not shown as settled:\n{dom}");

        // The gas column: each request's share of its transaction's gas, as the chain's receipt reports it.
        var settlements = run.Watcher.Settled.Values.ToList();
        foreach (var s in sent)
        {
            var settlement = run.Watcher.Settled[s.RequestId];
            var receipt = (await run.Rpc.GetTransactionReceiptAsync(settlement.TransactionHash))!;
            var batchSize = (ulong)settlements.Count(o => o.TransactionHash.AsSpan().SequenceEqual(settlement.TransactionHash));
            var expected = (receipt.GasUsed + batchSize / 2) / batchSize;
            output.WriteLine($"request {s.RequestId}: transaction gas {receipt.GasUsed}, batch of {batchSize}, shown {GasShown(dom, s.RequestId.ToString())}");
            Assert.Equal(expected.ToString("N0", CultureInfo.InvariantCulture), GasShown(dom, s.RequestId.ToString()));
        }
    }

    private static bool SettledRow(string dom, string requestId) =>
        Regex.IsMatch(dom, $@"<tr><td><code[^>]*>{Regex.Escape(requestId)}</code></td><td>Settled</td>");

    /// <summary>The number in the gas cell of the request's row, or null when the cell holds none.</summary>
    private static string? GasShown(string dom, string requestId)
    {
        var row = Regex.Match(dom, $@"<tr><td><code[^>]*>{Regex.Escape(requestId)}</code></td>.*?</tr>");
        var gas = Regex.Match(row.Value, @"<td class=""gas""><span title=""[^""]*"">([0-9][0-9,]*)</span>");
        return gas.Success ? gas.Groups[1].Value : null;
    }

    private static async Task<string> ChromiumAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars" }.Concat(arguments))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return await stdout;
    }
}
