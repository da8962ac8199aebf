using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>Loads the signing key of a command from an encrypted keystore (Web3 Secret Storage v3).</summary>
public static class KeyLoader
{
    public static readonly Option<FileInfo?> KeystoreOption = new("--keystore")
    {
        Description = "Encrypted keystore (JSON, Web3 Secret Storage v3) of the account that signs. Env: OG_ORACLE_KEYSTORE.",
    };

    public static void AddTo(Command command)
    {
        command.Options.Add(KeystoreOption);
        PasswordSource.AddTo(command);
    }

    public static PrivateKey Load(ParseResult parse, IAnsiConsole console)
    {
        var file = parse.GetValue(KeystoreOption)
            ?? (Environment.GetEnvironmentVariable("OG_ORACLE_KEYSTORE") is { Length: > 0 } env ? new FileInfo(env) : null)
            ?? throw new CliException("no signing key given", ExitCodes.Usage,
                "pass --keystore FILE (create one with `og-oracle keys new` or `og-oracle keys import`)");
        return Load(file, PasswordSource.Resolve(parse, console));
    }

    /// <summary>The address of --keystore (or OG_ORACLE_KEYSTORE) from its "address" field: no password needed.</summary>
    public static Ethereum.Primitives.Address AddressOf(ParseResult parse)
    {
        var file = parse.GetValue(KeystoreOption)
            ?? (Environment.GetEnvironmentVariable("OG_ORACLE_KEYSTORE") is { Length: > 0 } env ? new FileInfo(env) : null)
            ?? throw new CliException("no account given", ExitCodes.Usage, "pass --address ADDRESS or --keystore FILE");
        if (!file.Exists) throw new CliException($"keystore {file.FullName} does not exist", ExitCodes.Input);
        try
        {
            var address = JsonNode.Parse(File.ReadAllText(file.FullName))?["address"]?.GetValue<string>()
                ?? throw new FormatException("no \"address\" field");
            return Ethereum.Primitives.Address.Parse(address.StartsWith("0x", StringComparison.Ordinal) ? address : "0x" + address);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CliException($"{file.FullName} is not a usable keystore: {e.Message}", ExitCodes.Input, inner: e);
        }
    }

    public static PrivateKey Load(FileInfo file, string password)
    {
        if (!file.Exists)
            throw new CliException($"keystore {file.FullName} does not exist", ExitCodes.Input,
                "create one with `og-oracle keys new --out FILE`");
        try
        {
            return KeystoreV3.Decrypt(File.ReadAllText(file.FullName), password);
        }
        catch (KeystoreWrongPasswordException e)
        {
            throw new CliException($"wrong password for keystore {file.FullName}", ExitCodes.Input,
                "check --password-file / OG_ORACLE_PASSWORD", e);
        }
        catch (Exception e) when (e is KeystoreException or JsonException or FormatException)
        {
            throw new CliException($"{file.FullName} is not a usable keystore: {e.Message}", ExitCodes.Input, inner: e);
        }
    }
}
