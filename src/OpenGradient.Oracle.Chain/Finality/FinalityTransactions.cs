using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>
/// Sends the operator's finality transactions (<c>reexecute</c>, <c>finalize</c>) the way results are sent: simulate
/// first (a refusal costs nothing and names its error), take the next nonce from the same <see cref="INonceStore"/>
/// counter the <see cref="ResultSubmitter"/> uses, sign with <see cref="TransactionSender"/>, store, then broadcast. The
/// stored record carries no request keys, so the <see cref="ReceiptTracker"/> rebroadcasts and bumps it like any other
/// but never mistakes it for a request's submission.
/// </summary>
internal sealed partial class FinalityTransactions(
    ChainContext context, INonceStore nonces, IOutboundTransactionStore transactions, TimeProvider time, ILogger<FinalityTransactions> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly FeePolicy _fees = new() { MaxFeePerGasCap = context.Options.MaxFeePerGasWei };
    private TransactionSender? _sender;
    private StoredNonceSource? _nonceSource;

    /// <summary>Simulates <paramref name="data"/> against the oracle; sends it when the contract accepts it.</summary>
    /// <exception cref="ContractRevertedException">the simulation reverted (nothing was sent).</exception>
    public async Task<byte[]> SendAsync(ChainIdentity identity, byte[] data, string what, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sender = await SenderAsync(identity, cancellationToken).ConfigureAwait(false);
            var call = new TransactionCall(identity.Oracle, data);
            var gas = await sender.EstimateAsync(call, cancellationToken).ConfigureAwait(false);
            var fees = await _fees.SuggestAsync(context.Rpc, cancellationToken).ConfigureAwait(false);
            var nonce = await nonces.ReserveNextAsync(identity.ChainId, identity.OperatorText(), cancellationToken).ConfigureAwait(false);
            var signed = sender.Sign(call, nonce, gas, fees);
            await transactions.AddAsync(new OutboundTransaction(identity.ChainId, identity.OperatorText(), identity.OracleText, nonce, signed.Hash,
                signed.Raw.ToArray(), fees.MaxFeePerGas, fees.MaxPriorityFeePerGas, gas, OutboundTransactionStatus.Pending, [], time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
            try
            {
                await context.Rpc.SendRawTransactionAsync(signed.Raw.ToArray(), cancellationToken).ConfigureAwait(false);
            }
            catch (ContractRevertException)
            {
                // An automining devnet ran it inside eth_sendRawTransaction and it reverted: mined, nonce spent; the
                // receipt tracker records it.
            }
            catch (RpcErrorException e) when (BroadcastErrors.IsAlreadyKnown(e))
            {
            }
            catch (RpcErrorException)
            {
                // Refused: never mined, so its nonce must not stay reserved.
                await transactions.SetStatusAsync(identity.ChainId, signed.Hash, OutboundTransactionStatus.Dropped, null, CancellationToken.None).ConfigureAwait(false);
                await _nonceSource!.ReleaseAsync(identity.Operator, nonce, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (RpcTransportException e)
            {
                // Stored: the receipt tracker rebroadcasts it if it never mines.
                LogBroadcastUncertain(Hex.Encode(signed.Hash), e.Message);
            }
            LogSent(what, Hex.Encode(signed.Hash), nonce);
            return signed.Hash;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TransactionSender> SenderAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        if (_sender is not null) return _sender;
        _nonceSource = new StoredNonceSource(nonces, context.Rpc, identity.ChainId);
        await _nonceSource.ReconcileAsync(identity.Operator, cancellationToken).ConfigureAwait(false);
        _sender = new TransactionSender(context.Rpc, context.Key.Key, identity.ChainId, _nonceSource, _fees, KnownErrors.Abi, time);
        return _sender;
    }

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Sent {What}: {TxHash} (nonce {Nonce})")]
    private partial void LogSent(string what, string txHash, ulong nonce);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Warning, Message = "Broadcast of {TxHash} may not have arrived ({Error}); it will be rebroadcast if it does not mine")]
    private partial void LogBroadcastUncertain(string txHash, string error);
}
