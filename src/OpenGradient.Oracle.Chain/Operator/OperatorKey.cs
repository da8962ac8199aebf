using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Operator;

/// <summary>Settings of the <c>Operator</c> section: where the operator's encrypted key is and how to unlock it.</summary>
public sealed class OperatorOptions
{
    public const string SectionName = "Operator";

    /// <summary>A Web3 Secret Storage (keystore v3) file, as written by <c>og-oracle keys new</c>.</summary>
    public string? KeystorePath { get; set; }

    /// <summary>A file whose content (trailing newline trimmed) is the password. Takes precedence over the variable.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The environment variable holding the password when no file is given.</summary>
    public string PasswordEnvironmentVariable { get; set; } = "OG_ORACLE_PASSWORD";
}

/// <summary>The operator's signing key: it signs commitments and pays for the transactions that carry them.</summary>
public interface IOperatorKeyProvider
{
    PrivateKey Key { get; }

    Address Address { get; }
}

/// <summary>The key could not be loaded; the message says which setting to fix.</summary>
public sealed class OperatorKeyException : Exception
{
    public OperatorKeyException() { }

    public OperatorKeyException(string message) : base(message) { }

    public OperatorKeyException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A key held in memory (tests, tools that already have the key).</summary>
public sealed class InMemoryOperatorKeyProvider(PrivateKey key) : IOperatorKeyProvider
{
    public PrivateKey Key { get; } = key ?? throw new ArgumentNullException(nameof(key));

    public Address Address => Key.Address;
}

/// <summary>Decrypts the keystore once, on first use (the host resolves it at start-up, so a bad password stops the start).</summary>
internal sealed class KeystoreOperatorKeyProvider(IOptions<OperatorOptions> options) : IOperatorKeyProvider
{
    private readonly Lazy<PrivateKey> _key = new(() => Load(options.Value));

    public PrivateKey Key => _key.Value;

    public Address Address => Key.Address;

    internal static PrivateKey Load(OperatorOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.KeystorePath))
            throw new OperatorKeyException("Operator:KeystorePath is not set; create a key with `og-oracle keys new --out operator.json` and point Operator:KeystorePath at it");
        if (!File.Exists(o.KeystorePath))
            throw new OperatorKeyException($"Operator:KeystorePath '{o.KeystorePath}' does not exist");
        var password = ReadPassword(o);
        try
        {
            return KeystoreV3.Decrypt(File.ReadAllText(o.KeystorePath), password);
        }
        catch (KeystoreWrongPasswordException e)
        {
            throw new OperatorKeyException($"the password does not unlock {o.KeystorePath} (check Operator:PasswordFile or ${o.PasswordEnvironmentVariable})", e);
        }
        catch (KeystoreFormatException e)
        {
            throw new OperatorKeyException($"{o.KeystorePath} is not a valid keystore file: {e.Message}", e);
        }
    }

    private static string ReadPassword(OperatorOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.PasswordFile))
        {
            if (!File.Exists(o.PasswordFile)) throw new OperatorKeyException($"Operator:PasswordFile '{o.PasswordFile}' does not exist");
            return File.ReadAllText(o.PasswordFile).TrimEnd('\r', '\n');
        }
        var variable = string.IsNullOrWhiteSpace(o.PasswordEnvironmentVariable) ? "OG_ORACLE_PASSWORD" : o.PasswordEnvironmentVariable;
        return Environment.GetEnvironmentVariable(variable)
            ?? throw new OperatorKeyException($"no password for the operator keystore: set Operator:PasswordFile or the environment variable {variable}");
    }
}
