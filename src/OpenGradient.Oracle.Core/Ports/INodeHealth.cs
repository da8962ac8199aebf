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
/// <param name="RpcEndpoints">Each configured RPC endpoint as the background health check last saw it (null when not tracked).</param>
public sealed record ChainHealthReport(
    ulong ChainId,
    string Oracle,
    string? Operator,
    bool RpcReachable,
    string? RpcError,
    ulong? ChainHead,
    ulong? LastProcessedBlock,
    DateTimeOffset? ListenerProgressAt,
    System.Numerics.BigInteger? OperatorBalance = null,
    IReadOnlyList<RpcEndpointReport>? RpcEndpoints = null)
{
    /// <summary>Blocks between the chain head and the last processed block (0 when either is unknown).</summary>
    public ulong LagBlocks => ChainHead is { } head && LastProcessedBlock is { } last && head > last ? head - last : 0;
}

/// <summary>What the background health check last saw of one configured RPC endpoint.</summary>
/// <param name="Index">Position in Chain:RpcUrls (0 is the primary).</param>
/// <param name="Url">The URL with any credentials, path and query hidden (providers put API keys there).</param>
/// <param name="Status">Unknown (not probed yet), Healthy, Lagging, Down or WrongChain.</param>
/// <param name="Usable">Whether calls may go to it: every status but WrongChain (a down endpoint is still a last resort).</param>
/// <param name="LastError">Why it is not healthy, or null.</param>
/// <param name="ChainId">The chain id it reported, or null.</param>
/// <param name="BlockNumber">The head it reported, or null.</param>
/// <param name="LagBlocks">Blocks behind the best head among endpoints of the right chain.</param>
/// <param name="CheckedAt">When it was last probed, or null.</param>
public sealed record RpcEndpointReport(
    int Index, string Url, string Status, bool Usable, string? LastError, ulong? ChainId, ulong? BlockNumber, ulong LagBlocks, DateTimeOffset? CheckedAt)
{
    public bool Healthy => Status == "Healthy";
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
