using System.Globalization;
using System.Text.RegularExpressions;
using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>Issue 7: /metrics of a running node process, scraped and parsed, moves as requests settle on-chain.</summary>
[Collection(nameof(ResilienceCollection))]
public sealed partial class MetricsScrapeTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Settlement_counters_move_with_the_requests_that_settle()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres);
        using var http = new HttpClient();
        var metrics = new Uri(run.Dashboard, "metrics");
        var before = Parse(await http.GetStringAsync(metrics));

        var sent = await run.SendAsync(4, accounts: 2);
        await run.AssertAllSettledOnceAsync("metrics", sent, TimeSpan.FromMinutes(1));

        // The node counts a settlement when its tracker sees the receipt, a moment after the chain has it. A scrape reads
        // the per-status counts from the database first and the counters after, so a settlement written in between shows
        // in the counter but not yet in the gauge: wait for both.
        Dictionary<string, double> after = [];
        for (var i = 0; i < 40; i++)
        {
            after = Parse(await http.GetStringAsync(metrics));
            if (Value(after, "oracle_requests_settled_total") - Value(before, "oracle_requests_settled_total") >= sent.Count
                && Value(after, "oracle_requests{status=\"Settled\"}") >= sent.Count) break;
            await Task.Delay(250);
        }

        Assert.Equal(sent.Count, Value(after, "oracle_requests_settled_total") - Value(before, "oracle_requests_settled_total"));
        Assert.Equal(sent.Count, Value(after, "oracle_requests_discovered_total") - Value(before, "oracle_requests_discovered_total"));
        Assert.Equal(sent.Count, Value(after, "oracle_requests{status=\"Settled\"}"));
        Assert.True(Value(after, "oracle_submission_gas_used_count") >= 1, "no mined submission was measured");
        Assert.True(Value(after, "oracle_settle_latency_seconds_count") >= sent.Count, "settle latency was not observed");
    }

    private static double Value(Dictionary<string, double> samples, string name) => samples.GetValueOrDefault(name);

    /// <summary>Prometheus text format: "name{labels} value" per sample line; comments skipped.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var m = SampleLine().Match(line);
            if (m.Success) samples[m.Groups["name"].Value] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (?<value>[-+0-9.eE]+|NaN|\+Inf|-Inf)\s*$")]
    private static partial Regex SampleLine();
}
