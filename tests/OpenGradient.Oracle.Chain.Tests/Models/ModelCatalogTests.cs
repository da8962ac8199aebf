using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Models;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Models;

/// <summary>The registry reads behind every inference: a burst of requests shares one revocation check, and a
/// revocation is still seen by the first request made after it.</summary>
public sealed class ModelCatalogTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    [Fact]
    public async Task Requests_of_one_block_share_one_status_read_and_a_revocation_reaches_the_first_request_after_it()
    {
        using var bed = await ChainTestbed.DeployAsync(node);
        var calls = new RpcCallCounter();
        using var http = new HttpClient(calls);
        using var context = new ChainContext(new EthRpcClient(node.Url, http), new InMemoryOperatorKeyProvider(bed.Key(3)), bed.Options());
        await context.InitializeAsync();
        var clock = new ManualClock();
        using var catalog = new ModelCatalog(context, clock);
        var head = await bed.Rpc.BlockNumberAsync();
        Assert.NotNull((await catalog.LookupAsync(bed.ModelId, head, CancellationToken.None)).Model); // first sight: getModel

        calls.Reset();
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => catalog.LookupAsync(bed.ModelId, head, CancellationToken.None)));
        Assert.All(burst, r => Assert.NotNull(r.Model));
        Assert.Equal(1, calls.Count("eth_call"));
        Assert.NotNull((await catalog.LookupAsync(bed.ModelId, head - 1, CancellationToken.None)).Model); // an older request: same read
        Assert.Equal(1, calls.Count("eth_call"));

        clock.Advance(ModelCatalog.StatusMaxAge);
        Assert.NotNull((await catalog.LookupAsync(bed.ModelId, head, CancellationToken.None)).Model); // the read aged out
        Assert.Equal(2, calls.Count("eth_call"));

        await bed.Owner.SendAndWaitAsync(new TransactionCall(bed.Deployment.ModelRegistry, ModelRegistryContract.EncodeRevokeModel(bed.ModelId)),
            ChainTestbed.Timeout);
        var afterRevocation = await bed.Rpc.BlockNumberAsync();
        var revoked = await catalog.LookupAsync(bed.ModelId, afterRevocation, CancellationToken.None); // a later block: read again, fresh or not
        Assert.Equal(FailureReason.ModelRevoked, revoked.Failure);
        Assert.Null(revoked.Model);
        Assert.Equal(3, calls.Count("eth_call"));

        // Revocation is permanent: every later lookup says so without asking.
        Assert.Equal(FailureReason.ModelRevoked, (await catalog.LookupAsync(bed.ModelId, head, CancellationToken.None)).Failure);
        Assert.Equal(3, calls.Count("eth_call"));
    }
}
