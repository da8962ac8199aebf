using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OracleAbi = OpenGradient.Oracle.Chain.Generated.InferenceOracleContract;

namespace OpenGradient.Oracle.Verification;

/// <summary>The chain does not hold what verification needs: unknown, pending or cancelled request, undecodable commitment.</summary>
public sealed class SettlementReadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Gathers the public record of one settled request from any JSON-RPC node: the request event and its input, the
/// settlement event, every <c>CommitmentRecorded</c> with the calldata item that carried it (signature, output or
/// reason, runtime), the model's registry entry at the settlement block and each committing operator's registry
/// state at its commitment block. Reads only; needs no key and no oracle node.
/// </summary>
public sealed class SettlementReader(EthRpcClient rpc, Address oracle)
{
    /// <summary>First block searched for the request's events (the oracle's deployment block is a good value).</summary>
    public ulong FromBlock { get; init; }

    public Address Oracle => oracle;

    /// <summary>Most blocks one eth_getLogs call may span (public RPC providers cap it); 0 = no limit.</summary>
    public ulong MaxBlockRange { get; init; }

    /// <summary>Request ids settled (fulfilled or failed) by this oracle in [from, to], in settlement order.</summary>
    public async Task<IReadOnlyList<BigInteger>> FindSettledAsync(ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        var logs = await GetLogsAsync([[OracleAbi.InferenceFulfilledEventAbi.Topic0, OracleAbi.InferenceFailedEventAbi.Topic0]],
            fromBlock, toBlock, cancellationToken).ConfigureAwait(false);
        return logs.Where(l => !l.Removed && l.Topics.Count > 1)
            .OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex)
            .Select(l => new BigInteger(l.Topics[1], isUnsigned: true, isBigEndian: true))
            .Distinct()
            .ToArray();
    }

    /// <exception cref="SettlementReadException">the request is unknown, not settled, or a commitment cannot be decoded.</exception>
    public async Task<ProofBundle> ReadAsync(BigInteger requestId, CancellationToken cancellationToken = default)
    {
        var chainId = await rpc.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        var latest = await rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var logs = (await GetLogsAsync(
            [
                [OracleAbi.InferenceRequestedEventAbi.Topic0, OracleAbi.CommitmentRecordedEventAbi.Topic0, OracleAbi.InferenceFulfilledEventAbi.Topic0,
                    OracleAbi.InferenceFailedEventAbi.Topic0, OracleAbi.InferenceCancelledEventAbi.Topic0,
                    OracleAbi.FinalityRequestedEventAbi.Topic0, OracleAbi.ResultProvisionalEventAbi.Topic0, OracleAbi.ResultChallengedEventAbi.Topic0,
                    OracleAbi.ReexecutionRecordedEventAbi.Topic0, OracleAbi.ChallengeResolvedEventAbi.Topic0, OracleAbi.ChallengeTimedOutEventAbi.Topic0,
                    OracleAbi.ResultFinalizedEventAbi.Topic0],
                [Votes.Topic(requestId)],
            ],
            FromBlock, latest, cancellationToken).ConfigureAwait(false))
            .Where(l => !l.Removed)
            .OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex)
            .ToList();

        var requestedLog = logs.FirstOrDefault(l => OracleAbi.IsInferenceRequestedEvent(l.Topics))
            ?? await FindRequestedBeforeAsync(requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new SettlementReadException($"oracle {oracle} has no InferenceRequested event for request {requestId}");
        var requested = OracleAbi.DecodeInferenceRequestedEvent(requestedLog.Topics, requestedLog.Data);
        if (logs.Any(l => OracleAbi.IsInferenceCancelledEvent(l.Topics)))
            throw new SettlementReadException($"request {requestId} was cancelled; nothing was settled to verify");
        var settlementLog = logs.FirstOrDefault(l => OracleAbi.IsInferenceFulfilledEvent(l.Topics) || OracleAbi.IsInferenceFailedEvent(l.Topics))
            ?? throw new SettlementReadException($"request {requestId} is still pending (no InferenceFulfilled or InferenceFailed yet)");
        var settlementPosition = Position(settlementLog);
        var settlement = OracleAbi.IsInferenceFulfilledEvent(settlementLog.Topics)
            ? FromFulfilled(OracleAbi.DecodeInferenceFulfilledEvent(settlementLog.Topics, settlementLog.Data), settlementPosition)
            : new SettlementRecord(SettlementKind.Failed, null, null,
                (ushort)OracleAbi.DecodeInferenceFailedEvent(settlementLog.Topics, settlementLog.Data).Reason, settlementPosition);

        var domain = Eip712Domain.InferenceOracle(chainId, oracle);
        var commitments = new List<CommitmentRecord>();
        foreach (var log in logs.Where(l => OracleAbi.IsCommitmentRecordedEvent(l.Topics) || OracleAbi.IsReexecutionRecordedEvent(l.Topics)))
        {
            // A re-execution in a challenge round is the same signed Commitment, recorded under its own event.
            var recorded = OracleAbi.IsCommitmentRecordedEvent(log.Topics)
                ? OracleAbi.DecodeCommitmentRecordedEvent(log.Topics, log.Data)
                : FromReexecution(OracleAbi.DecodeReexecutionRecordedEvent(log.Topics, log.Data));
            commitments.Add(await ReadCommitmentAsync(domain, requestId, requested.Request, recorded, Position(log), cancellationToken).ConfigureAwait(false));
        }

        var atSettlement = BlockTag.Number(settlementPosition.BlockNumber);
        var modelRegistry = OracleAbi.DecodeModelRegistryOutput(await CallAsync(oracle, OracleAbi.EncodeModelRegistry(), atSettlement, cancellationToken).ConfigureAwait(false));
        var operatorRegistry = OracleAbi.DecodeOperatorRegistryOutput(await CallAsync(oracle, OracleAbi.EncodeOperatorRegistry(), atSettlement, cancellationToken).ConfigureAwait(false));
        var info = ModelRegistryContract.DecodeGetModelOutput(
            await CallAsync(modelRegistry, ModelRegistryContract.EncodeGetModel(requested.Request.ModelId), atSettlement, cancellationToken).ConfigureAwait(false));
        var model = new ModelRecord(requested.Request.ModelId, info.Uri, info.Owner, info.Fee, info.Revoked,
            ToSpec(info.Input), ToSpec(info.Output), settlementPosition.BlockNumber);
        var minStake = OperatorRegistryContract.DecodeMinStakeOutput(
            await CallAsync(operatorRegistry, OperatorRegistryContract.EncodeMinStake(), atSettlement, cancellationToken).ConfigureAwait(false));

        var registry = new ChainOperatorStatus(rpc, operatorRegistry);
        var operators = new List<OperatorRecord>();
        foreach (var c in commitments.DistinctBy(c => (c.Operator, c.Position.BlockNumber)))
            operators.Add((await registry.GetAsync(c.Operator, c.Position.BlockNumber, cancellationToken).ConfigureAwait(false))!);

        return new ProofBundle(chainId, oracle, modelRegistry, operatorRegistry, requestId, requested.Request, requested.Input,
            Position(requestedLog), model, settlement, commitments, minStake, operators, ReadFinality(logs));
    }

    /// <summary>A request settled after <see cref="FromBlock"/> may have been made before it (verify --all over a
    /// range): look for its request event in the blocks before.</summary>
    private async Task<RpcLog?> FindRequestedBeforeAsync(BigInteger requestId, CancellationToken cancellationToken)
    {
        if (FromBlock == 0) return null;
        var logs = await GetLogsAsync([[OracleAbi.InferenceRequestedEventAbi.Topic0], [Votes.Topic(requestId)]],
            0, FromBlock - 1, cancellationToken).ConfigureAwait(false);
        return logs.Where(l => !l.Removed).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).FirstOrDefault();
    }

    /// <summary>eth_getLogs on the oracle over [from, to], split into <see cref="MaxBlockRange"/>-sized calls.</summary>
    private async Task<List<RpcLog>> GetLogsAsync(IReadOnlyList<IReadOnlyList<byte[]>?> topics, ulong from, ulong to, CancellationToken cancellationToken)
    {
        var logs = new List<RpcLog>();
        if (from > to) return logs;
        var span = MaxBlockRange == 0 ? ulong.MaxValue : MaxBlockRange;
        for (var start = from; ; start += span)
        {
            var end = to - start < span ? to : start + span - 1;
            logs.AddRange(await rpc.GetLogsAsync(new LogFilter
            {
                Addresses = [oracle],
                Topics = topics,
                FromBlock = BlockTag.Number(start),
                ToBlock = BlockTag.Number(end),
            }, cancellationToken).ConfigureAwait(false));
            if (end == to) return logs;
        }
    }

    private static OracleAbi.CommitmentRecordedEvent FromReexecution(OracleAbi.ReexecutionRecordedEvent e) =>
        new(e.RequestId, e.Operator, e.OutputHash, e.Runtime);

    /// <summary>The challenge-window history of an opted-in request with a provisional result; null otherwise.</summary>
    private static FinalityHistory? ReadFinality(List<RpcLog> logs)
    {
        var requestedLog = logs.FirstOrDefault(l => OracleAbi.IsFinalityRequestedEvent(l.Topics));
        var provisionalLog = logs.FirstOrDefault(l => OracleAbi.IsResultProvisionalEvent(l.Topics));
        if (requestedLog is null || provisionalLog is null) return null;
        var window = OracleAbi.DecodeFinalityRequestedEvent(requestedLog.Topics, requestedLog.Data).ChallengeWindow;
        var provisional = OracleAbi.DecodeResultProvisionalEvent(provisionalLog.Topics, provisionalLog.Data);

        ChallengeRecord? challenge = null;
        if (logs.FirstOrDefault(l => OracleAbi.IsResultChallengedEvent(l.Topics)) is { } challengedLog)
        {
            var e = OracleAbi.DecodeResultChallengedEvent(challengedLog.Topics, challengedLog.Data);
            challenge = new ChallengeRecord(e.Challenger, e.ClaimedOutputHash, Position(challengedLog));
        }
        var outcome = ChallengeOutcome.None;
        if (logs.FirstOrDefault(l => OracleAbi.IsChallengeResolvedEvent(l.Topics)) is { } resolvedLog)
            outcome = OracleAbi.DecodeChallengeResolvedEvent(resolvedLog.Topics, resolvedLog.Data).OriginalCorrect ? ChallengeOutcome.OriginalCorrect : ChallengeOutcome.OriginalWrong;
        else if (logs.Any(l => OracleAbi.IsChallengeTimedOutEvent(l.Topics)))
            outcome = ChallengeOutcome.TimedOut;

        byte[]? finalOutput = null, finalHash = null;
        ChainPosition? finalized = null;
        if (logs.FirstOrDefault(l => OracleAbi.IsResultFinalizedEvent(l.Topics)) is { } finalLog)
        {
            var e = OracleAbi.DecodeResultFinalizedEvent(finalLog.Topics, finalLog.Data);
            (finalOutput, finalHash, finalized) = (e.Output, e.OutputHash, Position(finalLog));
        }
        return new FinalityHistory((ulong)window, provisional.Operator, provisional.OutputHash, (ulong)provisional.ChallengeDeadline,
            challenge, outcome, finalOutput, finalHash, finalized);
    }

    private static SettlementRecord FromFulfilled(OracleAbi.InferenceFulfilledEvent e, ChainPosition position) =>
        new(SettlementKind.Fulfilled, e.Output, e.OutputHash, null, position);

    /// <summary>
    /// Finds, in the transaction that emitted <paramref name="recorded"/>, the calldata item it came from: same request,
    /// same vote, and a signature that recovers to the recorded operator (a batch may carry several items for one
    /// request, e.g. a duplicate that was rejected).
    /// </summary>
    private async Task<CommitmentRecord> ReadCommitmentAsync(Eip712Domain domain, BigInteger requestId, OracleAbi.Request request,
        OracleAbi.CommitmentRecordedEvent recorded, ChainPosition position, CancellationToken cancellationToken)
    {
        var tx = await rpc.CallRawAsync("eth_getTransactionByHash", [Hex.Encode(position.TransactionHash)], cancellationToken).ConfigureAwait(false);
        if (tx.ValueKind != JsonValueKind.Object)
            throw new SettlementReadException($"the node does not return transaction {Hex.Encode(position.TransactionHash)}");
        var to = tx.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.String ? new Address(Hex.Decode(t.GetString()!)) : (Address?)null;
        if (to != oracle)
            throw new SettlementReadException(
                $"the commitment of {recorded.Operator} to request {requestId} came in transaction {Hex.Encode(position.TransactionHash)} to {to?.ToString() ?? "(creation)"}, " +
                "not a direct call of the oracle; its signature cannot be read from calldata without a trace");
        var calldata = Hex.Decode(tx.GetProperty("input").GetString()!);

        var candidates = new List<CommitmentRecord>();
        var selector = calldata.AsSpan(0, Math.Min(4, calldata.Length));
        if (selector.SequenceEqual(OracleAbi.FulfilFunction.Selector))
        {
            AddFulfilment(OracleAbi.Fulfilment.FromAbi(OracleAbi.FulfilFunction.DecodeCall(calldata)[0]), "fulfil");
        }
        else if (selector.SequenceEqual(OracleAbi.FulfilBatchFunction.Selector))
        {
            foreach (var item in (IReadOnlyList<object?>)OracleAbi.FulfilBatchFunction.DecodeCall(calldata)[0]!)
                AddFulfilment(OracleAbi.Fulfilment.FromAbi(item), "fulfilBatch");
        }
        else if (selector.SequenceEqual(OracleAbi.FulfilBatchPackedFunction.Selector))
        {
            IReadOnlyList<OracleAbi.Fulfilment> items;
            try
            {
                items = PackedFulfilmentBatch.Decode((byte[])OracleAbi.FulfilBatchPackedFunction.DecodeCall(calldata)[0]!);
            }
            catch (MalformedPackedBatchException e)
            {
                // The contract reverts such a batch, so a mined commitment cannot have come from one.
                throw new SettlementReadException($"transaction {Hex.Encode(position.TransactionHash)} carries a malformed packed batch: {e.Message}");
            }
            foreach (var item in items) AddFulfilment(item, "fulfilBatchPacked");
        }
        else if (selector.SequenceEqual(OracleAbi.ReexecuteFunction.Selector))
        {
            AddFulfilment(OracleAbi.Fulfilment.FromAbi(OracleAbi.ReexecuteFunction.DecodeCall(calldata)[0]), ProofBundle.ReexecuteMethod);
        }
        else if (selector.SequenceEqual(OracleAbi.ReportFailureFunction.Selector))
        {
            var report = OracleAbi.FailureReport.FromAbi(OracleAbi.ReportFailureFunction.DecodeCall(calldata)[0]);
            if (report.RequestId == requestId && report.Reason <= ushort.MaxValue)
                candidates.Add(new CommitmentRecord(recorded.Operator, SettlementKind.Failed, recorded.Vote, report.Runtime, null,
                    (ushort)report.Reason, report.Signature, "reportFailure", position));
        }
        else
        {
            throw new SettlementReadException($"transaction {Hex.Encode(position.TransactionHash)} calls selector {Hex.Encode(selector)}, not fulfil, fulfilBatch, fulfilBatchPacked, reexecute or reportFailure");
        }

        var sameVote = candidates.Where(c => c.Runtime.AsSpan().SequenceEqual(recorded.Runtime) && VoteOf(c).AsSpan().SequenceEqual(recorded.Vote)).ToList();
        return sameVote.FirstOrDefault(c => RecoversTo(domain, requestId, request, c, recorded.Operator))
            ?? sameVote.FirstOrDefault()
            ?? throw new SettlementReadException(
                $"transaction {Hex.Encode(position.TransactionHash)} carries no item for request {requestId} with the recorded vote {Hex.Encode(recorded.Vote)}");

        void AddFulfilment(OracleAbi.Fulfilment f, string method)
        {
            if (f.RequestId == requestId)
                candidates.Add(new CommitmentRecord(recorded.Operator, SettlementKind.Fulfilled, recorded.Vote, f.Runtime, f.Output, null, f.Signature, method, position));
        }
    }

    private static byte[] VoteOf(CommitmentRecord c) =>
        c.Kind == SettlementKind.Fulfilled ? (c.Output is { } o ? Votes.ForOutput(o) : new byte[32]) : Votes.ForFailure(c.Reason ?? 0);

    private static bool RecoversTo(Eip712Domain domain, BigInteger requestId, OracleAbi.Request request, CommitmentRecord c, Address expected)
    {
        // Only used to pick between candidates; the Verifier does the real check and reports it.
        try
        {
            return Signature.FromBytes(c.Signature).Recover(CommitmentDigests.Digest(domain, requestId, request.ModelId, request.InputHash, c)) == expected;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return false;
        }
    }

    private async Task<byte[]> CallAsync(Address to, byte[] data, BlockTag block, CancellationToken cancellationToken) =>
        await rpc.EthCallAsync(new TransactionRequest { To = to, Data = data }, block, cancellationToken).ConfigureAwait(false);

    private static ChainPosition Position(RpcLog log) => new(
        log.BlockNumber ?? throw new SettlementReadException("a log without blockNumber (pending?)"),
        log.BlockHash ?? throw new SettlementReadException("a log without blockHash"),
        log.TransactionHash ?? throw new SettlementReadException("a log without transactionHash"),
        log.LogIndex ?? 0);

    internal static TensorSpec ToSpec(ModelRegistryContract.TensorSpec spec) =>
        new((ElementType)(byte)spec.ElementType, (byte)spec.Decimals, (long)spec.MinValue, (long)spec.MaxValue,
            spec.Shape.Select(d => (uint)d).ToArray());
}
