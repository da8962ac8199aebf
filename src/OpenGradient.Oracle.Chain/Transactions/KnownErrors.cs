using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Abi;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>
/// Every custom error of our contracts in one ABI, so a revert from any of them (a registry revert bubbling up through
/// the oracle included) decodes to its name instead of raw bytes.
/// </summary>
public static class KnownErrors
{
    public static ContractAbi Abi { get; } = Build();

    private static ContractAbi Build()
    {
        var errors = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var json in new[] { InferenceOracleContract.AbiJson, ModelRegistryContract.AbiJson, OperatorRegistryContract.AbiJson, CreditScoreConsumerContract.AbiJson })
        {
            foreach (var entry in JsonNode.Parse(json)!.AsArray())
            {
                if (entry?["type"]?.GetValue<string>() != "error") continue;
                // The same error can be declared by several contracts (OpenZeppelin's, for instance); keep one copy.
                if (seen.Add(entry.ToJsonString())) errors.Add(entry.DeepClone());
            }
        }
        return ContractAbi.Parse(errors.ToJsonString());
    }
}
