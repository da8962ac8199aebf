using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>One range of confirmed logs and the block that closes it (the cursor to store once the logs are handled).</summary>
internal sealed record ConfirmedLogRange(ulong From, ulong To, byte[] ToHash, IReadOnlyList<RpcLog> Logs)
{
    /// <summary>Whether <see cref="To"/> is the confirmed head (nothing more to read right now).</summary>
    public bool CaughtUp { get; init; }
}

/// <summary>What <see cref="LogRangeReader.ReadAfterAsync"/> found after a cursor.</summary>
internal enum LogRangeOutcome
{
    /// <summary>No confirmed block after the cursor yet.</summary>
    NothingNew,

    /// <summary>The cursor's block is no longer on the chain: the follower rewinds (<see cref="CursorReorg.RewindAsync"/>).</summary>
    CursorReplaced,

    /// <summary>The chain moved while the range was read (a header missing, or logs of another branch): read again
    /// after the idle delay.</summary>
    ChainMoved,

    /// <summary>A range was read (<see cref="LogRangeRead.Range"/>).</summary>
    Read,
}

/// <summary>The outcome, the head it was measured against, and the range when one was read.</summary>
internal sealed record LogRangeRead(LogRangeOutcome Outcome, ulong Head, ConfirmedLogRange? Range = null);

/// <summary>
/// Reads the oracle's logs of some event types in the next range after a cursor, <see cref="ChainOptions.Confirmations"/>
/// blocks behind the head and at most <see cref="ChainOptions.MaxBlockRange"/> blocks, for every log follower (the
/// request listener and <see cref="ConfirmedLogFollower"/>).
/// </summary>
/// <remarks>
/// The cursor is checked against the chain through the block after it, which the range starts with: that block's
/// parent hash must be the cursor's hash (a replaced cursor block, or any block before it, gives the next block another
/// parent; only then is the cursor's block itself read, to be sure). That header is read anyway when the range is one
/// block, the usual case under light load, so a poll that finds one new block costs three calls (head, header, logs).
/// A poll that finds nothing new checks the same way while there are unconfirmed blocks after the cursor. With the
/// cursor at the head (no confirmations, no new block) the cursor's own block is read, but at most once every
/// <see cref="HeadRecheckInterval"/>: until this, every poll read the cursor's block again, and a block holding a large
/// burst of requests (the load benchmark's 2000) is a large answer; the devnet spent up to a quarter of a second on each
/// of these while the node's own transactions waited behind them. What that gives up: with no confirmations, a reorg
/// that replaces the head block without a block on top is noticed within that interval rather than at the next poll.
/// One reader per follower (its event types): it remembers when it last checked which cursor.
/// </remarks>
internal sealed class LogRangeReader(ChainContext context, IReadOnlyList<byte[]> topic0s, TimeProvider time)
{
    /// <summary>How often a cursor sitting at the head is checked again while no new block comes.</summary>
    internal static readonly TimeSpan HeadRecheckInterval = TimeSpan.FromSeconds(1);

    // The cursor last found on the chain, and when.
    private (ulong Block, byte[] Hash, long At)? _checked;

