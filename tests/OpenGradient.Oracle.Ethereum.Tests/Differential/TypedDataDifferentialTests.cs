using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using static OpenGradient.Oracle.Ethereum.Tests.Differential.Generators;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

[Collection(EthersCollection.Name)]
public sealed class TypedDataDifferentialTests(EthersBridgeFixture fixture)
{
    /// <summary>
    /// A random eth_signTypedData_v4 payload from a CsCheck-chosen seed: 1-4 struct types where each type after the
    /// first is referenced by an earlier one (ethers insists on a single primary type), atomic members of every width,
    /// string, bytes, fixed and dynamic arrays (also nested) of atomics and structs.
    /// </summary>
    internal static JsonObject RandomTypedData(int seed)
    {
        var rng = new Random(seed);
        var structCount = rng.Next(1, 5);
        var names = Enumerable.Range(0, structCount).Select(i => (rng.Next(2) == 0 ? "s" : "S") + $"{i}x{rng.Next(100)}").ToArray();
        var types = new JsonObject();
        var fieldsOf = new List<(string Name, string Type)>[structCount];
        for (var s = 0; s < structCount; s++)
        {
            var fields = new List<(string, string)>();
            var count = rng.Next(s + 1 < structCount ? 0 : 1, 5);
            for (var f = 0; f < count; f++) fields.Add(($"f{f}", RandomType(rng, names, s, allowStruct: true)));
            if (s + 1 < structCount) fields.Insert(rng.Next(fields.Count + 1), ($"child", names[s + 1] + (rng.Next(3) == 0 ? "[]" : "")));
            fieldsOf[s] = fields;
            types[names[s]] = new JsonArray(fields.Select(x => (JsonNode)new JsonObject { ["name"] = x.Item1, ["type"] = x.Item2 }).ToArray());
        }
        var domain = new JsonObject();
        if (rng.Next(4) > 0) domain["name"] = RandomString(rng);
        if (rng.Next(4) > 0) domain["version"] = rng.Next(10).ToString(CultureInfo.InvariantCulture);
        if (rng.Next(4) > 0) domain["chainId"] = rng.Next(2) == 0 ? rng.Next(1, 100000) : ((BigInteger)rng.NextInt64()).ToString(CultureInfo.InvariantCulture);
        if (rng.Next(4) > 0) domain["verifyingContract"] = Hex.Encode(Bytes(rng, 20));
        if (rng.Next(3) == 0) domain["salt"] = Hex.Encode(Bytes(rng, 32));
        if (domain.Count == 0) domain["name"] = "x";
        if (rng.Next(2) == 0)
        {
            var order = new[] { ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32") };
            types["EIP712Domain"] = new JsonArray(order.Where(o => domain.ContainsKey(o.Item1))
                .Select(o => (JsonNode)new JsonObject { ["name"] = o.Item1, ["type"] = o.Item2 }).ToArray());
        }
        var message = RandomStruct(rng, 0, names, fieldsOf, 0);
        return new JsonObject { ["types"] = types, ["primaryType"] = names[0], ["domain"] = domain, ["message"] = message };
    }

    private static string RandomType(Random rng, string[] names, int self, bool allowStruct)
    {
        var roll = rng.Next(100);
        string baseType;
        if (allowStruct && roll < 8 && self + 1 < names.Length) baseType = names[rng.Next(self + 1, names.Length)];
        else
        {
            baseType = rng.Next(7) switch
            {
                0 => "uint" + (8 * rng.Next(1, 33)),
                1 => "int" + (8 * rng.Next(1, 33)),
                2 => "bytes" + rng.Next(1, 33),
                3 => "address",
                4 => "bool",
                5 => "string",
                _ => "bytes",
            };
        }
        var arrays = rng.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 };
        for (var i = 0; i < arrays; i++) baseType += rng.Next(2) == 0 ? "[]" : $"[{rng.Next(0, 4)}]";
        return baseType;
    }

