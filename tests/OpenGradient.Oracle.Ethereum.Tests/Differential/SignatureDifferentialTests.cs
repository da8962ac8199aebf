using System.Text;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using static OpenGradient.Oracle.Ethereum.Tests.Differential.Generators;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class SignatureDifferentialTests(EthersBridgeFixture fixture)
{
    [Fact]
    public void Signatures_public_keys_and_addresses_match_ethers_and_recover_both_ways()
    {
        Gen.Select(PrivateKeyBytes, Hash32).Array[25].Sample(batch =>
        {
            var cases = batch.Select(c => new { key = H(c.Item1), hash = H(c.Item2) }).ToArray();
            var theirs = fixture.Ethers.Batch("signHashes", cases);
            for (var i = 0; i < cases.Length; i++)
            {
                var key = Key(batch[i].Item1);
                var ours = key.Sign(batch[i].Item2);
                Same(theirs[i]!["signature"].Str(), ours.ToString(), cases[i], "signature");
                Same(theirs[i]!["publicKey"].Str(), H(key.PublicKey), cases[i], "public key");
                Same(theirs[i]!["address"].Str(), key.Address.ToString(), cases[i], "address");
                var recovered = Signature.Parse(theirs[i]!["signature"].Str()).Recover(batch[i].Item2);
                Same(key.Address.ToString(), recovered.ToString(), cases[i], "recovered address");
            }
        }, iter: 40);
    }

    [Fact]
    public void Recovery_of_our_signatures_over_random_hashes_matches_ethers()
    {
        Gen.Select(PrivateKeyBytes, Hash32, Hash32).Array[25].Sample(batch =>
        {
            // Sign one hash, recover against another: ethers and we must agree on the (wrong) signer too.
            var cases = batch.Select(c => new { hash = H(c.Item3), signature = Key(c.Item1).Sign(c.Item2).ToString() }).ToArray();
            var theirs = fixture.Ethers.Batch("recoverHashes", cases);
            for (var i = 0; i < cases.Length; i++)
            {
                string ours;
                try
                {
                    ours = Signature.Parse(cases[i].signature).Recover(batch[i].Item3).ToString();
                }
                catch (SignatureFormatException e)
                {
                    ours = "error: " + e.Message;
                }
                Same(theirs[i].Str(), ours, cases[i], "recovered address");
            }
        }, iter: 8);
    }

    [Fact]
    public void Checksummed_addresses_match_ethers()
    {
        Gen.Byte.Array[20].Array[50].Sample(batch =>
        {
            var cases = batch.Select(b => Hex.Encode(b)).ToArray();
            var theirs = fixture.Ethers.Batch("checksumAddresses", cases);
            for (var i = 0; i < cases.Length; i++)
            {
                var ours = new Address(batch[i]);
                Same(theirs[i].Str(), ours.ToString(), cases[i], "checksum");
                Assert.Equal(ours, Address.Parse(theirs[i].Str()));
            }
        }, iter: 10);
    }

    [Fact]
    public void Personal_message_hashes_and_signatures_match_ethers()
    {
        var messages = Gen.Frequency(
            (3, Gen.Byte.Array[0, 200]),
            (1, Gen.String.Select(s => Encoding.UTF8.GetBytes(s))));
        Gen.Select(PrivateKeyBytes, messages).Array[20].Sample(batch =>
        {
            var cases = batch.Select(c => new { key = H(c.Item1), message = H(c.Item2) }).ToArray();
            var theirs = fixture.Ethers.Batch("personalSign", cases);
            var recoverCases = new List<object>();
            for (var i = 0; i < cases.Length; i++)
            {
                var key = Key(batch[i].Item1);
                Same(theirs[i]!["hash"].Str(), H(PersonalMessage.Hash(batch[i].Item2)), cases[i], "EIP-191 hash");
                var signature = PersonalMessage.Sign(key, batch[i].Item2);
                Same(theirs[i]!["signature"].Str(), signature.ToString(), cases[i], "EIP-191 signature");
                Assert.Equal(key.Address, PersonalMessage.Recover(batch[i].Item2, signature));
                recoverCases.Add(new { message = cases[i].message, signature = signature.ToString() });
            }
            var recovered = fixture.Ethers.Batch("personalRecover", recoverCases);
            for (var i = 0; i < cases.Length; i++)
                Same(Key(batch[i].Item1).Address.ToString(), recovered[i].Str(), cases[i], "ethers' recovery of our EIP-191 signature");
        }, iter: 12);
    }
}
