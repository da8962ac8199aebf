using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Benchmarks.Ethereum;

/// <summary>bench/inputs/ethereum-ops.json, the inputs the ethers.js side (bench/js/ethers-ops.mjs) reads too.</summary>
internal sealed class EthereumOpsInputs
{
    public required IReadOnlyDictionary<string, byte[]> KeccakInputs { get; init; }
    public required PrivateKey Key { get; init; }
    public required Eip712Domain Domain { get; init; }
    public required BigInteger RequestId { get; init; }
    public required byte[] ModelId { get; init; }
    public required byte[] InputHash { get; init; }
    public required byte[] OutputHash { get; init; }
    public required byte[] Runtime { get; init; }
    public required InferenceOracleContract.Fulfilment Fulfilment { get; init; }

    public static EthereumOpsInputs Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var domain = root.GetProperty("domain");
        var commitment = root.GetProperty("commitment");
        var f = root.GetProperty("fulfilment");
        var r = f.GetProperty("request");
        return new EthereumOpsInputs
        {
            KeccakInputs = root.GetProperty("keccakInputs").EnumerateArray().ToDictionary(
                k => k.GetProperty("name").GetString()!,
                k => Pattern(k.GetProperty("length").GetInt32())),
            Key = PrivateKey.Parse(root.GetProperty("privateKey").GetString()!),
            Domain = Eip712Domain.InferenceOracle(Integer(domain, "chainId"), Address.Parse(domain.GetProperty("verifyingContract").GetString()!)),
            RequestId = Integer(commitment, "requestId"),
            ModelId = Bytes(commitment, "modelId"),
            InputHash = Bytes(commitment, "inputHash"),
            OutputHash = Bytes(commitment, "outputHash"),
            Runtime = Bytes(commitment, "runtime"),
            Fulfilment = new InferenceOracleContract.Fulfilment(
                Integer(f, "requestId"),
                new InferenceOracleContract.Request(
                    Address.Parse(r.GetProperty("requester").GetString()!),
                    Integer(r, "fee"), Bytes(r, "modelId"), Bytes(r, "inputHash"), Integer(r, "deadline"),
                    Integer(r, "callbackGasLimit"), Integer(r, "outputBytes"), Integer(r, "redundancy")),
                Bytes(f, "output"), Bytes(f, "runtime"), Bytes(f, "signature")),
        };
    }

    /// <summary>Byte i = (i * 31 + 7) mod 256, as the inputs file describes.</summary>
    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = unchecked((byte)(i * 31 + 7));
        return bytes;
    }

    private static BigInteger Integer(JsonElement e, string name) =>
        BigInteger.Parse(e.GetProperty(name).GetString()!, NumberStyles.None, CultureInfo.InvariantCulture);

    private static byte[] Bytes(JsonElement e, string name) => Hex.Decode(e.GetProperty(name).GetString()!);
}
