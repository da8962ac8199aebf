using System.CommandLine;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Worker;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle node run</c>: hosts the oracle node (OracleNodeHost) in this process until Ctrl-C / SIGTERM.</summary>
internal static class NodeCommands
{
    public static Command Build(CliContext context)
    {
        var node = new Command("node", "Run an oracle node.");
        var run = new Command("run",
            "Run the oracle node with a configuration file (docs/CONFIGURATION.md; environment variables OG_ORACLE__Section__Key " +
            "override it) until Ctrl-C or SIGTERM. Exit 3 on a configuration error, naming each wrong key.");
        var config = new Option<FileInfo>("--config", "-c") { Description = "The node's JSON configuration file.", Required = true };
        run.Options.Add(config);
        run.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var file = parse.GetValue(config)!;
            if (!file.Exists)
                throw new CliException($"configuration file {file.FullName} does not exist", ExitCodes.Input,
                    "write one as docs/CONFIGURATION.md describes (scripts/demo.sh writes an example)");
            try
            {
                await OracleNodeHost.RunAsync(new OracleNodeHostOptions { ConfigFilePath = file.FullName }, cancellationToken);
            }
            catch (OracleNodeConfigurationException e)
            {
                throw new CliException(e.Message, ExitCodes.Input, "fix the keys named above in the file or in OG_ORACLE__* variables", e);
            }
            catch (Npgsql.NpgsqlException e)
            {
                // Raised while starting (migrations, then Hangfire's schema): a node that runs keeps going through outages.
                throw new CliException($"the node could not reach its database (ConnectionStrings:Oracle): {e.Message}", ExitCodes.Transport,
                    "start PostgreSQL or fix the connection string (docs/CONFIGURATION.md)", e);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM is how a node is stopped: not an error.
            }
            return ExitCodes.Success;
        }));
        node.Subcommands.Add(run);
        return node;
    }
}
