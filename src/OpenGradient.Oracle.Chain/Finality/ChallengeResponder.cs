using System.Numerics;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>
/// Answers disputes: follows <c>ResultChallenged</c> logs (cursor stream <see cref="Stream"/>, same confirmation and
/// reorg rules as the request listener) and, when this node's operator may re-execute (active, neither the original
/// signer nor the challenger, no commitment of its own yet), runs the request again through
/// <see cref="IInferenceRunner"/> and sends the signed commitment to <c>reexecute</c>. Safe to replay: the recorded
/// commitments are checked first, and the simulation refuses a duplicate before anything is spent.
/// </summary>
public sealed partial class ChallengeResponder : PollingLoop
{
    /// <summary>The cursor stream of this follower in <see cref="IChainCursorStore"/>.</summary>
    public const string Stream = "challenges";

    /// <summary>Simulation reverts meaning "this dispute needs nothing from us" (decided, closed, full, ours already in).</summary>
    internal static readonly HashSet<string> NotNeededErrors = new(StringComparer.Ordinal)
    {
        "InferenceOracleWrongFinalityStage", "InferenceOracleReexecutionClosed", "InferenceOracleDuplicateCommitment",
        "InferenceOracleIneligibleReexecutor", "InferenceOracleTooManyCommitments", "InferenceOracleInactiveOperator",
    };

    private readonly ChainContext _context;
    private readonly IInferenceRunner _runner;
    private readonly OracleFinalityReader _reader;
    private readonly FinalityTransactions _transactions;
    private readonly ResultSubmitter _submitter;
    private readonly ILogger<ChallengeResponder> _logger;
    private readonly ConfirmedLogFollower _follower;
    private readonly HashSet<BigInteger> _sent = [];

    internal ChallengeResponder(ChainContext context, IChainCursorStore cursors, IInferenceRunner runner, OracleFinalityReader reader,
        FinalityTransactions transactions, ResultSubmitter submitter, TimeProvider time, ILogger<ChallengeResponder> logger)
        : base(context, time)
    {
        _context = context;
        _runner = runner;
        _reader = reader;
        _transactions = transactions;
        _submitter = submitter;
        _logger = logger;
        _follower = new ConfirmedLogFollower(context, cursors, Stream, [InferenceOracleContract.ResultChallengedEventAbi.Topic0], time);
    }

    private protected override TimeSpan IdleDelay => _context.Options.FinalityIdleDelay;

    internal override async Task<bool> PollOnceAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var range = await _follower.ReadNextAsync(identity, cancellationToken).ConfigureAwait(false);
        if (range is null) return true;
        foreach (var log in range.Logs)
        {
            InferenceOracleContract.ResultChallengedEvent challenge;
            try
            {
                challenge = InferenceOracleContract.DecodeResultChallengedEvent(log.Topics, log.Data);
            }
            catch (AbiDecodingException e)
            {
                LogUndecodable(log.BlockNumber ?? 0, ConfirmedLogFollower.TxText(log), e.Message);
                continue;
            }
            await RespondAsync(identity, challenge, log.BlockNumber ?? range.To, cancellationToken).ConfigureAwait(false);
        }
        // Every challenge of the range was answered or needs nothing from us; a failure above throws and the range is read again.
        await _follower.CommitAsync(identity, range.To, range.ToHash, cancellationToken).ConfigureAwait(false);
        return range.CaughtUp;
    }

    private async Task RespondAsync(ChainIdentity identity, InferenceOracleContract.ResultChallengedEvent challenge, ulong block, CancellationToken cancellationToken)
    {
        var id = challenge.RequestId;
        if (_sent.Contains(id)) return;
        var record = await _reader.FinalityAsync(identity, id, cancellationToken).ConfigureAwait(false);
        if ((FinalityStage)(int)record.Stage != FinalityStage.Challenged)
        {
            LogSkipped(id, $"the dispute is no longer open (stage {(FinalityStage)(int)record.Stage})");
            return;
        }
        var me = identity.Operator;
        if (record.Operator == me || record.Challenger == me)
        {
            LogSkipped(id, record.Operator == me ? "our operator signed the disputed result" : "our operator is the challenger");
            return;
        }
        if ((await _reader.CommittedOperatorsAsync(identity, id, cancellationToken).ConfigureAwait(false)).Contains(me))
        {
            LogSkipped(id, "our re-execution is already recorded");
            return;
        }
        if (!await _reader.IsActiveOperatorAsync(identity, me, cancellationToken).ConfigureAwait(false))
        {
            LogSkipped(id, "our operator is not active");
            return;
        }
        var request = await _reader.FindRequestAsync(identity, id, block, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            LogSkipped(id, "its InferenceRequested log was not found (is Chain:StartBlock after the request?)");
            return;
        }

        var outcome = await _runner.RunAsync(request, cancellationToken).ConfigureAwait(false);
        if (outcome.Output is not { } output)
        {
            LogSkipped(id, $"re-running it failed ({outcome.Failure}); a failure cannot be a re-execution commitment");
            return;
        }
        var runtime = _submitter.Runtime.ToArray();
        var outputHash = Keccak256.Hash(output);
        var signature = CommitmentSigning.SignCommitment(_context.Key.Key, identity.Domain, id, request.Request.ModelId,
            request.Request.InputHash, outputHash, runtime);
        var fulfilment = new InferenceOracleContract.Fulfilment(id, RequestEvents.ToContract(request.Request), output, runtime, signature.ToBytes());
        try
        {
            await _transactions.SendAsync(identity, InferenceOracleContract.EncodeReexecute(fulfilment), $"reexecute of request {id}", cancellationToken)
                .ConfigureAwait(false);
            _sent.Add(id);
            LogReexecuted(id, Hex.Encode(outputHash),
                outputHash.AsSpan().SequenceEqual(record.OutputHash) ? "the original result"
                : outputHash.AsSpan().SequenceEqual(record.ClaimedOutputHash) ? "the challenger's claim" : "neither side");
        }
        catch (ContractRevertedException e) when (e.Stage == RevertStage.Simulation)
        {
            // Decided meanwhile, closed, or refused for a reason a retry cannot change: nothing to send.
            if (e.ErrorName is { } name && NotNeededErrors.Contains(name)) LogSkipped(id, name);
            else LogRefused(id, e.Message);
        }
    }

    private protected override void OnPollFailed(int failures, TimeSpan delay, Exception exception) => LogPollFailed(failures, delay, exception);

    [LoggerMessage(EventId = 5611, Level = LogLevel.Information, Message = "Challenge of request {RequestId}: re-executed, output {OutputHash} (agrees with {Side})")]
    private partial void LogReexecuted(BigInteger requestId, string outputHash, string side);

    [LoggerMessage(EventId = 5612, Level = LogLevel.Information, Message = "Challenge of request {RequestId}: nothing to do ({Reason})")]
    private partial void LogSkipped(BigInteger requestId, string reason);

    [LoggerMessage(EventId = 5613, Level = LogLevel.Warning, Message = "Challenge of request {RequestId}: the oracle refuses our re-execution: {Reason}")]
    private partial void LogRefused(BigInteger requestId, string reason);

    [LoggerMessage(EventId = 5614, Level = LogLevel.Warning, Message = "Challenge responder poll failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogPollFailed(int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 5615, Level = LogLevel.Warning, Message = "Skipping an undecodable ResultChallenged log in block {Block}, tx {TxHash}: {Error}")]
    private partial void LogUndecodable(ulong block, string txHash, string error);
}
