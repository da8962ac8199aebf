using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>A request as the requester's transaction created it.</summary>
public sealed record PendingRequest(BigInteger Id, InferenceOracleContract.Request Request, byte[] Input, RegistryModel Model, ulong Block);

/// <summary>
/// One real Hardhat devnet with the oracle deployed, the bundled models registered (with a URI nobody can fetch, so
/// the verifier's --model-dir is what counts) and two staked operators. The tests play the operator themselves:
/// run the model, sign the EIP-712 commitment, send the transaction. No oracle node is involved.
/// </summary>
public sealed class DevnetFixture : IAsyncLifetime
{
    public static readonly BigInteger MinStake = BigInteger.Pow(10, 18);
    public static readonly byte[] Runtime = Keccak256.Hash(Encoding.UTF8.GetBytes(RuntimeDescriptor.Current));
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<Address, TransactionSender> _senders = [];

    public HardhatNode Node { get; private set; } = null!;
    public EthRpcClient Rpc { get; private set; } = null!;
    public OracleDeployment Deployment { get; private set; } = null!;
    public PrivateKey Operator1 { get; private set; } = null!;
    public PrivateKey Operator2 { get; private set; } = null!;
    public PrivateKey Requester { get; private set; } = null!;

    /// <summary>The operators' own inference engine over the repository's models folder.</summary>
    public IOracleInference OperatorInference { get; } = OracleInference.Create(new InferenceOptions { ModelDirectory = RegistryModel.Directory });

    public Eip712Domain Domain => Eip712Domain.InferenceOracle(HardhatNode.ChainId, Deployment.InferenceOracle);

    public async Task InitializeAsync()
    {
        Node = await HardhatNode.StartAsync();
        Rpc = new EthRpcClient(Node.Url);
        var deployer = Sender(Key(0));
        Deployment = await new OracleDeployer(deployer).DeployAsync(new DeploymentPlan(MinStake));
        foreach (var model in RegistryModel.All)
        {
            await deployer.SendAndWaitAsync(new TransactionCall(Deployment.ModelRegistry, ModelRegistryContract.EncodeRegisterModel(
                model.ModelId, $"ipfs://not-fetched/{model.File}", ToAbi(model.Input), ToAbi(model.Output), model.Fee)), Timeout);
        }
        Operator1 = Key(1);
        Operator2 = Key(2);
        Requester = Key(3);
        foreach (var op in new[] { Operator1, Operator2 })
            await Sender(op).SendAndWaitAsync(new TransactionCall(Deployment.OperatorRegistry, OperatorRegistryContract.EncodeRegister(), MinStake), Timeout);
    }

    public async Task DisposeAsync()
    {
        OperatorInference.Dispose();
        Rpc.Dispose();
        await Node.DisposeAsync();
    }

    public SettlementReader Reader() => new(Rpc, Deployment.InferenceOracle) { FromBlock = Deployment.DeploymentBlock };

    /// <summary>A verifier reading operator state from the chain, with its own engine over <paramref name="modelDirectory"/>.</summary>
    public static IOracleInference VerifierInference(string? modelDirectory = null) =>
        OracleInference.Create(new InferenceOptions { ModelDirectory = modelDirectory ?? RegistryModel.Directory });

    public Verifier OnlineVerifier(IOracleInference inference) =>
        new(inference, new ChainOperatorStatus(Rpc, Deployment.OperatorRegistry), Rpc);

    public async Task<ulong> BlockNumberAsync() => await Rpc.BlockNumberAsync();

