using System.CommandLine;
using System.Numerics;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.OnChain;

/// <summary>
/// One command's connection to the chain: the RPC client, the chain id it answered, and (for commands that take
/// --deployment) the contracts, checked to exist on this chain before anything is sent.
/// </summary>
internal sealed class ChainSession : IDisposable
{
    /// <summary>How long a command waits for a transaction it sent to be mined.</summary>
    public static readonly TimeSpan ReceiptTimeout = TimeSpan.FromMinutes(2);

    private readonly CliContext _context;

    public CliContext Context => _context;
    private OracleDeployment? _deployment;

    private ChainSession(CliContext context, EthRpcClient rpc, ulong chainId, OracleDeployment? deployment)
    {
        _context = context;
        Rpc = rpc;
        ChainId = chainId;
        _deployment = deployment;
    }

    public EthRpcClient Rpc { get; }

    public ulong ChainId { get; }

    public OracleDeployment Deployment => _deployment ?? throw new InvalidOperationException("this command was opened without --deployment");

    /// <summary>Parses --rpc; a malformed URL is a usage error.</summary>
    public static Uri ParseRpcUrl(ParseResult parse)
    {
        var text = parse.GetValue(ChainOptions.Rpc) ?? "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--rpc {text} is not an http(s) URL", ExitCodes.Usage, "e.g. --rpc http://127.0.0.1:8545");
        return uri;
    }

    /// <summary>Reads --deployment without touching the chain (so a bad file is reported before a dead node).</summary>
    public static OracleDeployment LoadDeployment(ParseResult parse)
    {
        var file = parse.GetValue(ChainOptions.Deployment)!;
        try
        {
            return OracleDeployment.Load(file.FullName);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException(e.Message, ExitCodes.Input, "pass the file `og-oracle deploy --out FILE` wrote", e);
        }
        catch (FormatException e)
        {
            throw new CliException($"unusable deployment file: {e.Message}", ExitCodes.Input, inner: e);
        }
    }

    public static async Task<ChainSession> OpenAsync(CliContext context, ParseResult parse, bool withDeployment, CancellationToken cancellationToken)
    {
        var url = ParseRpcUrl(parse);
        var deployment = withDeployment ? LoadDeployment(parse) : null;
        var rpc = new EthRpcClient(url, timeout: TimeSpan.FromSeconds(30));
        try
        {
            var chainId = await rpc.ChainIdAsync(cancellationToken);
            if (deployment is not null)
            {
                if (deployment.ChainId != chainId)
                    throw new CliException($"the deployment file is for chain {deployment.ChainId}, but {url} serves chain {chainId}",
                        ExitCodes.Input, "pass the --rpc of the chain the contracts were deployed to, or the matching --deployment");
                var code = await rpc.GetCodeAsync(deployment.InferenceOracle, BlockTag.Latest, cancellationToken);
                if (code.Length == 0)
                    throw new CliException($"no contract at the oracle address {deployment.InferenceOracle} on chain {chainId}",
                        ExitCodes.Input, "the devnet was probably restarted: deploy again with `og-oracle deploy`");
            }
            return new ChainSession(context, rpc, chainId, deployment);
        }
        catch
        {
            rpc.Dispose();
            throw;
        }
    }

    public TransactionSender Sender(PrivateKey key) => new(Rpc, key, ChainId) { ReceiptPollInterval = TimeSpan.FromMilliseconds(100) };

    /// <summary>eth_call with our contracts' custom errors decoded (a revert is a <see cref="ContractRevertedException"/>).</summary>
    public async Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken, Address? from = null)
    {
        try
        {
            return await Rpc.EthCallAsync(new TransactionRequest { To = to, Data = data, From = from }, BlockTag.Latest, cancellationToken);
        }
        catch (ContractRevertException e)
        {
            throw new ContractRevertedException(RevertStage.Simulation, e.Decode(KnownErrors.Abi), null, e);
        }
    }

    /// <summary>Sends one transaction, waits for it to be mined, and tells the user on stderr.</summary>
    public async Task<RpcReceipt> SendAsync(TransactionSender sender, string what, TransactionCall call, CancellationToken cancellationToken)
    {
        var receipt = await sender.SendAndWaitAsync(call, ReceiptTimeout, cancellationToken);
        _context.Console.MarkupLineInterpolated(
            $"[grey]{what}: tx {Hex.Encode(receipt.TransactionHash)} in block {receipt.BlockNumber}, gas {receipt.GasUsed}[/]");
        return receipt;
    }

    public async Task<ModelRegistryContract.ModelInfo> GetModelAsync(byte[] modelId, CancellationToken cancellationToken) =>
        ModelRegistryContract.DecodeGetModelOutput(await CallAsync(Deployment.ModelRegistry, ModelRegistryContract.EncodeGetModel(modelId), cancellationToken));

    public async Task<ModelRegistryContract.ModelTermsOutput> GetModelTermsAsync(byte[] modelId, CancellationToken cancellationToken) =>
        ModelRegistryContract.DecodeModelTermsOutput(await CallAsync(Deployment.ModelRegistry, ModelRegistryContract.EncodeModelTerms(modelId), cancellationToken));

    public async Task<BigInteger> GetBalanceAsync(Address account, CancellationToken cancellationToken) =>
        await Rpc.GetBalanceAsync(account, BlockTag.Latest, cancellationToken);

    public void Dispose() => Rpc.Dispose();
}
