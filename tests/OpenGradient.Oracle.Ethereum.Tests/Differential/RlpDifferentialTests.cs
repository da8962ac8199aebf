using CsCheck;
using OpenGradient.Oracle.Ethereum.Rlp;
using static OpenGradient.Oracle.Ethereum.Tests.Differential.Generators;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class RlpDifferentialTests(EthersBridgeFixture fixture)
{
    private static readonly Gen<byte[]> Strings = Gen.Frequency(
        (4, Gen.Byte.Array[0, 3]),
        (2, Gen.Byte.Array[50, 60]),
        (1, Gen.Byte.Array[0, 300]));

    internal static Gen<RlpItem> Items(int depth) => depth == 0
        ? Strings.Select(b => (RlpItem)new RlpString(b))
        : Gen.Frequency(
            (3, Strings.Select(b => (RlpItem)new RlpString(b))),
            (1, Items(depth - 1).Array[0, 6].Select(l => (RlpItem)new RlpList(l))));

    internal static object ToJson(RlpItem item) => item switch
    {
        RlpString s => H(s.Value),
        RlpList l => l.Items.Select(ToJson).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    [Fact]
    public void Encoding_and_decoding_of_random_nested_items_match_ethers()
    {
        Items(4).Array[25].Sample(batch =>
        {
            var trees = batch.Select(ToJson).ToArray();
            var encoded = fixture.Ethers.Batch("rlpEncode", trees);
            var decoded = fixture.Ethers.Batch("rlpDecode", batch.Select(i => H(i.Encode())).ToArray());
            for (var i = 0; i < batch.Length; i++)
            {
                var ours = batch[i].Encode();
                Same(encoded[i].Str(), H(ours), trees[i], "RLP encoding");
                Same(decoded[i]!.ToJsonString(), Describe(ToJson(RlpItem.Decode(ours))), trees[i], "RLP decoding");
            }
        }, iter: 40);
    }
}
