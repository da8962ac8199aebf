using System.Numerics;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>A reorg shallower than the confirmation depth must never settle the orphaned request.</summary>
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

    private static async Task<byte[]> ExpectedOutputAsync(ResilienceRun run, byte[] input)
    {
        var model = run.Devnet.Manifest.Get("credit-scorer");
        using var inference = OracleInference.Create(new InferenceOptions { ModelDirectory = OracleDevnet.ModelDirectory });
        var result = await inference.RunAsync(new InferenceRequest(model.ModelId, null, model.Input, model.Output, input));
        return result.Output ?? throw new InvalidOperationException($"inference failed: {result.Failure}");
    }
}
