using System.Numerics;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>
/// Delivers final results nobody else finalizes (<see cref="FinalityOptions.FinalizeProvisionalResults"/>): follows
/// <c>ResultProvisional</c>, <c>ResultChallenged</c> and <c>ResultFinalized</c> logs, and once a provisional result's
/// window (or a dispute's re-execution round) has closed by the chain's clock, sends <c>finalize</c> with the request and
/// output from their logs. Several nodes may race; a finalize the simulation refuses (already final, not yet due) is
/// dropped silently. The stored cursor (stream <see cref="Stream"/>) stays just before the oldest result still waiting,
/// so a restart reads those again; the in-memory position runs ahead.
/// </summary>
public sealed partial class FinalityKeeper : PollingLoop
{
    /// <summary>The cursor stream of this follower in <see cref="IChainCursorStore"/>.</summary>
    public const string Stream = "finality";

    /// <summary>Simulation reverts meaning "no finalize needed from us" (final already, unknown, not an opted-in result).</summary>
    internal static readonly HashSet<string> NotNeededErrors = new(StringComparer.Ordinal)
    {
        "InferenceOracleWrongFinalityStage", "InferenceOracleRequestMismatch", "InferenceOracleOutputMismatch",
    };

    private readonly ChainContext _context;
    private readonly OracleFinalityReader _reader;
    private readonly FinalityTransactions _transactions;
    private readonly TimeProvider _time;
    private readonly ILogger<FinalityKeeper> _logger;
    private readonly ConfirmedLogFollower _follower;
    private readonly Dictionary<BigInteger, Waiting> _waiting = [];

    internal FinalityKeeper(ChainContext context, IChainCursorStore cursors, OracleFinalityReader reader, FinalityTransactions transactions,
        TimeProvider time, ILogger<FinalityKeeper> logger)
        : base(context, time)
    {
        _context = context;
        _reader = reader;
        _transactions = transactions;
        _time = time;
        _logger = logger;
        _follower = new ConfirmedLogFollower(context, cursors, Stream,
        [
            InferenceOracleContract.ResultProvisionalEventAbi.Topic0, InferenceOracleContract.ResultChallengedEventAbi.Topic0,
            InferenceOracleContract.ResultFinalizedEventAbi.Topic0,
        ], time);
    }

    /// <summary>Results waiting for their window to close (for the health page and tests).</summary>
    public int WaitingCount => _waiting.Count;

    private protected override TimeSpan IdleDelay => _context.Options.FinalityIdleDelay;

