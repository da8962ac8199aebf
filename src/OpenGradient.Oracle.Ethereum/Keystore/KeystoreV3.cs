using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace OpenGradient.Oracle.Ethereum.Keystore;

/// <summary>Base of keystore failures.</summary>
public abstract class KeystoreException(string message) : Exception(message);

/// <summary>The MAC did not match: the password is wrong (or the file was altered).</summary>
public sealed class KeystoreWrongPasswordException()
    : KeystoreException("wrong keystore password: the MAC does not match (or the keystore file was modified)");

/// <summary>Not a readable v3 keystore: bad JSON, a missing member, an unsupported kdf or cipher.</summary>
public sealed class KeystoreFormatException(string message) : KeystoreException(message);

public enum KeystoreKdf
{
    Scrypt,
    Pbkdf2,
}

/// <summary>
/// Key-derivation settings for writing. The defaults (scrypt N = 2^17, r = 8, p = 1) are what geth and ethers write;
/// tests use a small N. Salt and IV are random unless given.
/// </summary>
public sealed record KeystoreOptions
{
    public KeystoreKdf Kdf { get; init; } = KeystoreKdf.Scrypt;
    public int ScryptN { get; init; } = 1 << 17;
    public int ScryptR { get; init; } = 8;
    public int ScryptP { get; init; } = 1;
    public int Pbkdf2Iterations { get; init; } = 262_144;
    public byte[]? Salt { get; init; }
    public byte[]? Iv { get; init; }
    public Guid? Id { get; init; }

    /// <summary>scrypt N = 2^14 (ethers' "light" setting): fast enough for tests and throwaway devnet keys, weak
    /// against offline guessing; real operator keys use the default N = 2^17.</summary>
    public static KeystoreOptions Light { get; } = new() { ScryptN = 1 << 14 };
}

/// <summary>
/// Web3 Secret Storage v3 (geth, ethers, MetaMask exports): scrypt or PBKDF2-HMAC-SHA256, AES-128-CTR,
/// MAC = keccak256(derivedKey[16..32] ‖ ciphertext). Passwords are UTF-8 after NFKD normalisation, as ethers does.
/// </summary>
public static class KeystoreV3
{
    private const int DerivedKeyLength = 32;

