using System.Globalization;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>
/// The reorg rule every log follower applies to its cursor: a cursor whose block hash is no longer on the chain (seen by
/// <see cref="LogRangeReader"/>) moves back <see cref="ChainOptions.ReorgRewindBlocks"/> blocks (never below the block before <see cref="ChainOptions.StartBlock"/>)
/// and the range is read again. If the rewound block is itself replaced later, the next poll notices and rewinds again.
/// </summary>
internal static class CursorReorg
{
    /// <summary>Stores and returns the rewound cursor (same stream).</summary>
    public static async Task<ChainCursor> RewindAsync(ChainContext context, IChainCursorStore cursors, ChainCursor cursor, CancellationToken cancellationToken)
    {
        var options = context.Options;
        // The cursor means "this block is done", so the lowest useful value is the block before StartBlock (genesis,
        // which holds no logs, when reading from 0).
        var floor = options.StartBlock is > 0 and { } start ? start - 1 : 0;
        var rewind = (ulong)options.ReorgRewindBlocks;
        var target = cursor.BlockNumber > floor + rewind ? cursor.BlockNumber - rewind : floor;
        var head = await context.Rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        target = Math.Min(target, head);
        var block = await context.Rpc.GetBlockByNumberAsync(BlockTag.Number(target), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"block {target} is missing while rewinding"));
        var rewound = cursor with { BlockNumber = target, BlockHash = block.Hash };
        await cursors.SetAsync(rewound, cancellationToken).ConfigureAwait(false);
        return rewound;
    }
}
