namespace OpenGradient.Oracle.Core.Ports;

/// <summary>
/// What the chain side knows about its own progress, for the dashboard and the readiness probe.
/// </summary>
/// <param name="ChainId">The chain the node follows.</param>
/// <param name="Oracle">The oracle contract, lower-case 0x hex.</param>
/// <param name="Operator">The operator address that signs commitments (lower-case 0x hex), or null when not known yet.</param>
/// <param name="RpcReachable">Whether the last RPC probe (or call) succeeded.</param>
/// <param name="RpcError">Why the RPC is unreachable, for operators; null when reachable.</param>
/// <param name="ChainHead">The latest block number the RPC reported, or null when never reached.</param>
/// <param name="LastProcessedBlock">The last block whose logs the listener fully processed, or null before the first poll.</param>
/// <param name="ListenerProgressAt">
/// When the listener last completed a poll, whether or not it found new blocks; a poll that finds nothing is still
/// progress. Null before the first poll. The readiness probe calls the listener stalled when this is too old.
/// </param>
/// <param name="OperatorBalance">The operator's balance in wei (it pays for result transactions), or null when unknown.</param>
public sealed record ChainHealthReport(
    ulong ChainId,
    string Oracle,
    string? Operator,
    bool RpcReachable,
    string? RpcError,
    ulong? ChainHead,
    ulong? LastProcessedBlock,
    DateTimeOffset? ListenerProgressAt,
    System.Numerics.BigInteger? OperatorBalance = null)
{
    /// <summary>Blocks between the chain head and the last processed block (0 when either is unknown).</summary>
    public ulong LagBlocks => ChainHead is { } head && LastProcessedBlock is { } last && head > last ? head - last : 0;
}

/// <summary>
/// Chain-side health, implemented by Chain (listener + RPC client). The host calls it for <c>/health/ready</c> and the
/// status page, so an implementation should answer within a second or two: probe the RPC with one cheap call
/// (<c>eth_blockNumber</c>) or return what the listener last saw.
/// </summary>
public interface INodeHealth
{
    Task<ChainHealthReport> CheckAsync(CancellationToken cancellationToken = default);
}