    public static string Encrypt(PrivateKey key, string password, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeystoreOptions();
        var salt = options.Salt ?? RandomNumberGenerator.GetBytes(32);
        var iv = options.Iv ?? RandomNumberGenerator.GetBytes(16);
        if (iv.Length != 16) throw new ArgumentException("the AES-128-CTR IV is 16 bytes", nameof(options));
        var passwordBytes = PasswordBytes(password);
        JsonObject kdfParams;
        byte[] derived;
        if (options.Kdf == KeystoreKdf.Scrypt)
        {
            if (options.ScryptN < 2 || (options.ScryptN & (options.ScryptN - 1)) != 0)
                throw new ArgumentException("scrypt N must be a power of two above 1", nameof(options));
            derived = SCrypt.Generate(passwordBytes, salt, options.ScryptN, options.ScryptR, options.ScryptP, DerivedKeyLength);
            kdfParams = new JsonObject
            {
                ["dklen"] = DerivedKeyLength, ["n"] = options.ScryptN, ["p"] = options.ScryptP, ["r"] = options.ScryptR,
                ["salt"] = Convert.ToHexStringLower(salt),
            };
        }
        else
        {
            derived = Pbkdf2(passwordBytes, salt, options.Pbkdf2Iterations);
            kdfParams = new JsonObject
            {
                ["c"] = options.Pbkdf2Iterations, ["dklen"] = DerivedKeyLength, ["prf"] = "hmac-sha256",
                ["salt"] = Convert.ToHexStringLower(salt),
            };
        }
        var plain = key.ExportBytes();
        try
        {
            var ciphertext = AesCtr(derived.AsSpan(0, 16), iv, plain);
            var json = new JsonObject
            {
                ["address"] = Convert.ToHexStringLower(key.Address.Bytes),
                ["id"] = (options.Id ?? Guid.NewGuid()).ToString(),
                ["version"] = 3,
                ["crypto"] = new JsonObject
                {
                    ["cipher"] = "aes-128-ctr",
                    ["cipherparams"] = new JsonObject { ["iv"] = Convert.ToHexStringLower(iv) },
                    ["ciphertext"] = Convert.ToHexStringLower(ciphertext),
                    ["kdf"] = options.Kdf == KeystoreKdf.Scrypt ? "scrypt" : "pbkdf2",
                    ["kdfparams"] = kdfParams,
                    ["mac"] = Convert.ToHexStringLower(Mac(derived, ciphertext)),
                },
            };
            return json.ToJsonString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    public static PrivateKey Decrypt(string json, string password)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new KeystoreFormatException($"keystore is not valid JSON: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new KeystoreFormatException("keystore must be a JSON object");
        if (root.TryGetProperty("version", out var version) && !(version.ValueKind == JsonValueKind.Number && version.GetRawText() == "3"))
            throw new KeystoreFormatException($"unsupported keystore version {version.GetRawText()}; only version 3 is supported");
        var crypto = root.TryGetProperty("crypto", out var c) ? c
            : root.TryGetProperty("Crypto", out var c2) ? c2 : throw new KeystoreFormatException("keystore has no 'crypto' object");
        var cipher = GetString(crypto, "cipher");
        if (!string.Equals(cipher, "aes-128-ctr", StringComparison.OrdinalIgnoreCase))
            throw new KeystoreFormatException($"unsupported keystore cipher '{cipher}'; only aes-128-ctr is supported");
        var iv = GetHex(Get(crypto, "cipherparams"), "iv");
        if (iv.Length != 16) throw new KeystoreFormatException($"cipherparams.iv must be 16 bytes, got {iv.Length}");
        var ciphertext = GetHex(crypto, "ciphertext");
        if (ciphertext.Length != PrivateKey.Length) throw new KeystoreFormatException($"ciphertext must be 32 bytes, got {ciphertext.Length}");
        var mac = GetHex(crypto, "mac");
        var kdf = GetString(crypto, "kdf");
        var kdfParams = Get(crypto, "kdfparams");
        var salt = GetHex(kdfParams, "salt");
        var dklen = GetInt(kdfParams, "dklen");
        if (dklen != DerivedKeyLength) throw new KeystoreFormatException($"kdfparams.dklen must be 32, got {dklen}");
        var passwordBytes = PasswordBytes(password);
        byte[] derived;
        switch (kdf.ToLowerInvariant())
        {
            case "scrypt":
                var n = GetInt(kdfParams, "n");
                var r = GetInt(kdfParams, "r");
                var p = GetInt(kdfParams, "p");
                if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1)
                    throw new KeystoreFormatException($"invalid scrypt parameters n={n} r={r} p={p}");
                derived = SCrypt.Generate(passwordBytes, salt, n, r, p, DerivedKeyLength);
                break;
            case "pbkdf2":
                var prf = GetString(kdfParams, "prf");
                if (prf != "hmac-sha256") throw new KeystoreFormatException($"unsupported pbkdf2 prf '{prf}'; only hmac-sha256 is supported");
                var iterations = GetInt(kdfParams, "c");
                if (iterations < 1) throw new KeystoreFormatException($"invalid pbkdf2 iteration count {iterations}");
                derived = Pbkdf2(passwordBytes, salt, iterations);
                break;
            default:
                throw new KeystoreFormatException($"unsupported keystore kdf '{kdf}'; scrypt and pbkdf2 are supported");
        }
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(Mac(derived, ciphertext), mac)) throw new KeystoreWrongPasswordException();
            var plain = AesCtr(derived.AsSpan(0, 16), iv, ciphertext);
            try
            {
                var key = PrivateKey.FromBytes(plain);
                if (root.TryGetProperty("address", out var addressJson) && addressJson.ValueKind == JsonValueKind.String)
                {
                    var expected = Hex.Decode(addressJson.GetString()!);
                    if (!expected.AsSpan().SequenceEqual(key.Address.Bytes))
                        throw new KeystoreFormatException("keystore 'address' does not match the decrypted key");
                }
                return key;
            }
            catch (ArgumentException)
            {
                throw new KeystoreFormatException("decrypted key is not a valid secp256k1 private key");
            }
            catch (FormatException e)
            {
                throw new KeystoreFormatException($"keystore 'address' is not hex: {e.Message}");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static byte[] PasswordBytes(string password) => Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKD));

    private static byte[] Pbkdf2(byte[] password, byte[] salt, int iterations)
    {
        var generator = new Pkcs5S2ParametersGenerator(new Sha256Digest());
        generator.Init(password, salt, iterations);
        return ((KeyParameter)generator.GenerateDerivedMacParameters(DerivedKeyLength * 8)).GetKey();
    }

    private static byte[] AesCtr(ReadOnlySpan<byte> key, byte[] iv, byte[] input)
    {
        var cipher = new SicBlockCipher(new AesEngine());
        cipher.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        var output = new byte[input.Length];
        var block = new byte[16];
        for (var i = 0; i < input.Length; i += 16)
        {
            var n = Math.Min(16, input.Length - i);
            var chunk = new byte[16];
            Array.Copy(input, i, chunk, 0, n);
            cipher.ProcessBlock(chunk, 0, block, 0);
            Array.Copy(block, 0, output, i, n);
        }
        return output;
    }

    private static byte[] Mac(byte[] derived, byte[] ciphertext)
    {
        var buffer = new byte[16 + ciphertext.Length];
        Array.Copy(derived, 16, buffer, 0, 16);
        ciphertext.CopyTo(buffer, 16);
        return Keccak256.Hash(buffer);
    }

    private static JsonElement Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? v : throw new KeystoreFormatException($"keystore is missing '{name}'");

    private static string GetString(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw new KeystoreFormatException($"keystore '{name}' must be a string");

    private static int GetInt(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : throw new KeystoreFormatException($"keystore '{name}' must be a 32-bit integer");

    private static byte[] GetHex(JsonElement obj, string name)
    {
        try
        {
            return Hex.Decode(GetString(obj, name));
        }
        catch (FormatException e)
        {
            throw new KeystoreFormatException($"keystore '{name}': {e.Message}");
        }
    }
}
