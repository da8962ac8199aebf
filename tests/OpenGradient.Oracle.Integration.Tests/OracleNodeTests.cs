using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;
using EngineRequest = OpenGradient.Oracle.Core.Inference.InferenceRequest;

namespace OpenGradient.Oracle.Integration.Tests;

/// <summary>
/// The whole node in process (Storage + Hangfire jobs + Chain + Inference, wired from configuration like the Worker)
/// against a real Hardhat node and a real PostgreSQL: requests are made on-chain and must settle on-chain.
/// </summary>
public sealed class OracleNodeTests(OracleNodeFixture fixture) : IClassFixture<OracleNodeFixture>
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private sealed record Sent(BigInteger RequestId, BundledModel Model, byte[] Input);

    private static async Task<Sent> SendAsync(Deployed deployed, BundledModel model, Random random)
    {
        var input = TensorCodec.Encode(model.RandomValues(random), model.Input);
        return new Sent(await deployed.RequestAsync(model.ModelId, input, model.Fee), model, input);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<int> SettledCountAsync(Deployed deployed, IEnumerable<BigInteger> ids)
    {
        var (fulfilled, failed) = await deployed.SettlementsAsync();
        return ids.Count(id => fulfilled.ContainsKey(id) || failed.ContainsKey(id));
    }

    [Fact]
    public async Task Requests_for_every_bundled_model_settle_once_with_the_direct_onnx_output_across_a_restart()
    {
        using var deployed = await Deployed.CreateAsync(fixture);
        var connectionString = await fixture.Postgres.CreateDatabaseAsync("node");
        var random = new Random(42);
        var sent = new List<Sent>();

        // Requests made before the node ever ran are backfilled from StartBlock.
        foreach (var model in BundledModel.All) sent.Add(await SendAsync(deployed, model, random));
        var host = await OracleHost.StartAsync(fixture, deployed, connectionString);
        foreach (var model in BundledModel.All)
            for (var i = 0; i < 2; i++) sent.Add(await SendAsync(deployed, model, random));

        // Restart mid-stream: stop as soon as something has settled, while the rest is somewhere in the pipeline.
        await WaitUntilAsync(async () => await SettledCountAsync(deployed, sent.Select(s => s.RequestId)) > 0, "a first request settled");
        await OracleHost.StopAsync(host);
        foreach (var model in BundledModel.All)
            for (var i = 0; i < 2; i++) sent.Add(await SendAsync(deployed, model, random));
        host = await OracleHost.StartAsync(fixture, deployed, connectionString);
        try
        {
            var ids = sent.Select(s => s.RequestId).ToList();
            await WaitUntilAsync(async () => await SettledCountAsync(deployed, ids) == ids.Count, $"all {ids.Count} requests settled");
            // Let the receipt tracker catch up with the last receipts.
            var store = host.Services.GetRequiredService<IRequestStore>();
            await WaitUntilAsync(async () =>
            {
                var counts = await store.CountByStatusAsync();
                return counts[RequestStatus.Settled] == ids.Count;
            }, "every stored request is Settled");

            var (fulfilled, failed) = await deployed.SettlementsAsync();
            Assert.Empty(failed);
            using var inference = OracleInference.Create(new InferenceOptions { ModelDirectory = BundledModel.Directory });
            var transactions = host.Services.GetRequiredService<IOutboundTransactionStore>();
            var oracle = deployed.Deployment.InferenceOracle.ToString();
            foreach (var s in sent)
            {
                var output = Assert.Single(fulfilled[s.RequestId]);
                var direct = await inference.RunAsync(new EngineRequest(s.Model.ModelId, null, s.Model.Input, s.Model.Output, s.Input));
                Assert.True(direct.IsSuccess, direct.ToString());
                Assert.Equal(Hex.Encode(direct.Output), Hex.Encode(output));

                // Exactly one transaction of ours carried it, and it was mined: no duplicate sends, no reverts.
                var carried = await transactions.ListForRequestAsync(new RequestKey(HardhatNode.ChainId, oracle, s.RequestId));
                Assert.Equal(OutboundTransactionStatus.Mined, Assert.Single(carried).Status);
            }
            Assert.Equal(BundledModel.All.Count * 5, sent.Count);
        }
        finally
        {
            await OracleHost.StopAsync(host);
        }
    }

    [Fact]
    public async Task Bad_inputs_and_bad_models_end_in_InferenceFailed_with_their_reason_code()
    {
        using var deployed = await Deployed.CreateAsync(fixture);
        var connectionString = await fixture.Postgres.CreateDatabaseAsync("bad");
        var credit = BundledModel.All.Single(m => m.Name == "credit-scorer");
        var random = new Random(7);

        // Models whose ids name no file we have: one reachable only at a dead URL, one whose URL serves the wrong file,
        // one revoked right after it is requested (same block, so the node can only see it revoked).
        var missing = Keccak256.Hash("model that exists nowhere"u8);
        await deployed.RegisterModelAsync(missing, "http://127.0.0.1:9/missing.onnx", credit.InputAbi, credit.OutputAbi, credit.Fee);
        var wrongFile = Path.Combine(fixture.Directory, "not-the-model.onnx");
        File.Copy(credit.Path, wrongFile, overwrite: true);
        var mismatched = Keccak256.Hash("model whose file is another"u8);
        await deployed.RegisterModelAsync(mismatched, new Uri(wrongFile).AbsoluteUri, credit.InputAbi, credit.OutputAbi, credit.Fee);
        var revoked = Keccak256.Hash("model revoked after the request"u8);
        await deployed.RegisterModelAsync(revoked, "", credit.InputAbi, credit.OutputAbi, credit.Fee);

        var host = await OracleHost.StartAsync(fixture, deployed, connectionString);
        try
        {
            var outOfRange = credit.RandomValues(random);
            outOfRange[3] = credit.Input.MaxValue + 1;
            var expected = new Dictionary<BigInteger, FailureReason>
            {
                [await deployed.RequestAsync(credit.ModelId, TensorCodec.Encode(outOfRange, credit.Input with { MaxValue = long.MaxValue / 2 }), credit.Fee)] =
                    FailureReason.InputOutOfRange,
                [await deployed.RequestAsync(missing, TensorCodec.Encode(credit.RandomValues(random), credit.Input), credit.Fee)] =
                    FailureReason.ModelFileUnavailable,
                [await deployed.RequestAsync(mismatched, TensorCodec.Encode(credit.RandomValues(random), credit.Input), credit.Fee)] =
                    FailureReason.ModelHashMismatch,
            };

            // Served once while active (no file anywhere: MODEL_FILE_UNAVAILABLE), so the node has the model cached and
            // must notice the revocation itself.
            var beforeRevocation = await deployed.RequestAsync(revoked, TensorCodec.Encode(credit.RandomValues(random), credit.Input), credit.Fee);
            expected[beforeRevocation] = FailureReason.ModelFileUnavailable;
            await WaitUntilAsync(async () => await SettledCountAsync(deployed, [beforeRevocation]) == 1, "the request before the revocation settled");

            await fixture.Node.RpcAsync("evm_setAutomine", false);
            byte[] requestTx;
            try
            {
                requestTx = (await deployed.Requester.SendAsync(await deployed.RequestCallAsync(
                    revoked, TensorCodec.Encode(credit.RandomValues(random), credit.Input), credit.Fee))).Hash;
                await deployed.Owner.SendAsync(new TransactionCall(deployed.Deployment.ModelRegistry, ModelRegistryContract.EncodeRevokeModel(revoked), GasLimit: 200_000));
                await fixture.Node.RpcAsync("evm_mine");
            }
            finally
            {
                await fixture.Node.RpcAsync("evm_setAutomine", true);
            }
            expected[Deployed.RequestIdOf((await deployed.Rpc.GetTransactionReceiptAsync(requestTx))!)] = FailureReason.ModelRevoked;

            // A good request next to the bad ones: the node keeps going.
            var good = await SendAsync(deployed, credit, random);

            var ids = expected.Keys.Append(good.RequestId).ToList();
            await WaitUntilAsync(async () => await SettledCountAsync(deployed, ids) == ids.Count, "every request settled");
            var (fulfilled, failed) = await deployed.SettlementsAsync();
            foreach (var (id, reason) in expected)
                Assert.Equal([(int)reason], failed.GetValueOrDefault(id) ?? []);
            Assert.Single(fulfilled[good.RequestId]);
        }
        finally
        {
            await OracleHost.StopAsync(host);
        }
    }
}
