using System.Numerics;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// <see cref="INodeHealth"/> from the listener's own progress plus one cheap probe (eth_blockNumber and the operator's
/// balance), bounded by <see cref="ProbeTimeout"/> so the readiness endpoint answers quickly even when the RPC hangs.
/// </summary>
internal sealed class ChainNodeHealth(ChainContext context, RequestListener listener) : INodeHealth
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<ChainHealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var identityTask = context.GetIdentityAsync(CancellationToken.None);
        var chainId = identityTask.IsCompletedSuccessfully ? identityTask.Result.ChainId : context.Options.ChainId ?? 0;
        var oracle = context.Options.OracleAddress.ToLowerInvariant();
        Address? operatorAddress = null;
        try
        {
            operatorAddress = context.Key.Address;
        }
        catch (Operator.OperatorKeyException)
        {
            // Start-up reports it; health just does not know the operator.
        }

        ulong? head = null;
        BigInteger? balance = null;
        string? error = null;
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(ProbeTimeout);
        try
        {
            head = await context.Rpc.BlockNumberAsync(probe.Token).ConfigureAwait(false);
            if (operatorAddress is { } op) balance = await context.Rpc.GetBalanceAsync(op, BlockTag.Latest, probe.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or RpcErrorException)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"the RPC did not answer within {ProbeTimeout.TotalSeconds:0} s";
        }

        return new ChainHealthReport(chainId, oracle, operatorAddress?.ToString().ToLowerInvariant(), error is null, error, head,
            listener.LastProcessedBlock, listener.LastPollCompletedAt, balance, context.Endpoints.Snapshot());
    }
}
