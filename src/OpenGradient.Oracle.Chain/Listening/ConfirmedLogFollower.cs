using System.Globalization;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>One range of confirmed logs and the block that closes it (the cursor to store once the logs are handled).</summary>
internal sealed record ConfirmedLogRange(ulong From, ulong To, byte[] ToHash, IReadOnlyList<RpcLog> Logs)
{
    /// <summary>Whether <see cref="To"/> is the confirmed head (nothing more to read right now).</summary>
    public bool CaughtUp { get; init; }
}

/// <summary>
/// Reads the oracle's logs of some event types range by range, <see cref="ChainOptions.Confirmations"/> blocks behind the
/// head, with a durable cursor of its own stream in <see cref="IChainCursorStore"/> and the listener's reorg rule (the
/// block under the cursor was replaced: go back <see cref="ChainOptions.ReorgRewindBlocks"/> and read again). The caller
/// handles a range and then commits it, so a crash in between replays the range: handlers must be
/// idempotent. The in-memory position runs ahead of the stored cursor when a caller commits less than it read.
/// </summary>
internal sealed class ConfirmedLogFollower(ChainContext context, IChainCursorStore cursors, string stream, IReadOnlyList<byte[]> topic0s)
{
    private ChainCursor? _position;
    private bool _loaded;

    private ChainOptions Options => context.Options;

    /// <summary>The next range after the in-memory position, or null when there is nothing confirmed to read (or the
    /// position had to move back after a reorg: call again).</summary>
    public async Task<ConfirmedLogRange?> ReadNextAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        var rpc = context.Rpc;
        if (!_loaded)
        {
            _position = await cursors.GetAsync(identity.ChainId, identity.OracleText, stream, cancellationToken).ConfigureAwait(false);
            _loaded = true;
        }
        if (_position is { } position && !await CursorReorg.IsOnChainAsync(context, position, cancellationToken).ConfigureAwait(false))
        {
            _position = await CursorReorg.RewindAsync(context, cursors, position, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var head = await rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (head < (ulong)Options.Confirmations) return null;
        var confirmed = head - (ulong)Options.Confirmations;
        var from = _position is null ? Options.StartBlock ?? 0 : _position.BlockNumber + 1;
        if (from > confirmed) return null;
        var to = Math.Min(confirmed, from + (ulong)Options.MaxBlockRange - 1);

        var logs = await rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [identity.Oracle],
            Topics = [topic0s],
            FromBlock = BlockTag.Number(from),
            ToBlock = BlockTag.Number(to),
        }, cancellationToken).ConfigureAwait(false);
        var last = await rpc.GetBlockByNumberAsync(BlockTag.Number(to), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"block {to} vanished while reading logs"));
        // The logs and the header must describe the same chain; if a reorg slipped in between, read again.
        if (logs.Any(l => l.BlockNumber == to && l.BlockHash is { } h && !h.AsSpan().SequenceEqual(last.Hash))) return null;

        _position = new ChainCursor(identity.ChainId, identity.OracleText, to, last.Hash, stream);
        return new ConfirmedLogRange(from, to, last.Hash, logs.Where(l => !l.Removed).ToList()) { CaughtUp = to >= confirmed };
    }

    /// <summary>Stores the cursor at <paramref name="block"/> (everything up to it is handled).</summary>
    public Task CommitAsync(ChainIdentity identity, ulong block, byte[] hash, CancellationToken cancellationToken) =>
        cursors.SetAsync(new ChainCursor(identity.ChainId, identity.OracleText, block, hash, stream), cancellationToken);

    /// <summary>Stores the cursor at <paramref name="block"/>, reading its hash (for a cursor kept behind the position).</summary>
    public async Task CommitAsync(ChainIdentity identity, ulong block, CancellationToken cancellationToken)
    {
        var header = await context.Rpc.GetBlockByNumberAsync(BlockTag.Number(block), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"block {block} is missing"));
        await CommitAsync(identity, block, header.Hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hex of a log's transaction, for messages.</summary>
    public static string TxText(RpcLog log) => log.TransactionHash is { } tx ? Hex.Encode(tx) : "?";
}
