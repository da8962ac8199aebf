using System.CommandLine;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Primitives;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle keys new|import|show-address</c>: encrypted keystores, never a plaintext key on disk.</summary>
internal static class KeysCommands
{
    private static readonly Option<FileInfo> OutOption = new("--out")
    {
        Description = "Where to write the encrypted keystore (refuses to overwrite).",
        Required = true,
    };

    private static readonly Option<bool> LightOption = new("--light")
    {
        Description = "Cheaper scrypt (N = 2^14) for development keys; the default N = 2^17 is what geth and ethers use.",
    };

    public static Command Build(CliContext context)
    {
        var keys = new Command("keys", "Create, import and inspect encrypted operator keys.");

        var create = new Command("new", "Generate a new key and write it as an encrypted keystore.");
        create.Options.Add(OutOption);
        create.Options.Add(LightOption);
        PasswordSource.AddTo(create);
        create.SetAction(parse => context.Run(() =>
        {
            var key = PrivateKey.Generate();
            Write(parse, context, key);
            return ExitCodes.Success;
        }));

        var import = new Command("import", "Encrypt an existing private key (hex, read from a file or stdin) into a keystore.");
        var keyFile = new Option<string>("--private-key-file")
        {
            Description = "File holding the 0x-hex private key, or - for standard input.",
            Required = true,
        };
        import.Options.Add(keyFile);
        import.Options.Add(OutOption);
        import.Options.Add(LightOption);
        PasswordSource.AddTo(import);
        import.SetAction(parse => context.Run(() =>
        {
            var source = parse.GetValue(keyFile)!;
            string text;
            if (source == "-") text = Console.In.ReadToEnd();
            else if (File.Exists(source)) text = File.ReadAllText(source);
            else throw new CliException($"private key file {source} does not exist", ExitCodes.Input);
            PrivateKey key;
            try
            {
                key = PrivateKey.Parse(text.Trim());
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CliException($"not a private key: {e.Message}", ExitCodes.Input,
                    "expected 32 bytes as 0x-prefixed hex", e);
            }
            Write(parse, context, key);
            return ExitCodes.Success;
        }));

        var show = new Command("show-address", "Print the address of a keystore (no password needed).");
        var keystoreArg = new Argument<FileInfo>("keystore") { Description = "The keystore file." };
        show.Arguments.Add(keystoreArg);
        show.SetAction(parse => context.Run(() =>
        {
            var file = parse.GetValue(keystoreArg)!;
            if (!file.Exists) throw new CliException($"keystore {file.FullName} does not exist", ExitCodes.Input);
            var json = JsonNode.Parse(File.ReadAllText(file.FullName));
            var address = json?["address"]?.GetValue<string>()
                ?? throw new CliException($"{file.FullName} has no address field", ExitCodes.Input,
                    "it is not a Web3 Secret Storage v3 keystore");
            context.Out.WriteLine(Address.Parse(address.StartsWith("0x", StringComparison.Ordinal) ? address : "0x" + address).ToString());
            return ExitCodes.Success;
        }));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(import);
        keys.Subcommands.Add(show);
        return keys;
    }

    private static void Write(ParseResult parse, CliContext context, PrivateKey key)
    {
        var out_ = parse.GetValue(OutOption)!;
        if (out_.Exists)
            throw new CliException($"{out_.FullName} already exists; refusing to overwrite a key", ExitCodes.Input,
                "choose another --out path");
        var password = PasswordSource.Resolve(parse, context.Console, confirm: true);
        if (password.Length == 0) throw new CliException("refusing an empty keystore password", ExitCodes.Input);
        var options = parse.GetValue(LightOption) ? KeystoreOptions.Light : new KeystoreOptions();
        var json = KeystoreV3.Encrypt(key, password, options);
        out_.Directory?.Create();
        // Owner-only from the first byte: create the file with 0600 before writing the secret into it.
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(out_.FullName, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }
        context.Out.WriteLine(key.Address.ToString());
        context.Console.MarkupLineInterpolated($"[grey]keystore written to {out_.FullName}[/]");
    }
}
