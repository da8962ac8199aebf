using System.CommandLine;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>
/// Where a keystore password comes from: a file (--password-file), an environment variable (--password-env,
/// default OG_ORACLE_PASSWORD), or an interactive prompt. Never a command-line value: it would land in shell history
/// and in the process list.
/// </summary>
public static class PasswordSource
{
    public const string DefaultEnvironmentVariable = "OG_ORACLE_PASSWORD";

    public static readonly Option<FileInfo?> PasswordFileOption = new("--password-file")
    {
        Description = "Read the keystore password from this file (first line).",
    };

    public static readonly Option<string?> PasswordEnvOption = new("--password-env")
    {
        Description = $"Read the keystore password from this environment variable (default {DefaultEnvironmentVariable}).",
    };

    public static void AddTo(Command command)
    {
        command.Options.Add(PasswordFileOption);
        command.Options.Add(PasswordEnvOption);
    }

    public static string Resolve(ParseResult parse, IAnsiConsole console, bool confirm = false)
    {
        var file = parse.GetValue(PasswordFileOption);
        if (file is not null)
        {
            if (!file.Exists)
                throw new CliException($"password file {file.FullName} does not exist", ExitCodes.Input,
                    "create it with the password on its first line, or use --password-env");
            var line = File.ReadLines(file.FullName).FirstOrDefault() ?? "";
            return line.TrimEnd('\r', '\n');
        }

        var variable = parse.GetValue(PasswordEnvOption) ?? DefaultEnvironmentVariable;
        var fromEnv = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        if (parse.GetValue(PasswordEnvOption) is not null)
            throw new CliException($"environment variable {variable} is not set", ExitCodes.Input,
                $"export {variable}=... or use --password-file");

        if (Console.IsInputRedirected || !console.Profile.Capabilities.Interactive)
            throw new CliException("no keystore password given and no terminal to ask for one", ExitCodes.Input,
                $"use --password-file FILE or set {DefaultEnvironmentVariable}");
        var password = console.Prompt(new TextPrompt<string>("Keystore password:").Secret());
        if (confirm)
        {
            var again = console.Prompt(new TextPrompt<string>("Repeat the password:").Secret());
            if (again != password) throw new CliException("the two passwords differ", ExitCodes.Input);
        }
        return password;
    }
}
