using System.Numerics;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Tests.Crypto;

public sealed class PublishedVectorTests
{
    private const string Mail = """
    {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
      "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
      "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
     "primaryType":"Mail",
     "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
     "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
    """;

    [Fact]
    public void Eip712_mail_example_matches_the_eip_text()
    {
        var typed = TypedData.Parse(Mail);
        Assert.Equal("Mail(Person from,Person to,string contents)Person(string name,address wallet)", typed.EncodeType("Mail"));
        Assert.Equal("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2", Hex.Encode(typed.TypeHash("Mail")));
        Assert.Equal("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f", Hex.Encode(typed.DomainSeparator()));
        Assert.Equal("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e", Hex.Encode(typed.HashStruct("Mail", typed.Message)));
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", Hex.Encode(typed.Digest()));
        var key = PrivateKey.FromBytes(Keccak256.Hash("cow"u8));
        Assert.Equal("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", key.Address.ToString());
        var signature = typed.Sign(key);
        Assert.Equal("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d", Hex.Encode(signature.R));
        Assert.Equal("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562", Hex.Encode(signature.S));
        Assert.Equal(28, signature.V);
        Assert.Equal(key.Address, typed.Recover(signature));
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    public void Eip55_examples_print_with_their_published_checksum(string address) =>
        Assert.Equal(address, Address.Parse(address.ToLowerInvariant()).ToString());

    [Fact]
    public void A_private_key_never_prints_its_secret()
    {
        var key = PrivateKey.Parse("0x4646464646464646464646464646464646464646464646464646464646464646");
        Assert.DoesNotContain("4646464646", key.ToString(), StringComparison.Ordinal);
        Assert.Contains(key.Address.ToString(), key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [InlineData("0x46")]
    public void Out_of_range_or_short_private_keys_are_rejected(string hex) =>
        Assert.ThrowsAny<ArgumentException>(() => PrivateKey.FromBytes(Hex.Decode(hex)));

    [Theory]
    [InlineData(64, 27, "65 bytes")]
    [InlineData(65, 29, "v must be 27 or 28")]
    [InlineData(65, 26, "v must be 27 or 28")]
    public void Malformed_signatures_raise_SignatureFormatException(int length, byte v, string expected)
    {
        var bytes = new byte[length];
        bytes[31] = 1;
        bytes[63] = 1;
        bytes[^1] = v;
        var ex = Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void High_s_signatures_are_rejected_on_parse()
    {
        var key = PrivateKey.Parse("0x4646464646464646464646464646464646464646464646464646464646464646");
        var bytes = key.Sign(new byte[32]).ToBytes();
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var highS = n - new BigInteger(bytes.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        highS.ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(bytes, 32);
        var ex = Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes));
        Assert.Contains("high-s", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x123")]
    [InlineData("0xzz")]
    public void Odd_or_non_hex_signature_text_is_a_SignatureFormatException(string text) =>
        Assert.Throws<SignatureFormatException>(() => Signature.Parse(text));

    [Fact]
    public void Keystore_with_an_unsupported_kdf_or_cipher_names_it()
    {
        var json = KeystoreV3.Encrypt(PrivateKey.Generate(), "pw", new KeystoreOptions { ScryptN = 16 });
        var kdf = Assert.Throws<KeystoreFormatException>(() => KeystoreV3.Decrypt(json.Replace("\"scrypt\"", "\"argon2\"", StringComparison.Ordinal), "pw"));
        Assert.Contains("argon2", kdf.Message, StringComparison.Ordinal);
        var cipher = Assert.Throws<KeystoreFormatException>(() => KeystoreV3.Decrypt(json.Replace("aes-128-ctr", "aes-128-cbc", StringComparison.Ordinal), "pw"));
        Assert.Contains("aes-128-cbc", cipher.Message, StringComparison.Ordinal);
        Assert.Throws<KeystoreWrongPasswordException>(() => KeystoreV3.Decrypt(json, "PW"));
        Assert.Throws<KeystoreFormatException>(() => KeystoreV3.Decrypt("{not json", "pw"));
    }

    [Fact]
    public void Typed_data_values_that_do_not_fit_their_type_are_rejected()
    {
        Assert.Throws<TypedDataException>(() => TypedData.Parse(Mail.Replace("\"chainId\":1", "\"chainId\":-1", StringComparison.Ordinal)).Digest());
        Assert.Throws<TypedDataException>(() => TypedData.Parse(Mail.Replace("\"type\":\"Person\"}", "\"type\":\"Persona\"}", StringComparison.Ordinal)));
        Assert.Throws<TypedDataException>(() => TypedData.Parse(Mail.Replace("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "0xbb", StringComparison.Ordinal)).Digest());
    }
}