    internal override async Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var range = await _follower.ReadNextAsync(identity, cancellationToken).ConfigureAwait(false);
        if (range is not null)
        {
            foreach (var log in range.Logs) Track(log);
            await CommitLowWaterAsync(identity, range, cancellationToken).ConfigureAwait(false);
        }
        await FinalizeDueAsync(identity, cancellationToken).ConfigureAwait(false);
        return range is null || range.CaughtUp;
    }

    private void Track(RpcLog log)
    {
        try
        {
            if (InferenceOracleContract.IsResultProvisionalEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeResultProvisionalEvent(log.Topics, log.Data);
                _waiting.TryAdd(e.RequestId, new Waiting(log.BlockNumber ?? 0, (ulong)e.ChallengeDeadline));
            }
            else if (InferenceOracleContract.IsResultChallengedEvent(log.Topics))
            {
                var e = InferenceOracleContract.DecodeResultChallengedEvent(log.Topics, log.Data);
                if (_waiting.TryGetValue(e.RequestId, out var w)) _waiting[e.RequestId] = w with { Deadline = (ulong)e.RoundDeadline };
            }
            else if (InferenceOracleContract.IsResultFinalizedEvent(log.Topics))
            {
                _waiting.Remove(InferenceOracleContract.DecodeResultFinalizedEvent(log.Topics, log.Data).RequestId);
            }
        }
        catch (AbiDecodingException e)
        {
            LogUndecodable(log.BlockNumber ?? 0, ConfirmedLogFollower.TxText(log), e.Message);
        }
    }

    /// <summary>The cursor says "nothing before this block still needs us": the block before the oldest waiting result.</summary>
    private Task CommitLowWaterAsync(ChainIdentity identity, ConfirmedLogRange range, CancellationToken cancellationToken)
    {
        if (_waiting.Count == 0) return _follower.CommitAsync(identity, range.To, range.ToHash, cancellationToken);
        var oldest = _waiting.Values.Min(w => w.Block);
        return oldest == 0 ? Task.CompletedTask : _follower.CommitAsync(identity, oldest - 1, cancellationToken);
    }

    private async Task FinalizeDueAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        if (_waiting.Count == 0) return;
        var latest = await _context.Rpc.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        if (latest is null) return;
        var now = _time.GetUtcNow();
        // The window is open while block.timestamp < deadline; the next block's timestamp is at least the latest's.
        foreach (var (id, waiting) in _waiting.Where(p => p.Value.Deadline <= latest.Timestamp).ToList())
        {
            if (waiting.SentAt is { } sent && now - sent < _context.Options.ReceiptTimeout) continue;
            var record = await _reader.FinalityAsync(identity, id, cancellationToken).ConfigureAwait(false);
            var stage = (FinalityStage)(int)record.Stage;
            if (stage is FinalityStage.Final or FinalityStage.None)
            {
                _waiting.Remove(id);
                continue;
            }
            if ((ulong)record.Deadline > latest.Timestamp)
            {
                _waiting[id] = waiting with { Deadline = (ulong)record.Deadline };
                continue;
            }
            await FinalizeAsync(identity, id, waiting, stage, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FinalizeAsync(ChainIdentity identity, BigInteger id, Waiting waiting, FinalityStage stage, CancellationToken cancellationToken)
    {
        var request = await _reader.FindRequestAsync(identity, id, waiting.Block, cancellationToken).ConfigureAwait(false);
        var output = await _reader.ProvisionalOutputAsync(identity, id, waiting.Block, cancellationToken).ConfigureAwait(false);
        if (request is null || output is null)
        {
            LogMissingLogs(id, waiting.Block);
            _waiting.Remove(id);
            return;
        }
        try
        {
            var data = InferenceOracleContract.EncodeFinalize(id, RequestEvents.ToContract(request.Request), output);
            await _transactions.SendAsync(identity, data, $"finalize of request {id}", cancellationToken).ConfigureAwait(false);
            _waiting[id] = waiting with { SentAt = _time.GetUtcNow() };
            LogFinalizing(id, stage == FinalityStage.Challenged ? "its dispute round closed without a majority" : "its challenge window closed");
        }
        catch (ContractRevertedException e) when (e.Stage == RevertStage.Simulation)
        {
            if (e.ErrorName == "InferenceOracleNotFinalizable") return; // the chain's clock disagrees by a block; next poll
            _waiting.Remove(id);
            if (e.ErrorName is { } name && NotNeededErrors.Contains(name)) LogNotNeeded(id, name);
            else LogRefused(id, e.Message);
        }
    }

    private protected override void OnPollFailed(int failures, TimeSpan delay, Exception exception) => LogPollFailed(failures, delay, exception);

    /// <param name="Block">Where the provisional result (and its InferenceFulfilled log) was emitted.</param>
    /// <param name="Deadline">When the window or round closes (chain time, seconds).</param>
    /// <param name="SentAt">When our finalize was sent, if it was.</param>
    private sealed record Waiting(ulong Block, ulong Deadline, DateTimeOffset? SentAt = null);

    [LoggerMessage(EventId = 5621, Level = LogLevel.Information, Message = "Finalizing request {RequestId}: {Reason}")]
    private partial void LogFinalizing(BigInteger requestId, string reason);

    [LoggerMessage(EventId = 5622, Level = LogLevel.Debug, Message = "Request {RequestId} needs no finalize from us: {Reason}")]
    private partial void LogNotNeeded(BigInteger requestId, string reason);

    [LoggerMessage(EventId = 5623, Level = LogLevel.Warning, Message = "The oracle refuses to finalize request {RequestId}: {Reason}")]
    private partial void LogRefused(BigInteger requestId, string reason);

    [LoggerMessage(EventId = 5624, Level = LogLevel.Warning, Message = "Cannot finalize request {RequestId}: its request or output log (block {Block}) was not found")]
    private partial void LogMissingLogs(BigInteger requestId, ulong block);

    [LoggerMessage(EventId = 5625, Level = LogLevel.Warning, Message = "Finality keeper poll failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogPollFailed(int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 5626, Level = LogLevel.Warning, Message = "Skipping an undecodable finality log in block {Block}, tx {TxHash}: {Error}")]
    private partial void LogUndecodable(ulong block, string txHash, string error);
}
