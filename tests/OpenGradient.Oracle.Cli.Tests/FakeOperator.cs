using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Cli.Tests;

/// <summary>
/// A minimal oracle operator for CLI tests while the real node lives elsewhere: follows InferenceRequested, runs the
/// bundled model with the real inference engine, signs the EIP-712 commitment (or failure report) with the operator
/// key and settles it with fulfil / reportFailure. No retries, no persistence: just enough to settle requests.
/// </summary>
public sealed class FakeOperator : IAsyncDisposable
{
    private static readonly byte[] Runtime = Keccak256.Hash(Encoding.UTF8.GetBytes(RuntimeDescriptor.Current));

    private readonly EthRpcClient _rpc;
    private readonly OracleDeployment _deployment;
    private readonly PrivateKey _key;
    private readonly IOracleInference _inference;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOperator(Uri rpc, OracleDeployment deployment, PrivateKey key)
    {
        _rpc = new EthRpcClient(rpc);
        _deployment = deployment;
        _key = key;
        _inference = OracleInference.Create(new InferenceOptions { ModelDirectory = Path.Combine(RepoPaths.Root, "models") });
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Requests settled so far (fulfilled or failed).</summary>
    public int Settled { get; private set; }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var sender = new TransactionSender(_rpc, _key, _deployment.ChainId) { ReceiptPollInterval = TimeSpan.FromMilliseconds(50) };
        var domain = Eip712Domain.InferenceOracle(_deployment.ChainId, _deployment.InferenceOracle);
        var cursor = _deployment.DeploymentBlock;
        while (!cancellationToken.IsCancellationRequested)
        {
            var head = await _rpc.BlockNumberAsync(cancellationToken);
            if (head >= cursor)
            {
                var logs = await _rpc.GetLogsAsync(new LogFilter
                {
                    Addresses = [_deployment.InferenceOracle],
                    Topics = [[InferenceOracleContract.InferenceRequestedEventAbi.Topic0]],
                    FromBlock = BlockTag.Number(cursor),
                    ToBlock = BlockTag.Number(head),
                }, cancellationToken);
                foreach (var log in logs)
                {
                    var e = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
                    await SettleAsync(sender, domain, e, cancellationToken);
                    Settled++;
                }
                cursor = head + 1;
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task SettleAsync(TransactionSender sender, Eip712Domain domain, InferenceOracleContract.InferenceRequestedEvent e, CancellationToken cancellationToken)
    {
        var info = ModelRegistryContract.DecodeGetModelOutput(await _rpc.EthCallAsync(new TransactionRequest
        {
            To = _deployment.ModelRegistry,
            Data = ModelRegistryContract.EncodeGetModel(e.ModelId),
        }, BlockTag.Latest, cancellationToken));
        var result = await _inference.RunAsync(new InferenceRequest(e.ModelId, null, SpecConversion.FromAbi(info.Input), SpecConversion.FromAbi(info.Output), e.Input), cancellationToken);
        byte[] data;
        if (result.IsSuccess)
        {
            var signature = CommitmentSigning.SignCommitment(_key, domain, e.RequestId, e.ModelId, e.Request.InputHash, Keccak256.Hash(result.Output), Runtime);
            data = InferenceOracleContract.EncodeFulfil(new InferenceOracleContract.Fulfilment(e.RequestId, e.Request, result.Output, Runtime, signature.ToBytes()));
        }
        else
        {
            var reason = (ushort)result.Failure.Reason;
            var signature = CommitmentSigning.SignFailure(_key, domain, e.RequestId, e.ModelId, e.Request.InputHash, reason, Runtime);
            data = InferenceOracleContract.EncodeReportFailure(new InferenceOracleContract.FailureReport(e.RequestId, e.Request, new BigInteger(reason), Runtime, signature.ToBytes()));
        }
        // Fixed gas: the oracle checks gasleft() against the callback's limit, which estimation undershoots.
        await sender.SendAndWaitAsync(new TransactionCall(_deployment.InferenceOracle, data, GasLimit: 1_500_000), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _inference.Dispose();
        _rpc.Dispose();
        _stop.Dispose();
    }
}
