using BenchmarkDotNet.Attributes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Benchmarks.Ethereum;

/// <summary>
/// Issue 8, Ethereum core vs ethers.js: each method is one operation the node performs, on the inputs of
/// bench/inputs/ethereum-ops.json. Method names are the keys bench/js/ethers-ops.mjs reports under.
/// Each side starts from its library's natural in-memory form (byte arrays, a parsed key, a built ABI).
/// </summary>
public class EthereumOpsBenchmarks
{
    private EthereumOpsInputs _in = null!;
    private byte[] _keccak64 = [];
    private byte[] _keccak1K = [];
    private byte[] _calldata = [];
    private byte[] _digest = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _in = EthereumOpsInputs.Load(RepositoryPaths.EthereumInputs);
        _keccak64 = _in.KeccakInputs[nameof(Keccak256_64B)];
        _keccak1K = _in.KeccakInputs[nameof(Keccak256_1KiB)];
        _calldata = AbiEncodeFulfil();
        _digest = Eip712CommitmentDigest();
        _signature = Secp256k1Sign().ToBytes();
    }

    [Benchmark]
    public byte[] Keccak256_64B() => Keccak256.Hash(_keccak64);

    [Benchmark]
    public byte[] Keccak256_1KiB() => Keccak256.Hash(_keccak1K);

    /// <summary>Calldata of <c>fulfil(Fulfilment)</c> from the typed binding.</summary>
    [Benchmark]
    public byte[] AbiEncodeFulfil() => InferenceOracleContract.EncodeFulfil(_in.Fulfilment);

    /// <summary>Calldata back to the typed <c>Fulfilment</c> record.</summary>
    [Benchmark]
    public InferenceOracleContract.Fulfilment AbiDecodeFulfil() =>
        InferenceOracleContract.Fulfilment.FromAbi(InferenceOracleContract.FulfilFunction.DecodeCall(_calldata)[0]);

    /// <summary>The node's typed EIP-712 path; the domain (and its cached separator) is built once, as the node does.</summary>
    [Benchmark]
    public byte[] Eip712CommitmentDigest() =>
        CommitmentSigning.CommitmentDigest(_in.Domain, _in.RequestId, _in.ModelId, _in.InputHash, _in.OutputHash, _in.Runtime);

    /// <summary>RFC 6979 signature of the commitment digest.</summary>
    [Benchmark]
    public Signature Secp256k1Sign() => _in.Key.Sign(_digest);

    /// <summary>65 signature bytes + digest → signer address (parse, recover the key, hash it).</summary>
    [Benchmark]
    public Address Secp256k1Recover() => Signature.FromBytes(_signature).Recover(_digest);

    /// <summary>Every operation by its name (the key the ethers.js side uses), for timing outside BenchmarkDotNet.</summary>
    public IReadOnlyList<(string Name, Func<object?> Run)> Operations() =>
    [
        (nameof(Keccak256_64B), Keccak256_64B),
        (nameof(Keccak256_1KiB), Keccak256_1KiB),
        (nameof(AbiEncodeFulfil), AbiEncodeFulfil),
        (nameof(AbiDecodeFulfil), AbiDecodeFulfil),
        (nameof(Eip712CommitmentDigest), Eip712CommitmentDigest),
        (nameof(Secp256k1Sign), Secp256k1Sign),
        (nameof(Secp256k1Recover), () => Secp256k1Recover()),
    ];

    /// <summary>What each operation computes, in the format the ethers.js side prints, to check both did the same work.</summary>
    public static IReadOnlyDictionary<string, string> Vectors()
    {
        var b = new EthereumOpsBenchmarks();
        b.Setup();
        var decoded = b.AbiDecodeFulfil();
        return new Dictionary<string, string>
        {
            [nameof(Keccak256_64B)] = Hex.Encode(b.Keccak256_64B()),
            [nameof(Keccak256_1KiB)] = Hex.Encode(b.Keccak256_1KiB()),
            [nameof(AbiEncodeFulfil)] = Hex.Encode(Keccak256.Hash(b.AbiEncodeFulfil())),
            [nameof(AbiDecodeFulfil)] = $"{decoded.RequestId}:{decoded.Request.Deadline}:{Hex.Encode(decoded.Output)}",
            [nameof(Eip712CommitmentDigest)] = Hex.Encode(b.Eip712CommitmentDigest()),
            [nameof(Secp256k1Sign)] = Hex.Encode(b.Secp256k1Sign().ToBytes()),
            [nameof(Secp256k1Recover)] = Hex.Encode(b.Secp256k1Recover().Bytes),
        };
    }
}
