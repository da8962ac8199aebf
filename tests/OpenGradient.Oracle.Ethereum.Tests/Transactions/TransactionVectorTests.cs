using System.Numerics;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rlp;
using OpenGradient.Oracle.Ethereum.Transactions;

namespace OpenGradient.Oracle.Ethereum.Tests.Transactions;

public sealed class TransactionVectorTests
{
    // The worked example in the EIP-155 text.
    private static readonly LegacyTransaction Eip155Example = new()
    {
        Nonce = 9, GasPrice = 20_000_000_000, Gas = 21_000, To = Address.Parse("0x3535353535353535353535353535353535353535"),
        Value = BigInteger.Parse("1000000000000000000"), ChainId = 1,
    };

    [Fact]
    public void Eip155_example_transaction_matches_the_published_signing_data_hash_and_signed_bytes()
    {
        var key = PrivateKey.Parse("0x4646464646464646464646464646464646464646464646464646464646464646");
        Assert.Equal("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080",
            Hex.Encode(Eip155Example.EncodeUnsigned()));
        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Hex.Encode(Eip155Example.SigningHash()));
        var signed = Eip155Example.Sign(key);
        Assert.Equal("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            signed.RawHex);
        var decoded = SignedTransaction.Decode(signed.Raw);
        Assert.Equal(key.Address, decoded.From);
        Assert.Equal((BigInteger?)1, ((LegacyTransaction)decoded.Transaction).ChainId);
    }

    [Theory]
    [InlineData("0x", typeof(TransactionFormatException))]
    [InlineData("0x01c0", typeof(TransactionFormatException))] // EIP-2930 is not supported
    [InlineData("0xc0", typeof(RlpException))] // too few fields
    [InlineData("0x02c0", typeof(RlpException))]
    public void Malformed_raw_transactions_raise_typed_errors(string hex, Type expected)
    {
        var ex = Record.Exception(() => SignedTransaction.Decode(Hex.Decode(hex)));
        Assert.IsType(expected, ex);
    }

    [Fact]
    public void Legacy_v_that_is_neither_27_28_nor_eip155_is_rejected()
    {
        var raw = Hex.Decode("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
        raw[0x2b] = 0x1d; // v = 29
        var ex = Assert.Throws<TransactionFormatException>(() => SignedTransaction.Decode(raw));
        Assert.Contains("v must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_fed_to_the_decoder_fail_only_with_format_errors()
    {
        var prefixes = Gen.OneOf(Gen.Const(Array.Empty<byte>()), Gen.Const(new byte[] { 2 }));
        Gen.Select(prefixes, Gen.Byte.Array[0, 200]).Sample((prefix, body) =>
        {
            var raw = prefix.Concat(body).ToArray();
            try
            {
                SignedTransaction.Decode(raw);
            }
            catch (FormatException)
            {
                // RlpException, TransactionFormatException and SignatureFormatException all derive from FormatException.
            }
        }, iter: 10_000);
    }

    [Fact]
    public void Mutated_signed_transactions_fail_only_with_format_errors()
    {
        var key = PrivateKey.Parse("0x4646464646464646464646464646464646464646464646464646464646464646");
        var raw = new Eip1559Transaction
        {
            ChainId = 31337, Nonce = 3, MaxPriorityFeePerGas = 1, MaxFeePerGas = 2, Gas = 50_000, To = null, Data = [1, 2, 3],
            AccessList = [new AccessListEntry(Address.Zero, [new byte[32]])],
        }.Sign(key).Raw.ToArray();
        Gen.Select(Gen.Int[0, raw.Length - 1], Gen.Byte, Gen.Int[0, raw.Length]).Sample((at, value, cut) =>
        {
            var mutated = (byte[])raw.Clone();
            mutated[at] = value;
            foreach (var candidate in new[] { mutated, raw[..cut] })
            {
                try
                {
                    SignedTransaction.Decode(candidate);
                }
                catch (FormatException)
                {
                }
            }
        }, iter: 3_000);
    }
}
