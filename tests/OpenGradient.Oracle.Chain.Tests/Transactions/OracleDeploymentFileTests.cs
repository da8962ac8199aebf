using OpenGradient.Oracle.Chain.Deployment;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Tests.Transactions;

public sealed class OracleDeploymentFileTests
{
    private static readonly OracleDeployment Sample = new(
        31337,
        Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
        Address.Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
        Address.Parse("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"),
        null,
        7,
        1_000_000_000_000_000_000,
        2_678_400);

    [Fact]
    public void Round_trips_through_json() =>
        Assert.Equal(Sample, OracleDeployment.Parse(Sample.ToJson()));

    [Fact]
    public void Reads_the_file_hardhat_deploy_script_writes()
    {
        const string json = """
            { "chainId": "31337", "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
              "modelRegistry": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "operatorRegistry": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
              "inferenceOracle": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", "creditScoreConsumer": "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
              "deploymentBlock": 1, "parameters": { "minStake": "1000000000000000000", "unbondingDelay": "2678400",
              "exampleModelId": "0x00", "exampleTypes": [3, 4] } }
            """;
        var d = OracleDeployment.Parse(json);
        Assert.Equal(Address.Parse("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"), d.CreditScoreConsumer);
        Assert.Equal(1UL, d.DeploymentBlock);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("{}", "\"chainId\" is missing")]
    [InlineData("""{"chainId":"-1"}""", "\"chainId\" is not a non-negative integer")]
    [InlineData("""{"chainId":"1","deployer":"0x12"}""", "\"deployer\"")]
    public void Malformed_files_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => OracleDeployment.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
