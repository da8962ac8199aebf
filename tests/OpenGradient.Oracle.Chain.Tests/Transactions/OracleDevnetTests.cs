using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Transactions;

/// <summary>The devnet fixture other suites start nodes into: every manifest model registered as written, operators active.</summary>
public sealed class OracleDevnetTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    [Fact]
    public async Task Registers_every_bundled_model_with_its_manifest_specs_and_stakes_the_operators()
    {
        var devnet = await OracleDevnet.StartAsync(node, operators: 2);
        using var rpc = new EthRpcClient(node.Url);

        foreach (var model in devnet.Manifest.Models)
        {
            var info = ModelRegistryContract.DecodeGetModelOutput(await rpc.EthCallAsync(new TransactionRequest
            {
                To = devnet.Deployment.ModelRegistry,
                Data = ModelRegistryContract.EncodeGetModel(model.ModelId),
            }));
            Assert.False(info.Revoked);
            Assert.Equal(model.FeeWei, info.Fee);
            Assert.Equal(model.Input.ByteLength, (long)info.InputBytes);
            Assert.Equal(model.Output, new TensorSpec((ElementType)(int)info.Output.ElementType, (byte)info.Output.Decimals,
                (long)info.Output.MinValue, (long)info.Output.MaxValue, info.Output.Shape.Select(d => (uint)d).ToArray()));
            Assert.EndsWith(model.File, info.Uri, StringComparison.Ordinal);
        }
        foreach (var key in devnet.Operators)
        {
            var active = OperatorRegistryContract.DecodeIsActiveOutput(await rpc.EthCallAsync(new TransactionRequest
            {
                To = devnet.Deployment.OperatorRegistry,
                Data = OperatorRegistryContract.EncodeIsActive(key.Address),
            }));
            Assert.True(active);
        }
    }
}