    public async Task<PendingRequest> RequestAsync(RegistryModel model, long[] values, int redundancy = 1)
    {
        var input = new byte[model.Input.ByteLength];
        // Encode without the range check: out-of-range inputs are how the failure tests get a failure.
        for (var i = 0; i < values.Length; i++)
        {
            var width = model.Input.ElementType.Width();
            var word = new BigInteger(values[i]).ToByteArray(isUnsigned: false, isBigEndian: true);
            var padded = Enumerable.Repeat(values[i] < 0 ? (byte)0xff : (byte)0, width).ToArray();
            word.AsSpan(Math.Max(0, word.Length - width)).CopyTo(padded.AsSpan(Math.Max(0, width - word.Length)));
            padded.CopyTo(input, i * width);
        }
        var latest = await Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var deadline = latest!.Timestamp + 3600;
        var receipt = await Sender(Requester).SendAndWaitAsync(new TransactionCall(Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInference(model.ModelId, input, 0, redundancy, deadline), model.Fee * redundancy), Timeout);
        var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
        var e = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
        return new PendingRequest(e.RequestId, e.Request, input, model, receipt.BlockNumber);
    }

    /// <summary>A k = 1 request that opts into the challenge window and two-phase delivery.</summary>
    public async Task<PendingRequest> RequestWithFinalityAsync(RegistryModel model, long[] values)
    {
        var input = TensorCodec.Encode(values, model.Input);
        var latest = await Rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var receipt = await Sender(Requester).SendAndWaitAsync(new TransactionCall(Deployment.InferenceOracle,
            InferenceOracleContract.EncodeRequestInferenceWithFinality(model.ModelId, input, 0, latest!.Timestamp + 3600), model.Fee), Timeout);
        var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
        var e = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
        return new PendingRequest(e.RequestId, e.Request, input, model, receipt.BlockNumber);
    }

    /// <summary>Disputes the provisional result with the exact bond (minStake / 10).</summary>
    public Task<RpcReceipt> ChallengeAsync(PrivateKey challenger, PendingRequest r, byte[] claimedOutputHash) =>
        SendAsync(challenger, new TransactionCall(Deployment.InferenceOracle, InferenceOracleContract.EncodeChallenge(r.Id, claimedOutputHash), MinStake / 10));

    /// <summary>A re-execution commitment in the challenge round: the same signed Fulfilment as fulfil.</summary>
    public Task<RpcReceipt> ReexecuteAsync(PendingRequest r, PrivateKey key, byte[] output) =>
        SendAsync(key, new TransactionCall(Deployment.InferenceOracle, InferenceOracleContract.EncodeReexecute(
            new InferenceOracleContract.Fulfilment(r.Id, r.Request, output, Runtime, SignCommitment(key, r, output)))));

    /// <summary>Moves the devnet clock past the challenge window (1 hour) and calls finalize.</summary>
    public async Task<RpcReceipt> FinalizeAfterWindowAsync(PendingRequest r, byte[] provisionalOutput)
    {
        await Node.RpcAsync("evm_increaseTime", 3601);
        await Node.RpcAsync("evm_mine");
        return await SendAsync(Requester, new TransactionCall(Deployment.InferenceOracle, InferenceOracleContract.EncodeFinalize(r.Id, r.Request, provisionalOutput)));
    }

    /// <summary>What an honest operator computes.</summary>
    public async Task<InferenceResult> RunAsync(PendingRequest r) =>
        await OperatorInference.RunAsync(new InferenceRequest(r.Model.ModelId, null, r.Model.Input, r.Model.Output, r.Input));

    public async Task<byte[]> HonestOutputAsync(PendingRequest r)
    {
        var result = await RunAsync(r);
        Assert.True(result.IsSuccess, result.ToString());
        return result.Output;
    }

    public byte[] SignCommitment(PrivateKey key, PendingRequest r, byte[] output) =>
        CommitmentSigning.SignCommitment(key, Domain, r.Id, r.Request.ModelId, r.Request.InputHash, Keccak256.Hash(output), Runtime).ToBytes();

