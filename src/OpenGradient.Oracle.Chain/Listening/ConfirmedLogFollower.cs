using System.Globalization;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>
/// Reads the oracle's logs of some event types range by range (<see cref="LogRangeReader"/>: <see cref="ChainOptions.Confirmations"/>
/// blocks behind the head), with a durable cursor of its own stream in <see cref="IChainCursorStore"/> and the listener's reorg rule (the
/// block under the cursor was replaced: go back <see cref="ChainOptions.ReorgRewindBlocks"/> and read again). The caller
/// handles a range and then commits it, so a crash in between replays the range: handlers must be
/// idempotent. The in-memory position runs ahead of the stored cursor when a caller commits less than it read.
/// </summary>
internal sealed class ConfirmedLogFollower(ChainContext context, IChainCursorStore cursors, string stream, IReadOnlyList<byte[]> topic0s,
    TimeProvider? time = null)
{
    private readonly LogRangeReader _reader = new(context, topic0s, time ?? TimeProvider.System);
    private ChainCursor? _position;
    private bool _loaded;

    /// <summary>The next range after the in-memory position, or null when there is nothing confirmed to read (or the
    /// position had to move back after a reorg, or the chain moved while reading: call again after the idle delay).</summary>
    public async Task<ConfirmedLogRange?> ReadNextAsync(ChainIdentity identity, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _position = await cursors.GetAsync(identity.ChainId, identity.OracleText, stream, cancellationToken).ConfigureAwait(false);
            _loaded = true;
        }
        var read = await _reader.ReadAfterAsync(identity, _position, cancellationToken).ConfigureAwait(false);
        switch (read.Outcome)
        {
            case LogRangeOutcome.CursorReplaced:
                _position = await CursorReorg.RewindAsync(context, cursors, _position!, cancellationToken).ConfigureAwait(false);
                return null;
            case LogRangeOutcome.Read:
                var range = read.Range!;
                _position = new ChainCursor(identity.ChainId, identity.OracleText, range.To, range.ToHash, stream);
                return range;
            default:
                return null;
        }
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