    public async Task<LogRangeRead> ReadAfterAsync(ChainIdentity identity, ChainCursor? cursor, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var rpc = context.Rpc;
        var head = await rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        // A chain shorter than the cursor no longer holds the cursor's block.
        if (cursor is not null && head < cursor.BlockNumber) return new LogRangeRead(LogRangeOutcome.CursorReplaced, head);
        var from = cursor is null ? options.StartBlock ?? 0 : cursor.BlockNumber + 1;
        if (head < (ulong)options.Confirmations || from > head - (ulong)options.Confirmations)
            return cursor is null ? new LogRangeRead(LogRangeOutcome.NothingNew, head) : await CheckIdleAsync(rpc, cursor, head, cancellationToken).ConfigureAwait(false);
        var confirmed = head - (ulong)options.Confirmations;
        var to = Math.Min(confirmed, from + (ulong)options.MaxBlockRange - 1);

        RpcBlock? first = null;
        if (cursor is not null)
        {
            first = await rpc.GetBlockByNumberAsync(BlockTag.Number(from), cancellationToken).ConfigureAwait(false);
            if (first is null) return new LogRangeRead(LogRangeOutcome.ChainMoved, head);
            if (!await IsParentAsync(rpc, cursor, first, cancellationToken).ConfigureAwait(false)) return new LogRangeRead(LogRangeOutcome.CursorReplaced, head);
        }
        var logs = await rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [identity.Oracle],
            Topics = [topic0s],
            FromBlock = BlockTag.Number(from),
            ToBlock = BlockTag.Number(to),
        }, cancellationToken).ConfigureAwait(false);
        var last = first is not null && to == from
            ? first
            : await rpc.GetBlockByNumberAsync(BlockTag.Number(to), cancellationToken).ConfigureAwait(false);
        if (last is null) return new LogRangeRead(LogRangeOutcome.ChainMoved, head);
        // The logs and the headers must describe the same chain; if a reorg slipped in between, read again.
        if (logs.Any(l => l.BlockHash is { } h && ((l.BlockNumber == to && !h.AsSpan().SequenceEqual(last.Hash))
                || (first is not null && l.BlockNumber == from && !h.AsSpan().SequenceEqual(first.Hash)))))
            return new LogRangeRead(LogRangeOutcome.ChainMoved, head);

        _checked = (to, last.Hash, time.GetTimestamp());
        var range = new ConfirmedLogRange(from, to, last.Hash, logs.Where(l => !l.Removed).ToList()) { CaughtUp = to >= confirmed };
        return new LogRangeRead(LogRangeOutcome.Read, head, range);
    }

    /// <summary>Nothing new to read: checks the cursor (see the remarks for how often).</summary>
    private async Task<LogRangeRead> CheckIdleAsync(EthRpcClient rpc, ChainCursor cursor, ulong head, CancellationToken cancellationToken)
    {
        bool onChain;
        if (head > cursor.BlockNumber)
        {
            // A block after the cursor that is not confirmed yet: its parent link tells.
            var next = await rpc.GetBlockByNumberAsync(BlockTag.Number(cursor.BlockNumber + 1), cancellationToken).ConfigureAwait(false);
            if (next is null) return new LogRangeRead(LogRangeOutcome.ChainMoved, head);
            onChain = await IsParentAsync(rpc, cursor, next, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var now = time.GetTimestamp();
            if (_checked is { } c && c.Block == cursor.BlockNumber && c.Hash.AsSpan().SequenceEqual(cursor.BlockHash)
                && time.GetElapsedTime(c.At, now) < HeadRecheckInterval)
                return new LogRangeRead(LogRangeOutcome.NothingNew, head);
            onChain = await IsOnChainAsync(rpc, cursor, cancellationToken).ConfigureAwait(false);
            if (onChain) _checked = (cursor.BlockNumber, cursor.BlockHash, now);
        }
        return new LogRangeRead(onChain ? LogRangeOutcome.NothingNew : LogRangeOutcome.CursorReplaced, head);
    }

    /// <summary>Whether the cursor's block is the parent of <paramref name="next"/> (the block after it). A parent other
    /// than the cursor's block means a reorg, as a rule; Hardhat, though, reports a zero parent hash for blocks it mined
    /// in bulk (hardhat_mine), so then the cursor's block itself decides.</summary>
    private static async Task<bool> IsParentAsync(EthRpcClient rpc, ChainCursor cursor, RpcBlock next, CancellationToken cancellationToken) =>
        next.ParentHash.AsSpan().SequenceEqual(cursor.BlockHash) || await IsOnChainAsync(rpc, cursor, cancellationToken).ConfigureAwait(false);

    private static async Task<bool> IsOnChainAsync(EthRpcClient rpc, ChainCursor cursor, CancellationToken cancellationToken)
    {
        var block = await rpc.GetBlockByNumberAsync(BlockTag.Number(cursor.BlockNumber), cancellationToken).ConfigureAwait(false);
        return block is not null && block.Hash.AsSpan().SequenceEqual(cursor.BlockHash);
    }
}
