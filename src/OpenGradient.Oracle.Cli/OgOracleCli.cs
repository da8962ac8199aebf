using System.CommandLine;
using OpenGradient.Oracle.Cli.Commands;
using OpenGradient.Oracle.Cli.Commands.SampleDapp;
using OpenGradient.Oracle.Cli.Infrastructure;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli;

/// <summary>The og-oracle command tree. Tests invoke it in-process with their own <see cref="CliContext"/>.</summary>
public static class OgOracleCli
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "og-oracle: operate and verify the OpenGradient inference oracle. Data goes to stdout, messages to stderr. " +
            "Exit codes: 0 done, 1 the answer is no (request failed, not found), 2 bad arguments, 3 file/key/configuration " +
            "problem, 4 RPC unreachable, 5 the chain refused (custom error printed), 6 timed out. See docs/CLI.md.");
        root.Subcommands.Add(KeysCommands.Build(context));
        VerifyCommands.AddTo(root, context);
        root.Subcommands.Add(DeployCommand.Build(context));
        root.Subcommands.Add(ModelCommands.Build(context));
        root.Subcommands.Add(OperatorCommands.Build(context));
        root.Subcommands.Add(RequestCommand.Build(context));
        root.Subcommands.Add(StatusCommand.Build(context));
        root.Subcommands.Add(SampleDappCommand.Build(context));
        root.Subcommands.Add(NodeCommands.Build(context));
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, CliContext context)
    {
        var parse = Build(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) context.Console.MarkupLineInterpolated($"[red]error:[/] {error.Message}");
            context.Console.MarkupLine("[grey]hint:[/] run with --help to see the options");
            return ExitCodes.Usage;
        }
        // Ctrl-C / SIGTERM cancel the command's token; `node run` then stops the host gracefully (Hangfire and Kestrel
        // take up to 15 s), so the process waits that long before it is torn down.
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                ProcessTerminationTimeout = TimeSpan.FromSeconds(20),
                EnableDefaultExceptionHandler = false,
            });
        }
#pragma warning disable CA1031 // the last resort: whatever escaped the commands' own handling is printed, not lost
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Printed where every other error goes (the console, stderr), with the stack trace: this is a bug to report.
            context.Console.MarkupLineInterpolated($"[red]error:[/] unexpected failure: {e.GetType().Name}: {e.Message}");
            context.Console.WriteLine(e.ToString());
            context.Console.MarkupLine("[grey]hint:[/] this is a bug in og-oracle; please report it with the output above");
            return ExitCodes.Unexpected;
        }
    }
}
