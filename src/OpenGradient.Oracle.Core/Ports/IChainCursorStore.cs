namespace OpenGradient.Oracle.Core.Ports;

/// <summary>The last block whose logs one follower fully processed for one oracle on one chain.</summary>
/// <remarks><see cref="Stream"/> names the follower the cursor belongs to: several components read different logs of
/// the same oracle, each at its own pace (<see cref="RequestsStream"/> for the request listener).</remarks>
public sealed record ChainCursor(ulong ChainId, string Oracle, ulong BlockNumber, byte[] BlockHash, string Stream = ChainCursor.RequestsStream)
{
    /// <summary>The request listener's stream (InferenceRequested logs).</summary>
    public const string RequestsStream = "requests";

    public string Oracle { get; init; } = Requests.AddressText.Normalize(Oracle, nameof(Oracle));

    public byte[] BlockHash { get; init; } = BlockHash is { Length: 32 }
        ? BlockHash : throw new ArgumentException("a block hash is 32 bytes", nameof(BlockHash));

    public string Stream { get; init; } = string.IsNullOrWhiteSpace(Stream)
        ? throw new ArgumentException("a cursor stream needs a name", nameof(Stream)) : Stream;
}

/// <summary>Durable listener position. Store requests first, then the cursor: requests are inserted idempotently.</summary>
public interface IChainCursorStore
{
    /// <summary>The request listener's cursor (<see cref="ChainCursor.RequestsStream"/>).</summary>
    Task<ChainCursor?> GetAsync(ulong chainId, string oracle, CancellationToken cancellationToken = default) =>
        GetAsync(chainId, oracle, ChainCursor.RequestsStream, cancellationToken);

    /// <summary>The cursor of one follower (<see cref="ChainCursor.Stream"/>).</summary>
    Task<ChainCursor?> GetAsync(ulong chainId, string oracle, string stream, CancellationToken cancellationToken = default);

    /// <summary>Writes the cursor of its stream (insert or overwrite). Moving it backwards is allowed: that is how a
    /// reorg rewinds.</summary>
    Task SetAsync(ChainCursor cursor, CancellationToken cancellationToken = default);
}
