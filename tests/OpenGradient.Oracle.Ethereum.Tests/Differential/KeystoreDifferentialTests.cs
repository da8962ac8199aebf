using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using static OpenGradient.Oracle.Ethereum.Tests.Differential.Generators;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class KeystoreDifferentialTests(EthersBridgeFixture fixture)
{
    private static readonly Gen<string> Passwords = Gen.OneOf(Gen.String[Gen.Char.AlphaNumeric, 0, 20], Gen.Const("pässwörd 🙂"), Gen.Const(""));

    [Fact]
    public void Keystores_we_write_decrypt_in_ethers_and_ethers_keystores_decrypt_here()
    {
        Gen.Select(PrivateKeyBytes, Passwords, Gen.Bool, Gen.Int[1, 4]).Array[5].Sample(batch =>
        {
            var ours = batch.Select(c => KeystoreV3.Encrypt(Key(c.Item1), c.Item2, new KeystoreOptions
            {
                Kdf = c.Item3 ? KeystoreKdf.Scrypt : KeystoreKdf.Pbkdf2, ScryptN = 1 << c.Item4, Pbkdf2Iterations = c.Item4 * 3,
            })).ToArray();
            var decrypted = fixture.Ethers.Batch("keystoreDecrypt", ours.Select((json, i) => new { json, password = batch[i].Item2 }).ToArray());
            var wrong = fixture.Ethers.Batch("keystoreDecrypt", ours.Select((json, i) => new { json, password = batch[i].Item2 + "x" }).ToArray());
            var theirs = fixture.Ethers.Batch("keystoreEncrypt", batch.Select(c => new { key = H(c.Item1), password = c.Item2, n = 1 << c.Item4 }).ToArray());
            for (var i = 0; i < batch.Length; i++)
            {
                var c = new { key = H(batch[i].Item1), password = batch[i].Item2, json = ours[i] };
                Same(H(batch[i].Item1), decrypted[i]!["privateKey"]?.GetValue<string>() ?? decrypted[i]!.ToJsonString(), c, "ethers decrypting our keystore");
                Assert.NotNull(wrong[i]!["error"]);
                var back = KeystoreV3.Decrypt(theirs[i].Str(), batch[i].Item2);
                Same(H(batch[i].Item1), H(back.ExportBytes()), new { json = theirs[i].Str(), password = batch[i].Item2 }, "our decryption of ethers' keystore");
                Assert.Throws<KeystoreWrongPasswordException>(() => KeystoreV3.Decrypt(theirs[i].Str(), batch[i].Item2 + "x"));
            }
        }, iter: 25);
    }
}