    /// <summary>Signs and sends <paramref name="output"/> as <paramref name="key"/>'s result (fulfil, or a one-item
    /// fulfilBatch, or a one-item fulfilBatchPacked).</summary>
    public async Task<RpcReceipt> FulfilAsync(PendingRequest r, PrivateKey key, byte[] output, bool batch = false, bool packed = false)
    {
        var fulfilment = new InferenceOracleContract.Fulfilment(r.Id, r.Request, output, Runtime, SignCommitment(key, r, output));
        var data = packed ? InferenceOracleContract.EncodeFulfilBatchPacked(PackedFulfilmentBatch.Encode([fulfilment]))
            : batch ? InferenceOracleContract.EncodeFulfilBatch([fulfilment]) : InferenceOracleContract.EncodeFulfil(fulfilment);
        return await Sender(key).SendAndWaitAsync(new TransactionCall(Deployment.InferenceOracle, data), Timeout);
    }

    public async Task<RpcReceipt> ReportFailureAsync(PendingRequest r, PrivateKey key, FailureReason reason)
    {
        var signature = CommitmentSigning.SignFailure(key, Domain, r.Id, r.Request.ModelId, r.Request.InputHash, (ushort)reason, Runtime).ToBytes();
        var report = new InferenceOracleContract.FailureReport(r.Id, r.Request, (ushort)reason, Runtime, signature);
        return await Sender(key).SendAndWaitAsync(new TransactionCall(Deployment.InferenceOracle, InferenceOracleContract.EncodeReportFailure(report)), Timeout);
    }

    /// <summary>0 None, 1 Pending, 2 Fulfilled, 3 Failed, 4 Cancelled.</summary>
    public async Task<int> StatusAsync(BigInteger requestId) =>
        (int)InferenceOracleContract.DecodeRequestStatusOutput(await Rpc.EthCallAsync(new TransactionRequest
        {
            To = Deployment.InferenceOracle,
            Data = InferenceOracleContract.EncodeRequestStatus(requestId),
        }));

    /// <summary>An honest k = 1 result for <paramref name="model"/>; returns the request.</summary>
    public async Task<PendingRequest> SettleHonestlyAsync(RegistryModel model, long[] values)
    {
        var request = await RequestAsync(model, values);
        await FulfilAsync(request, Operator1, await HonestOutputAsync(request));
        return request;
    }

    /// <summary>A funded devnet account (0 deployer, 1-2 operators, 3 requester; 4+ free for tests that register more).</summary>
    public PrivateKey Key(int account) => PrivateKey.Parse(Node.Accounts[account].PrivateKey);

    public async Task<RpcReceipt> SendAsync(PrivateKey key, TransactionCall call) => await Sender(key).SendAndWaitAsync(call, Timeout);

    public Task<RpcReceipt> RegisterOperatorAsync(PrivateKey key) =>
        SendAsync(key, new TransactionCall(Deployment.OperatorRegistry, OperatorRegistryContract.EncodeRegister(), MinStake));

    private TransactionSender Sender(PrivateKey key)
    {
        lock (_senders)
        {
            if (!_senders.TryGetValue(key.Address, out var sender))
                _senders[key.Address] = sender = new TransactionSender(Rpc, key, HardhatNode.ChainId);
            return sender;
        }
    }

    private static ModelRegistryContract.TensorSpec ToAbi(TensorSpec spec) =>
        new((int)spec.ElementType, spec.Decimals, spec.MinValue, spec.MaxValue, spec.Shape.Select(d => (BigInteger)d).ToArray());
}

[CollectionDefinition(Name)]
public sealed class DevnetCollection : ICollectionFixture<DevnetFixture>
{
    public const string Name = "devnet";
}

/// <summary>Sample inputs inside each model's registered range.</summary>
public static class Inputs
{
    public static long[] Credit(int seed) => [5_000 + seed, -2_000, 3_500, 12_000, -700, 2_000, 100 * seed, 9_999];

    public static long[] Int8(int seed) => Enumerable.Range(0, 16).Select(i => (long)((i * 17 + seed * 31) % 256 - 128)).ToArray();
}
