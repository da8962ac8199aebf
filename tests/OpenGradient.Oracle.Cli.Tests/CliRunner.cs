using OpenGradient.Oracle.Cli.Infrastructure;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Tests;

/// <summary>What one og-oracle invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real command tree in-process with stdout and the Spectre console (stderr) captured.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        var code = await OgOracleCli.InvokeAsync(args, new CliContext(stdout, console));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