    private static JsonObject RandomStruct(Random rng, int index, string[] names, List<(string Name, string Type)>[] fieldsOf, int depth)
    {
        var obj = new JsonObject();
        foreach (var (name, type) in fieldsOf[index]) obj[name] = RandomValue(rng, type, names, fieldsOf, depth);
        return obj;
    }

    private static JsonNode? RandomValue(Random rng, string type, string[] names, List<(string Name, string Type)>[] fieldsOf, int depth)
    {
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var inner = type[..open];
            var size = type[(open + 1)..^1];
            var count = size.Length == 0 ? rng.Next(0, depth > 2 ? 1 : 4) : int.Parse(size, CultureInfo.InvariantCulture);
            return new JsonArray(Enumerable.Range(0, count).Select(_ => RandomValue(rng, inner, names, fieldsOf, depth + 1)).ToArray());
        }
        var structIndex = Array.IndexOf(names, type);
        if (structIndex >= 0) return RandomStruct(rng, structIndex, names, fieldsOf, depth + 1);
        if (type == "address") return Hex.Encode(Bytes(rng, 20));
        if (type == "bool") return rng.Next(2) == 0;
        if (type == "string") return RandomString(rng);
        if (type == "bytes") return Hex.Encode(Bytes(rng, rng.Next(0, 70)));
        if (type.StartsWith("bytes", StringComparison.Ordinal)) return Hex.Encode(Bytes(rng, int.Parse(type[5..], CultureInfo.InvariantCulture)));
        var signed = type.StartsWith("int", StringComparison.Ordinal);
        var bits = int.Parse(type[(signed ? 3 : 4)..], CultureInfo.InvariantCulture);
        var magnitudeBits = rng.Next(3) == 0 ? (signed ? bits - 1 : bits) : rng.Next(0, signed ? bits : bits + 1);
        var value = magnitudeBits == 0 ? BigInteger.Zero : new BigInteger(Bytes(rng, (magnitudeBits + 7) / 8), isUnsigned: true, isBigEndian: true) & ((BigInteger.One << magnitudeBits) - 1);
        if (signed && rng.Next(2) == 0) value = -value - (rng.Next(4) == 0 && magnitudeBits == bits - 1 ? 1 : 0);
        return rng.Next(4) switch
        {
            0 when value >= 0 && value < 1_000_000 => (long)value,
            1 when value >= 0 => "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0'),
            _ => value.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static string RandomString(Random rng)
    {
        const string alphabet = "abcXYZ 019_-\"\\é漢字🙂";
        var length = rng.Next(0, 12);
        var sb = new System.Text.StringBuilder();
        var runes = alphabet.EnumerateRunes().ToArray();
        for (var i = 0; i < length; i++) sb.Append(runes[rng.Next(runes.Length)].ToString());
        return sb.ToString();
    }

    [Fact]
    public void Digests_of_random_typed_data_match_ethers()
    {
        Gen.Int.Array[20].Sample(seeds =>
        {
            var cases = seeds.Select(RandomTypedData).ToArray();
            var theirs = fixture.Ethers.Batch("typedData", cases);
            for (var i = 0; i < cases.Length; i++)
            {
                var json = cases[i].ToJsonString();
                var typed = TypedData.Parse(json);
                Same(theirs[i]!["encodeType"].Str(), typed.EncodeType(typed.PrimaryType), json, "encodeType");
                Same(theirs[i]!["domainSeparator"].Str(), H(typed.DomainSeparator()), json, "domain separator");
                Same(theirs[i]!["structHash"].Str(), H(typed.HashStruct(typed.PrimaryType, typed.Message)), json, "hashStruct");
                Same(theirs[i]!["digest"].Str(), H(typed.Digest()), json, "digest");
            }
        }, iter: 40);
    }

    [Fact]
    public void Typed_data_signatures_and_commitment_fast_path_match_ethers()
    {
        var commitment = Gen.Select(PrivateKeyBytes, Gen.Select(Uint256, Hash32, Hash32, Hash32, Hash32), Gen.UShort, Gen.ULong[1, 1UL << 40], Gen.Byte.Array[20]);
        commitment.Array[15].Sample(batch =>
        {
            var cases = new List<JsonObject>();
            foreach (var (key, (requestId, modelId, inputHash, outputHash, runtime), reason, chainId, oracle) in batch)
            {
                var domain = new JsonObject
                {
                    ["name"] = "OpenGradient InferenceOracle", ["version"] = "1", ["chainId"] = chainId.ToString(CultureInfo.InvariantCulture),
                    ["verifyingContract"] = H(oracle),
                };
                cases.Add(new JsonObject
                {
                    ["key"] = H(key), ["primaryType"] = "Commitment", ["domain"] = domain,
                    ["types"] = JsonNode.Parse("""{"Commitment":[{"name":"requestId","type":"uint256"},{"name":"modelId","type":"bytes32"},{"name":"inputHash","type":"bytes32"},{"name":"outputHash","type":"bytes32"},{"name":"runtime","type":"bytes32"}]}"""),
                    ["message"] = new JsonObject
                    {
                        ["requestId"] = requestId.ToString(CultureInfo.InvariantCulture), ["modelId"] = H(modelId), ["inputHash"] = H(inputHash),
                        ["outputHash"] = H(outputHash), ["runtime"] = H(runtime),
                    },
                });
                cases.Add(new JsonObject
                {
                    ["key"] = H(key), ["primaryType"] = "FailureReport", ["domain"] = domain.DeepClone(),
                    ["types"] = JsonNode.Parse("""{"FailureReport":[{"name":"requestId","type":"uint256"},{"name":"modelId","type":"bytes32"},{"name":"inputHash","type":"bytes32"},{"name":"reason","type":"uint16"},{"name":"runtime","type":"bytes32"}]}"""),
                    ["message"] = new JsonObject
                    {
                        ["requestId"] = requestId.ToString(CultureInfo.InvariantCulture), ["modelId"] = H(modelId), ["inputHash"] = H(inputHash),
                        ["reason"] = reason, ["runtime"] = H(runtime),
                    },
                });
            }
            var theirs = fixture.Ethers.Batch("typedData", cases);
            for (var i = 0; i < batch.Length; i++)
            {
                var (key, (requestId, modelId, inputHash, outputHash, runtime), reason, chainId, oracle) = batch[i];
                var pk = Key(key);
                var domain = Eip712Domain.InferenceOracle(chainId, new Address(oracle));
                var c = cases[2 * i].ToJsonString();
                Same(theirs[2 * i]!["digest"].Str(), H(CommitmentSigning.CommitmentDigest(domain, requestId, modelId, inputHash, outputHash, runtime)), c, "commitment digest");
                var signature = CommitmentSigning.SignCommitment(pk, domain, requestId, modelId, inputHash, outputHash, runtime);
                Same(theirs[2 * i]!["signature"].Str(), signature.ToString(), c, "commitment signature");
                Assert.Equal(pk.Address, CommitmentSigning.RecoverCommitment(signature, domain, requestId, modelId, inputHash, outputHash, runtime));
                Same(theirs[2 * i]!["signature"].Str(), TypedData.Parse(c).Sign(pk).ToString(), c, "general-path commitment signature");

                var f = cases[2 * i + 1].ToJsonString();
                Same(theirs[2 * i + 1]!["digest"].Str(), H(CommitmentSigning.FailureDigest(domain, requestId, modelId, inputHash, reason, runtime)), f, "failure digest");
                var failureSignature = CommitmentSigning.SignFailure(pk, domain, requestId, modelId, inputHash, reason, runtime);
                Same(theirs[2 * i + 1]!["signature"].Str(), failureSignature.ToString(), f, "failure signature");
                Assert.Equal(pk.Address, CommitmentSigning.RecoverFailure(failureSignature, domain, requestId, modelId, inputHash, reason, runtime));
            }
        }, iter: 10);
    }
}
