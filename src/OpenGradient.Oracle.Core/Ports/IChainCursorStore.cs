namespace OpenGradient.Oracle.Core.Ports;

/// <summary>The last block whose logs the listener fully processed for one oracle on one chain.</summary>
public sealed record ChainCursor(ulong ChainId, string Oracle, ulong BlockNumber, byte[] BlockHash)
{
    public string Oracle { get; init; } = Requests.AddressText.Normalize(Oracle, nameof(Oracle));

    public byte[] BlockHash { get; init; } = BlockHash is { Length: 32 }
        ? BlockHash : throw new ArgumentException("a block hash is 32 bytes", nameof(BlockHash));
}

/// <summary>Durable listener position. Store requests first, then the cursor: requests are inserted idempotently.</summary>
public interface IChainCursorStore
{
    Task<ChainCursor?> GetAsync(ulong chainId, string oracle, CancellationToken cancellationToken = default);

    /// <summary>Writes the cursor (insert or overwrite). Moving it backwards is allowed: that is how a reorg rewinds.</summary>
    Task SetAsync(ChainCursor cursor, CancellationToken cancellationToken = default);
}
