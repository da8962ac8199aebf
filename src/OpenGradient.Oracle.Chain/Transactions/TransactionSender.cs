using System.Numerics;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Ethereum.Transactions;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>
/// Signs EIP-1559 transactions locally with one key and broadcasts them with eth_sendRawTransaction; the RPC node never
/// holds a key. Every transaction is simulated first (eth_estimateGas), so a call the contract would refuse fails here
/// with a named <see cref="ContractRevertedException"/> and costs nothing.
/// </summary>
public sealed class TransactionSender
{
    /// <summary>Headroom on estimated gas: estimates are exact for the state they ran against, and state moves.</summary>
    private const int GasMarginPercent = 20;

    private readonly EthRpcClient _rpc;
    private readonly PrivateKey _key;
    private readonly INonceSource _nonces;
    private readonly FeePolicy _fees;
    private readonly ContractAbi _errors;
    private readonly TimeProvider _time;

    public TransactionSender(EthRpcClient rpc, PrivateKey key, ulong chainId, INonceSource? nonces = null,
        FeePolicy? fees = null, ContractAbi? errors = null, TimeProvider? time = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        ChainId = chainId;
        _nonces = nonces ?? new ChainNonceSource(rpc);
        _fees = fees ?? new FeePolicy();
        _errors = errors ?? KnownErrors.Abi;
        _time = time ?? TimeProvider.System;
    }

    public Address From => _key.Address;

    public ulong ChainId { get; }

    public EthRpcClient Rpc => _rpc;

    /// <summary>How often <see cref="WaitForReceiptAsync"/> polls.</summary>
    public TimeSpan ReceiptPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs <paramref name="call"/> once against the latest state (eth_call) without estimating its gas: for a
    /// caller that knows the gas already and only wants a refusal to fail here, named, at no cost.</summary>
    /// <exception cref="ContractRevertedException">the contract refuses it.</exception>
    public async Task SimulateAsync(TransactionCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await _rpc.EthCallAsync(Request(call), null, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            throw new ContractRevertedException(RevertStage.Simulation, e.Decode(_errors), null, e);
        }
    }

    /// <summary>Simulates and estimates <paramref name="call"/>; throws <see cref="ContractRevertedException"/> if the
    /// contract refuses it. Returns the gas limit to use (with margin).</summary>
    public async Task<ulong> EstimateAsync(TransactionCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var estimate = await _rpc.EstimateGasAsync(Request(call), null, cancellationToken).ConfigureAwait(false);
            return call.GasLimit ?? estimate + estimate * GasMarginPercent / 100;
        }
        catch (ContractRevertException e)
        {
            throw new ContractRevertedException(RevertStage.Simulation, e.Decode(_errors), null, e);
        }
    }

    /// <summary>Simulates, signs with the next nonce, and broadcasts. Returns once the node accepted it (not mined).</summary>
    public async Task<SignedTransaction> SendAsync(TransactionCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var gas = call.GasLimit ?? await EstimateAsync(call, cancellationToken).ConfigureAwait(false);
        var fees = await _fees.SuggestAsync(_rpc, cancellationToken).ConfigureAwait(false);
        var nonce = await _nonces.NextAsync(From, cancellationToken).ConfigureAwait(false);
        var signed = Sign(call, nonce, gas, fees);
        try
        {
            await _rpc.SendRawTransactionAsync(signed.Raw.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            // Automining devnets (Hardhat) execute the transaction inside eth_sendRawTransaction and report a revert
            // as an error, although the transaction was mined and its nonce spent.
            throw new ContractRevertedException(RevertStage.Execution, e.Decode(_errors), signed.Hash, e);
        }
        catch (Exception e) when (e is RpcErrorException or RpcTransportException { IsTransient: false } or OperationCanceledException)
        {
            // The node refused it (or we gave up before knowing): the nonce must not stay reserved, or every later
            // transaction would wait behind a gap forever.
            await _nonces.ReleaseAsync(From, nonce, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return signed;
    }

    /// <summary>Signs without broadcasting (the caller stores it first, then broadcasts: a crash in between loses nothing).</summary>
    public SignedTransaction Sign(TransactionCall call, ulong nonce, ulong gasLimit, Fees fees)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(fees);
        var tx = new Eip1559Transaction
        {
            ChainId = ChainId,
            Nonce = nonce,
            Gas = gasLimit,
            MaxFeePerGas = fees.MaxFeePerGas,
            MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
            To = call.To,
            Value = call.Value,
            Data = call.Data,
        };
        return tx.Sign(_key);
    }

    /// <summary><see cref="SendAsync"/>, then waits for the receipt; a reverted transaction throws
    /// <see cref="ContractRevertedException"/> with <see cref="RevertStage.Execution"/>.</summary>
    public async Task<RpcReceipt> SendAndWaitAsync(TransactionCall call, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signed = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        var receipt = await WaitForReceiptAsync(signed.Hash, timeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
            throw new ContractRevertedException(RevertStage.Execution, await ReplayRevertAsync(call, receipt, cancellationToken).ConfigureAwait(false), signed.Hash);
        return receipt;
    }

    /// <summary>Deploys init code and returns the new contract's address with the receipt.</summary>
    public async Task<(Address Contract, RpcReceipt Receipt)> DeployAsync(byte[] initCode, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var receipt = await SendAndWaitAsync(TransactionCall.Create(initCode), timeout, cancellationToken).ConfigureAwait(false);
        return (receipt.ContractAddress ?? throw new InvalidOperationException("a creation receipt without contractAddress"), receipt);
    }

    /// <summary>Polls until the transaction is mined.</summary>
    /// <exception cref="TimeoutException">not mined within <paramref name="timeout"/>.</exception>
    public async Task<RpcReceipt> WaitForReceiptAsync(byte[] transactionHash, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var receipt = await _rpc.GetTransactionReceiptAsync(transactionHash, cancellationToken).ConfigureAwait(false);
            if (receipt is not null) return receipt;
            if (_time.GetUtcNow() >= deadline)
                throw new TimeoutException($"transaction {Hex.Encode(transactionHash)} was not mined within {timeout.TotalSeconds:0.#} s");
            await Task.Delay(ReceiptPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A mined revert carries no reason in its receipt; re-running the call on the parent block's state
    /// recovers it in the common case (the revert did not depend on earlier transactions of the same block).</summary>
    private async Task<RevertReason> ReplayRevertAsync(TransactionCall call, RpcReceipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            await _rpc.EthCallAsync(Request(call), BlockTag.Number(receipt.BlockNumber - 1), cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            return e.Decode(_errors);
        }
        return ContractAbi.DecodeBuiltinRevert([]);
    }

    private TransactionRequest Request(TransactionCall call) => new()
    {
        From = From,
        To = call.To,
        Data = call.Data,
        Value = call.Value.IsZero ? null : call.Value,
    };
}
