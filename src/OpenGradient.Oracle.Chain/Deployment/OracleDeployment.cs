using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Deployment;

/// <summary>
/// Where the contracts of one oracle live, as written by <c>og-oracle deploy</c> and by hardhat/scripts/deploy.ts
/// (same JSON shape, so either tool's file works with the other).
/// </summary>
/// <param name="DeploymentBlock">The first block of the deployment: where a node with no cursor starts reading logs.</param>
/// <param name="CreditScoreConsumer">The example consumer, if one was deployed.</param>
public sealed record OracleDeployment(
    ulong ChainId,
    Address Deployer,
    Address ModelRegistry,
    Address OperatorRegistry,
    Address InferenceOracle,
    Address? CreditScoreConsumer,
    ulong DeploymentBlock,
    BigInteger MinStake,
    ulong UnbondingDelaySeconds)
{
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["chainId"] = ChainId.ToString(CultureInfo.InvariantCulture),
            ["deployer"] = Deployer.ToString(),
            ["modelRegistry"] = ModelRegistry.ToString(),
            ["operatorRegistry"] = OperatorRegistry.ToString(),
            ["inferenceOracle"] = InferenceOracle.ToString(),
            ["creditScoreConsumer"] = CreditScoreConsumer?.ToString(),
            ["deploymentBlock"] = DeploymentBlock,
            ["parameters"] = new JsonObject
            {
                ["minStake"] = MinStake.ToString(CultureInfo.InvariantCulture),
                ["unbondingDelay"] = UnbondingDelaySeconds.ToString(CultureInfo.InvariantCulture),
            },
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <exception cref="FormatException">a field is missing or malformed; the message names it.</exception>
    public static OracleDeployment Parse(string json)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(json) ?? throw new FormatException("the deployment file is empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"the deployment file is not JSON: {e.Message}", e);
        }
        var parameters = root["parameters"];
        return new OracleDeployment(
            ULong(root, "chainId"),
            Addr(root, "deployer"),
            Addr(root, "modelRegistry"),
            Addr(root, "operatorRegistry"),
            Addr(root, "inferenceOracle"),
            root["creditScoreConsumer"] is null ? null : Addr(root, "creditScoreConsumer"),
            ULong(root, "deploymentBlock"),
            parameters?["minStake"] is null ? BigInteger.Zero : BigInteger.Parse(Text(parameters, "minStake"), CultureInfo.InvariantCulture),
            parameters?["unbondingDelay"] is null ? 0 : ULong(parameters, "unbondingDelay"));
    }

    public static OracleDeployment Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"deployment file {path} does not exist (write one with `og-oracle deploy --out {path}`)", path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static string Text(JsonNode node, string name) =>
        node[name] is JsonValue v ? v.ToString() : throw new FormatException($"\"{name}\" is missing");

    private static ulong ULong(JsonNode node, string name) =>
        ulong.TryParse(Text(node, name), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"\"{name}\" is not a non-negative integer");

    private static Address Addr(JsonNode node, string name)
    {
        try
        {
            return Address.Parse(Text(node, name));
        }
        catch (FormatException e)
        {
            throw new FormatException($"\"{name}\": {e.Message}", e);
        }
    }
}
