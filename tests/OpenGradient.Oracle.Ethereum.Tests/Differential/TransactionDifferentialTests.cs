using System.Numerics;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Transactions;
using static OpenGradient.Oracle.Ethereum.Tests.Differential.Generators;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class TransactionDifferentialTests(EthersBridgeFixture fixture)
{
    private static readonly Gen<Address?> To = Gen.Frequency(
        (4, Gen.Byte.Array[20].Select(b => (Address?)new Address(b))),
        (1, Gen.Const((Address?)null)));

    private static readonly Gen<AccessListEntry> Entry =
        Gen.Select(Gen.Byte.Array[20], Gen.Byte.Array[32].Array[0, 3], (a, keys) => new AccessListEntry(new Address(a), keys));

    private static readonly Gen<BigInteger> ChainId = Gen.Frequency(
        (3, Gen.ULong[1, 100_000].Select(u => (BigInteger)u)),
        (1, Gen.ULong[1, 1UL << 40].Select(u => (BigInteger)u)));

    private static readonly Gen<BigInteger> Nonce = Gen.ULong[0, (1UL << 53) - 1].Select(u => (BigInteger)u);

    private static readonly Gen<Transaction> Legacy =
        Gen.Select(Nonce, Uint256, Uint256, To, Uint256, Gen.Byte.Array[0, 120], Gen.Frequency((4, ChainId.Select(c => (BigInteger?)c)), (1, Gen.Const((BigInteger?)null))))
            .Select(t => (Transaction)new LegacyTransaction
            {
                Nonce = t.Item1, GasPrice = t.Item2, Gas = t.Item3, To = t.Item4, Value = t.Item5, Data = t.Item6, ChainId = t.Item7,
            });

    private static readonly Gen<Transaction> Dynamic =
        Gen.Select(Gen.Select(ChainId, Nonce, Uint256, Uint256, Uint256), To, Uint256, Gen.Byte.Array[0, 120], Entry.Array[0, 3])
            .Select(t => (Transaction)new Eip1559Transaction
            {
                ChainId = t.Item1.Item1, Nonce = t.Item1.Item2,
                MaxPriorityFeePerGas = BigInteger.Min(t.Item1.Item3, t.Item1.Item4), MaxFeePerGas = BigInteger.Max(t.Item1.Item3, t.Item1.Item4),
                Gas = t.Item1.Item5, To = t.Item2, Value = t.Item3, Data = t.Item4, AccessList = t.Item5,
            });

    private static object ToJson(Transaction tx) => tx switch
    {
        LegacyTransaction l => new
        {
            type = 0, nonce = l.Nonce.ToString(), gasPrice = l.GasPrice.ToString(), gas = l.Gas.ToString(), to = l.To?.ToString(),
            value = l.Value.ToString(), data = H(l.Data), chainId = l.ChainId?.ToString(),
        },
        Eip1559Transaction d => new
        {
            type = 2, chainId = d.ChainId.ToString(), nonce = d.Nonce.ToString(), maxPriorityFeePerGas = d.MaxPriorityFeePerGas.ToString(),
            maxFeePerGas = d.MaxFeePerGas.ToString(), gas = d.Gas.ToString(), to = d.To?.ToString(), value = d.Value.ToString(),
            data = H(d.Data), accessList = d.AccessList.Select(e => new { address = e.Address.ToString(), storageKeys = e.StorageKeys.Select(k => H(k)).ToArray() }).ToArray(),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(tx)),
    };

    [Fact]
    public void Signed_legacy_and_1559_transactions_are_byte_identical_to_ethers_and_decode_back()
    {
        Gen.Select(PrivateKeyBytes, Gen.OneOf(Legacy, Dynamic)).Array[20].Sample(batch =>
        {
            var cases = batch.Select(c => new { key = H(c.Item1), tx = ToJson(c.Item2) }).ToArray();
            var theirs = fixture.Ethers.Batch("signTransactions", cases);
            var ourRaws = new List<string>();
            for (var i = 0; i < cases.Length; i++)
            {
                var key = Key(batch[i].Item1);
                var tx = batch[i].Item2;
                Same(theirs[i]!["unsignedSerialized"].Str(), H(tx.EncodeUnsigned()), cases[i], "unsigned serialization");
                Same(theirs[i]!["unsignedHash"].Str(), H(tx.SigningHash()), cases[i], "signing hash");
                var signed = tx.Sign(key);
                Same(theirs[i]!["raw"].Str(), signed.RawHex, cases[i], "signed raw transaction");
                Same(theirs[i]!["hash"].Str(), H(signed.Hash), cases[i], "transaction hash");

                var decoded = SignedTransaction.Decode(Hex.Decode(theirs[i]!["raw"].Str()));
                Same(key.Address.ToString(), decoded.From.ToString(), cases[i], "sender recovered from ethers' raw tx");
                Same(signed.RawHex, H(decoded.Transaction.EncodeSigned(decoded.Signature)), cases[i], "re-encoding of decoded tx");
                Same(Describe(ToJson(tx)), Describe(ToJson(decoded.Transaction)), cases[i], "decoded fields");
                ourRaws.Add(signed.RawHex);
            }
            // Parsing recovers the sender in JS (~10 ms each), so only a few per batch.
            var parsed = fixture.Ethers.Batch("parseTransactions", ourRaws.Take(3).ToArray());
            for (var i = 0; i < parsed.Count; i++)
                Same(Key(batch[i].Item1).Address.ToString(), parsed[i]!["from"].Str(), cases[i], "ethers' recovery of our raw tx");
        }, iter: 30);
    }
}
