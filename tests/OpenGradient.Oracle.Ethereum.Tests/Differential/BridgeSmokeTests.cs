using System.Text;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class KeccakDifferentialTests(EthersBridgeFixture fixture)
{
    [Fact]
    public void Keccak256_of_generated_inputs_matches_ethers()
    {
        CsCheck.Gen.Byte.Array[0, 300].Sample(data =>
        {
            var ours = "0x" + Convert.ToHexStringLower(Keccak256.Hash(data));
            var theirs = fixture.Ethers.CallString("keccak256", new { data = "0x" + Convert.ToHexStringLower(data) });
            Assert.Equal(theirs, ours);
        }, iter: 500);
    }

    [Fact]
    public void Keccak256_of_the_empty_string_is_the_published_constant()
    {
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
            Convert.ToHexStringLower(Keccak256.Hash(Encoding.ASCII.GetBytes(""))));
    }
}
