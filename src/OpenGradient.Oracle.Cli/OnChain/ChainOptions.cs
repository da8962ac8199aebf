using System.CommandLine;

namespace OpenGradient.Oracle.Cli.OnChain;

/// <summary>The options every chain command shares.</summary>
internal static class ChainOptions
{
    public static readonly Option<string> Rpc = new("--rpc")
    {
        Description = "JSON-RPC URL of the chain node (http or https), e.g. http://127.0.0.1:8545.",
        Required = true,
    };

    public static readonly Option<FileInfo> Deployment = new("--deployment")
    {
        Description = "Deployment file with the contract addresses, as written by `og-oracle deploy --out` or hardhat/scripts/deploy.ts.",
        Required = true,
    };

    public static void AddTo(Command command, bool deployment = true)
    {
        command.Options.Add(Rpc);
        if (deployment) command.Options.Add(Deployment);
    }
}
