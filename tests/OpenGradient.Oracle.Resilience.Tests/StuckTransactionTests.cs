using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>
/// A fulfilment stuck behind a fee spike: with automine off, every block is mined with a base fee above what the node
/// offered, so its first transaction can never be included. The node must replace it (same nonce, higher fees), and
/// the request must settle once from the replacement.
/// </summary>
[Collection(nameof(ResilienceCollection))]
public sealed class StuckTransactionTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Requests = 3;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_fulfilment_priced_below_the_base_fee_is_replaced_with_higher_fees_and_settles_once()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres, adjust: c =>
        {
            c["Chain"]!["ReceiptTimeout"] = "00:00:03"; // bump after 3 s without a receipt
            c["Chain"]!["ReceiptPollInterval"] = "00:00:00.250";
            c["Chain"]!["GasBumpPercent"] = 25;
        });
        await node.RpcAsync("evm_setAutomine", false);
        try
        {
            var sent = await SendInOneBlockAsync(run);
            var ids = sent.Select(s => s.RequestId).ToHashSet();

            // The node answers; nothing mines its transactions yet.
            var originals = await UntilAsync(async () =>
            {
                var stored = await OutboundLedger.ReadAsync(run.Database);
                return ids.All(id => stored.Any(t => t.RequestIds.Contains(id))) ? stored : null;
            }, "the node stored a fulfilment for every request");
            var offered = originals.Max(t => t.MaxFeePerGas);
            var spike = offered * 2;
            run.Log($"injected: automine off; {originals.Count} fulfilment transaction(s) offering at most {offered} wei/gas; " +
                $"every block from now on mined with a base fee of {spike} wei");

            // Blocks keep coming at the spiked base fee until the replacements (priced from the market) get in.
            var blocks = 0;
            await UntilAsync(async () =>
            {
                await node.RpcAsync("hardhat_setNextBlockBaseFeePerGas", "0x" + spike.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'));
                await node.RpcAsync("evm_mine");
                blocks++;
                await run.Watcher.PollAsync();
                return ids.All(run.Watcher.Settled.ContainsKey) ? "settled" : null;
            }, "every request settled", TimeSpan.FromMilliseconds(400));

            // The node's own record: per nonce the original Replaced, the bump Mined (once the tracker has seen it).
            var final = await UntilAsync(async () =>
            {
                var stored = await OutboundLedger.ReadAsync(run.Database);
                return stored.Any(t => t.Status == StoredTransaction.Pending) ? null : stored;
            }, "no transaction left pending in the node's store");
            var versions = final.GroupBy(t => t.Nonce).ToArray();
            foreach (var nonce in versions)
            {
                var ordered = nonce.OrderBy(t => t.CreatedAt).ToArray();
                Assert.True(ordered.Length >= 2, $"nonce {nonce.Key} was never replaced");
                Assert.Equal(StoredTransaction.Replaced, ordered[0].Status);
                var mined = Assert.Single(ordered, t => t.Status == StoredTransaction.Mined);
                Assert.All(ordered.Where(t => t != mined), t => Assert.Equal(StoredTransaction.Replaced, t.Status));
                Assert.True(mined.MaxFeePerGas >= spike, $"the mined version offers {mined.MaxFeePerGas}, not above the base fee {spike}");
                Assert.True(mined.MaxFeePerGas > ordered[0].MaxFeePerGas);
                Assert.Null(await run.Rpc.GetTransactionReceiptAsync(ordered[0].Hash)); // the original never landed
                Assert.NotNull(await run.Rpc.GetTransactionReceiptAsync(mined.Hash));
            }
            run.Log($"checked: {versions.Length} nonce(s), {final.Count} stored versions ({final.Count(t => t.Status == StoredTransaction.Replaced)} replaced, " +
                $"{final.Count(t => t.Status == StoredTransaction.Mined)} mined) over {blocks} spiked blocks");
            Assert.Contains("replaced by", run.Worker.Output, StringComparison.Ordinal);

            await run.AssertAllSettledOnceAsync("stuck transaction bumped", sent, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await node.RpcAsync("evm_setAutomine", true);
        }
    }

    /// <summary>One request from each of <see cref="Requests"/> users, all in one normally priced block.</summary>
    private static async Task<IReadOnlyList<SentRequest>> SendInOneBlockAsync(ResilienceRun run)
    {
        var hashes = new List<byte[]>();
        for (var i = 0; i < Requests; i++)
        {
            var spec = run.CreditRequest(i);
            var sender = new TransactionSender(run.Rpc, run.Devnet.Users[i], HardhatNode.ChainId);
            var deadline = (ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
            var signed = await sender.SendAsync(new TransactionCall(run.Devnet.Deployment.InferenceOracle,
                InferenceOracleContract.EncodeRequestInference(spec.ModelId, spec.Input, spec.CallbackGasLimit, spec.Redundancy, deadline), spec.Fee, 400_000));
            hashes.Add(signed.Hash);
        }
        await run.Devnet.Node.RpcAsync("evm_mine");
        var sent = new List<SentRequest>();
        foreach (var hash in hashes)
        {
            var receipt = await run.Rpc.GetTransactionReceiptAsync(hash) ?? throw new InvalidOperationException("a request was not mined");
            Assert.True(receipt.Succeeded);
            var log = receipt.Logs.First(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
            sent.Add(new SentRequest(InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data).RequestId, hash, receipt.BlockNumber,
                Stopwatch.GetTimestamp()));
        }
        return sent;
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> attempt, string what, TimeSpan? pause = null) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await attempt() is { } done) return done;
            if (clock.Elapsed > Limit) throw new TimeoutException($"not within {Limit.TotalSeconds:0} s: {what}");
            await Task.Delay(pause ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
