using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>Stages of <c>IInferenceOracleFinality.FinalityStage</c>.</summary>
internal enum FinalityStage
{
    None = 0,
    Provisional = 1,
    Challenged = 2,
    Final = 3,
}

/// <summary>
/// What the finality components read from the oracle: the finality record and dispute votes (views), and a request's
/// <c>InferenceRequested</c> / <c>InferenceFulfilled</c> logs (looked up by the indexed request id), which hold the
/// request struct, the input and the provisional output that <c>reexecute</c> and <c>finalize</c> need back.
/// </summary>
internal sealed class OracleFinalityReader(ChainContext context, IRequestStore requests)
{
    private Address? _operatorRegistry;

    public async Task<InferenceOracleContract.FinalityRecord> FinalityAsync(ChainIdentity identity, BigInteger requestId, CancellationToken cancellationToken) =>
        InferenceOracleContract.DecodeFinalityOutput(await CallAsync(identity.Oracle, InferenceOracleContract.EncodeFinality(requestId), cancellationToken).ConfigureAwait(false));

    /// <summary>Operators whose re-execution (or quorum) commitment is recorded for the request.</summary>
    public async Task<IReadOnlyList<Address>> CommittedOperatorsAsync(ChainIdentity identity, BigInteger requestId, CancellationToken cancellationToken) =>
        InferenceOracleContract.DecodeCommitmentsOutput(
            await CallAsync(identity.Oracle, InferenceOracleContract.EncodeCommitments(requestId), cancellationToken).ConfigureAwait(false)).Operators;

    public async Task<bool> IsActiveOperatorAsync(ChainIdentity identity, Address @operator, CancellationToken cancellationToken)
    {
        _operatorRegistry ??= InferenceOracleContract.DecodeOperatorRegistryOutput(
            await CallAsync(identity.Oracle, InferenceOracleContract.EncodeOperatorRegistry(), cancellationToken).ConfigureAwait(false));
        return OperatorRegistryContract.DecodeIsActiveOutput(
            await CallAsync(_operatorRegistry.Value, OperatorRegistryContract.EncodeIsActive(@operator), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The request as emitted, with its input: from the node's store when the listener saw it, else from its
    /// log, searched backwards from <paramref name="notAfterBlock"/> in <see cref="ChainOptions.MaxBlockRange"/> steps.</summary>
    public async Task<InferenceRequest?> FindRequestAsync(ChainIdentity identity, BigInteger requestId, ulong notAfterBlock, CancellationToken cancellationToken)
    {
        var stored = await requests.GetAsync(new RequestKey(identity.ChainId, identity.OracleText, requestId), cancellationToken).ConfigureAwait(false);
        if (stored is not null) return stored.Request;
        var floor = context.Options.StartBlock ?? 0;
        var step = (ulong)context.Options.MaxBlockRange;
        for (var to = notAfterBlock; ; to -= step)
        {
            var from = to >= floor + step ? to - step + 1 : floor;
            var logs = await LogsAsync(identity, InferenceOracleContract.InferenceRequestedEventAbi.Topic0, requestId, from, to, cancellationToken).ConfigureAwait(false);
            if (logs.Count > 0) return RequestEvents.FromLog(identity.ChainId, logs[0]);
            if (from == floor) return null;
        }
    }

    /// <summary>The provisional output: the <c>InferenceFulfilled</c> log emitted with <c>ResultProvisional</c> in
    /// <paramref name="block"/>.</summary>
    public async Task<byte[]?> ProvisionalOutputAsync(ChainIdentity identity, BigInteger requestId, ulong block, CancellationToken cancellationToken)
    {
        var logs = await LogsAsync(identity, InferenceOracleContract.InferenceFulfilledEventAbi.Topic0, requestId, block, block, cancellationToken).ConfigureAwait(false);
        return logs.Count == 0 ? null : InferenceOracleContract.DecodeInferenceFulfilledEvent(logs[0].Topics, logs[0].Data).Output;
    }

    private Task<IReadOnlyList<RpcLog>> LogsAsync(ChainIdentity identity, byte[] topic0, BigInteger requestId, ulong from, ulong to, CancellationToken cancellationToken) =>
        context.Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [identity.Oracle],
            Topics = [[topic0], [AbiEncoder.Encode(AbiType.UInt256, requestId)]],
            FromBlock = BlockTag.Number(from),
            ToBlock = BlockTag.Number(to),
        }, cancellationToken);

    private Task<byte[]> CallAsync(Address to, byte[] data, CancellationToken cancellationToken) =>
        context.Rpc.EthCallAsync(new TransactionRequest { To = to, Data = data }, null, cancellationToken);
}
