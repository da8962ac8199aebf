using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Npgsql;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;
using OpenGradient.Oracle.TestSupport.Load;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>Reorgs shallower and deeper than the confirmation depth: an orphaned request never settles; a request that
/// takes its id settles once, with its own output.</summary>
[Collection(nameof(ResilienceCollection))]
public sealed class ReorgTests(HardhatNode node, PostgresServer postgres, ITestOutputHelper output)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Confirmations = 3;

    [Fact]
    public async Task An_orphaned_request_never_settles_and_its_replacement_settles_once()
    {
        await using var run = await ResilienceRun.StartAsync(output, node, postgres,
            adjust: c => c["Chain"]!["Confirmations"] = Confirmations);

        var snapshot = await node.RpcAsync("evm_snapshot");
        var orphan = (await run.SendAsync(1, accounts: 1, spec: _ => run.CreditRequest(1)))[0];
        await node.RpcAsync("hardhat_mine", "0x1"); // one block on top: still shallower than the confirmation depth
        await node.RpcAsync("evm_revert", snapshot.GetString());
        run.Log($"injected: reorg of 2 blocks (confirmations {Confirmations}); request {orphan.RequestId} orphaned");

        // The replacement chain reuses the request id with a different input.
        var replacement = (await run.SendAsync(1, accounts: 1, spec: _ => run.CreditRequest(2)))[0];
        Assert.Equal(orphan.RequestId, replacement.RequestId);
        await node.RpcAsync("hardhat_mine", "0x" + (Confirmations + 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture));

        await run.AssertAllSettledOnceAsync("reorg", [replacement], TimeSpan.FromMinutes(1));
        var settled = run.Watcher.Settled[replacement.RequestId];
        Assert.Equal(await ExpectedOutputAsync(run, ResilienceRun.CreditInput(2)), settled.Output);
        Assert.NotEqual(await ExpectedOutputAsync(run, ResilienceRun.CreditInput(1)), settled.Output);
    }

    [Fact]
    public async Task A_reorg_deeper_than_the_confirmations_orphans_the_stored_requests_and_settles_the_one_reusing_an_id_once()
    {
        const int deep = Confirmations - 1; // the node trusts blocks this deep; the reorg goes deeper
        await using var run = await ResilienceRun.StartAsync(output, node, postgres, adjust: c =>
        {
            c["Chain"]!["Confirmations"] = deep;
            // A failed submission waits this long before its retry: the listener sees the reorg well before.
            c["Jobs"]!["RetryDelaySeconds"] = new System.Text.Json.Nodes.JsonArray(60);
            // Each result in its own fulfil. While the operator unbonds nothing is sent: the node's standing check
            // holds the results back (a lone fulfil goes unsimulated while another result waits behind it).
            c["Chain"]!["MaxBatchSize"] = 1;
        });
        var operatorKey = run.Devnet.Operators[0];
        // One request settled first, so the node has synchronised its nonce with the chain before the fork (the unbond
        // below spends an operator nonce on the branch that vanishes).
        var warmup = (await run.SendAsync(1, accounts: 1, spec: _ => run.CreditRequest(4)))[0];
        await node.RpcAsync("hardhat_mine", "0x" + deep.ToString("x", CultureInfo.InvariantCulture));
        await new SettlementWatcher(run.Rpc, run.Devnet.Deployment.InferenceOracle, warmup.BlockNumber)
            .WaitForAllAsync([warmup.RequestId], TimeSpan.FromMinutes(1));
        var operatorNonce = await run.Rpc.GetTransactionCountAsync(operatorKey.Address);

        var snapshot = await node.RpcAsync("evm_snapshot");
        var snapshotHead = await run.Rpc.BlockNumberAsync();
        // On the branch that will vanish the operator has asked to unbond, so the node stores and infers the requests but
        // holds its results back: nothing is sent before the reorg (a sent fulfilment could land on
        // the new branch and be rejected there, which is not what this test is about).
        await new TransactionSender(run.Rpc, operatorKey, HardhatNode.ChainId).SendAndWaitAsync(
            new TransactionCall(run.Devnet.Deployment.OperatorRegistry, OperatorRegistryContract.EncodeRequestUnbond()), TimeSpan.FromSeconds(30));
        // The node trusts a reading of its standing for 2 s (OperatorStanding.MaxAge), and its last one, taken while
        // settling the warm-up request, said active: past that age its next reading sees the unbond.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var doomed = await run.SendAsync(2, accounts: 1, spec: i => run.CreditRequest(1 + i));
        var (replaced, vanished) = (doomed[0], doomed[1]);
        await node.RpcAsync("hardhat_mine", "0x" + deep.ToString("x", CultureInfo.InvariantCulture));
        await using var db = NpgsqlDataSource.Create(run.Database);
        foreach (var r in doomed)
            await WaitForAsync(run, $"request {r.RequestId} stored and its submission refused once",
                async () => await StatusAsync(db, r.RequestId) == (int)Core.Requests.RequestStatus.Submitting
                            && run.Worker.Output.Contains($"/{r.RequestId}: attempt failed", StringComparison.Ordinal));

        var forkHead = await run.Rpc.BlockNumberAsync();
        Assert.True((await node.RpcAsync("evm_revert", snapshot.GetString())).GetBoolean());
        Assert.Equal(snapshotHead, await run.Rpc.BlockNumberAsync());
        var depth = forkHead - snapshotHead;
        Assert.True(depth > (ulong)deep);
        // On the new branch the operator is active again. The node's reading of its standing said unbonding a moment
        // ago; it reads it again once it has seen the reorg, so the replacement's result goes out at once instead of
        // waiting for its job's retry (60 s here, as long as the wait below).
        // The new branch: the first request takes the replaced one's id (the contract's counter) with another input.
        var replacement = (await run.SendAsync(1, accounts: 1, spec: _ => run.CreditRequest(3)))[0];
        Assert.Equal(replaced.RequestId, replacement.RequestId);
        await node.RpcAsync("hardhat_mine", "0x" + (Confirmations + 1).ToString("x", CultureInfo.InvariantCulture));
        run.Log($"injected: reorg of {depth} blocks (confirmations {deep}) after the node stored requests {replaced.RequestId} " +
                $"and {vanished.RequestId}; the new branch gives id {replacement.RequestId} to a different input and has no request {vanished.RequestId}");

        await run.AssertAllSettledOnceAsync("deep reorg", [replacement], TimeSpan.FromMinutes(1));
        var settled = run.Watcher.Settled[replacement.RequestId];
        Assert.Equal(await ExpectedOutputAsync(run, ResilienceRun.CreditInput(3)), settled.Output);
        Assert.NotEqual(await ExpectedOutputAsync(run, ResilienceRun.CreditInput(1)), settled.Output);

        await WaitForAsync(run, $"request {vanished.RequestId} orphaned",
            async () => await StatusAsync(db, vanished.RequestId) == (int)Core.Requests.RequestStatus.Orphaned);
        var archived = await ScalarAsync(db, "SELECT count(*) FROM oracle.superseded_requests WHERE request_id = $1 AND status = 7", replaced.RequestId);
        var vanishedTxs = await ScalarAsync(db, "SELECT count(*) FROM oracle.outbound_transaction_requests WHERE request_id = $1", vanished.RequestId);
        // Transactions carrying the reused id: one, and it carried the replacement (the request logged in its transaction).
        var replacedIdTxs = await ScalarAsync(db, "SELECT count(*) FROM oracle.outbound_transaction_requests WHERE request_id = $1", replaced.RequestId);
        var forOrphan = await ScalarAsync(db, "SELECT count(*) FROM oracle.outbound_transaction_requests WHERE request_id = $1 AND request_tx_hash IS DISTINCT FROM $2",
            replaced.RequestId, replacement.TransactionHash);
        const string minedForReplacementSql = """
            SELECT count(*) FROM oracle.outbound_transaction_requests q JOIN oracle.outbound_transactions t ON t.chain_id = q.chain_id AND t.hash = q.tx_hash
             WHERE q.request_id = $1 AND q.request_tx_hash = $2 AND t.status = 1
            """;
        // The receipt tracker records the receipt a little after the settlement event.
        await WaitForAsync(run, "the replacement's transaction recorded as mined",
            async () => await ScalarAsync(db, minedForReplacementSql, replaced.RequestId, replacement.TransactionHash) > 0);
        var minedForReplacement = await ScalarAsync(db, minedForReplacementSql, replaced.RequestId, replacement.TransactionHash);
        var operatorTxs = await run.Rpc.GetTransactionCountAsync(operatorKey.Address) - operatorNonce;
        run.Log($"deep reorg: orphaned and archived {archived} (request {replaced.RequestId}), orphaned {vanished.RequestId}: " +
                $"status {await StatusAsync(db, vanished.RequestId)}, settled {run.Watcher.Settled.ContainsKey(vanished.RequestId)}, " +
                $"transactions carrying it {vanishedTxs}; transactions carrying id {replaced.RequestId}: {replacedIdTxs} " +
                $"(for the orphaned request {forOrphan}, mined for the replacement {minedForReplacement}); " +
                $"operator transactions on the new branch {operatorTxs}");
        Assert.Equal(1, archived);
        Assert.False(run.Watcher.Settled.ContainsKey(vanished.RequestId));
        Assert.Equal(0, vanishedTxs);
        Assert.Equal(1, replacedIdTxs);
        Assert.Equal(0, forOrphan);
        Assert.Equal(1, minedForReplacement);
        Assert.Equal(1UL, operatorTxs);
        Assert.Equal((int)Core.Requests.RequestStatus.Settled, await StatusAsync(db, replacement.RequestId));
    }

    private static async Task<int?> StatusAsync(NpgsqlDataSource db, BigInteger requestId)
    {
        await using var cmd = db.CreateCommand("SELECT status FROM oracle.requests WHERE request_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Numeric });
        return await cmd.ExecuteScalarAsync() is short status ? status : null;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, BigInteger requestId, byte[]? hash = null)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Numeric });
        if (hash is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = hash, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task WaitForAsync(ResilienceRun run, string what, Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                run.Log(run.Worker.Tail(80));
                throw new TimeoutException($"waited 60 s for: {what}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<byte[]> ExpectedOutputAsync(ResilienceRun run, byte[] input)
    {
        var model = run.Devnet.Manifest.Get("credit-scorer");
        using var inference = OracleInference.Create(new InferenceOptions { ModelDirectory = OracleDevnet.ModelDirectory });
        var result = await inference.RunAsync(new InferenceRequest(model.ModelId, null, model.Input, model.Output, input));
        return result.Output ?? throw new InvalidOperationException($"inference failed: {result.Failure}");
    }
}
