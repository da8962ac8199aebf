using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Verification;

/// <summary>
/// Closes the gap of offline verification: what a bundle records but no signature covers (operator registry state,
/// tensor specs, URI, block positions, request fields) is compared with a fresh read of the same request from the chain.
/// </summary>
public static class ChainRecordComparison
{
    public const string CheckName = "chain-record";

    /// <summary>Reads the bundle's request from <paramref name="rpc"/> and compares every field of the two records.
    /// Returns the check and the chain's record (null when the chain does not hold the settlement).</summary>
    public static async Task<(CheckResult Check, ProofBundle? OnChain)> CompareAsync(ProofBundle bundle, EthRpcClient rpc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(rpc);
        var chainId = await rpc.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (chainId != bundle.ChainId)
            return (CheckResult.Fail(CheckName, $"the bundle is for chain {bundle.ChainId} but the RPC node serves chain {chainId}"), null);
        ProofBundle onChain;
        try
        {
            onChain = await new SettlementReader(rpc, bundle.Oracle) { FromBlock = bundle.Requested.BlockNumber }
                .ReadAsync(bundle.RequestId, cancellationToken).ConfigureAwait(false);
        }
        catch (SettlementReadException e)
        {
            return (CheckResult.Fail(CheckName, $"the chain does not hold this settlement: {e.Message}"), null);
        }
        var differences = Differences(JsonNode.Parse(ProofBundleJson.Write(bundle))!, JsonNode.Parse(ProofBundleJson.Write(onChain))!, "").ToList();
        if (differences.Count == 0)
            return (CheckResult.Pass(CheckName, $"every field of the bundle equals the chain's record (settlement block {onChain.Settlement.Position.BlockNumber}, hash {Ethereum.Primitives.Hex.Encode(onChain.Settlement.Position.BlockHash)})"), onChain);
        var shown = string.Join("; ", differences.Take(5)) + (differences.Count > 5 ? $"; and {differences.Count - 5} more" : "");
        return (CheckResult.Fail(CheckName, $"{differences.Count} field(s) differ from the chain: {shown}"), onChain);
    }

    private static IEnumerable<string> Differences(JsonNode? bundle, JsonNode? chain, string path)
    {
        switch (bundle, chain)
        {
            case (JsonObject b, JsonObject c):
                foreach (var name in b.Select(p => p.Key).Union(c.Select(p => p.Key)))
                    foreach (var d in Differences(b[name], c[name], path.Length == 0 ? name : $"{path}.{name}")) yield return d;
                break;
            case (JsonArray b, JsonArray c):
                for (var i = 0; i < Math.Max(b.Count, c.Count); i++)
                    foreach (var d in Differences(i < b.Count ? b[i] : null, i < c.Count ? c[i] : null, $"{path}[{i}]")) yield return d;
                break;
            default:
                var bt = bundle?.ToJsonString() ?? "(absent)";
                var ct = chain?.ToJsonString() ?? "(absent)";
                if (!string.Equals(bt, ct, StringComparison.Ordinal)) yield return $"{path}: bundle {bt}, chain {ct}";
                break;
        }
    }
}
