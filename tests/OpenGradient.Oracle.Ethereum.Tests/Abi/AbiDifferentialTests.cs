using System.Text.Json.Nodes;
using CsCheck;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Tests.Differential;

namespace OpenGradient.Oracle.Ethereum.Tests.Abi;

/// <summary>Our ABI code against ethers 6 AbiCoder/Interface on generated types and values, in batches per bridge call.</summary>
[Collection(EthersCollection.Name)]
public sealed class AbiDifferentialTests(EthersBridgeFixture fixture)
{
    private const int BatchSize = 125;
    private const int Batches = 20; // 2,500 cases

    private static JsonArray TypeNames(IEnumerable<AbiType> types) => new(types.Select(t => (JsonNode?)t.CanonicalName).ToArray());

    [Fact]
    public void Encoding_of_generated_types_and_values_is_byte_identical_to_ethers()
    {
        AbiGen.Case.Array[BatchSize].Sample(batch =>
        {
            var cases = batch.Select(c => new JsonObject { ["types"] = TypeNames(c.Types), ["values"] = AbiGen.ToJson(c.Values) }).ToArray();
            var answers = fixture.Ethers.Call("abiEncodeBatch", new { cases = new JsonArray(cases) })!.AsArray();
            for (var i = 0; i < batch.Length; i++)
            {
                var (types, values) = batch[i];
                var answer = answers[i]!;
                Assert.True(answer["ok"]!.GetValue<bool>(), $"ethers rejected {AbiGen.Show(types, values)}: {answer["error"]}");
                var ours = Hex.Encode(AbiEncoder.Encode(types, values));
                if (ours != answer["value"]!.GetValue<string>())
                    Assert.Fail($"encoding differs for {AbiGen.Show(types, values)}\nours:   {ours}\nethers: {answer["value"]}");
            }
        }, iter: Batches, threads: 1);
    }

    [Fact]
    public void Decoding_ethers_encodings_gives_back_the_values()
    {
        AbiGen.Case.Array[BatchSize].Sample(batch =>
        {
            var cases = batch.Select(c => new JsonObject { ["types"] = TypeNames(c.Types), ["values"] = AbiGen.ToJson(c.Values) }).ToArray();
            var encoded = fixture.Ethers.Call("abiEncodeBatch", new { cases = new JsonArray(cases) })!.AsArray();
            var decodeCases = batch.Select((c, i) => new JsonObject { ["types"] = TypeNames(c.Types), ["data"] = encoded[i]!["value"]!.GetValue<string>() }).ToArray();
            var decoded = fixture.Ethers.Call("abiDecodeBatch", new { cases = new JsonArray(decodeCases) })!.AsArray();
            for (var i = 0; i < batch.Length; i++)
            {
                var (types, values) = batch[i];
                var data = Hex.Decode(encoded[i]!["value"]!.GetValue<string>());
                IReadOnlyList<object?> ours;
                try
                {
                    ours = AbiDecoder.Decode(types, data);
                }
                catch (AbiDecodingException e)
                {
                    Assert.Fail($"could not decode ethers' encoding of {AbiGen.Show(types, values)}: {e.Message}");
                    return;
                }
                var expected = AbiGen.ToJson(values)!.ToJsonString();
                Assert.Equal(expected, AbiGen.ToJson(ours)!.ToJsonString());
                // And ethers reads back the same values (guards the test's own JSON mapping).
                Assert.Equal(expected, decoded[i]!["value"]!.ToJsonString());
            }
        }, iter: Batches, threads: 1);
    }

    [Fact]
    public void Whatever_corrupted_data_we_accept_ethers_accepts_with_the_same_values()
    {
        // We may reject more than ethers (dirty high bits, bools other than 0/1), never less.
        var gen = Gen.Select(AbiGen.Case, Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 3], Gen.Int[0, 64]);
        gen.Array[BatchSize].Sample(batch =>
        {
            var mutated = batch.Select(b =>
            {
                var data = AbiEncoder.Encode(b.Item1.Types, b.Item1.Values);
                // Small values at word ends mostly hit offsets and lengths: the interesting part of the decoder.
                if (data.Length > 0) data[b.Item2 % data.Length | (b.Item4 == 0 ? 31 : 0)] = b.Item4 == 0 ? (byte)(b.Item3 & 0x7F) : b.Item3;
                return (b.Item1.Types, Data: data[..Math.Max(0, data.Length - b.Item5)]);
            }).ToArray();
            var cases = mutated.Select(m => new JsonObject { ["types"] = TypeNames(m.Types), ["data"] = Hex.Encode(m.Data) }).ToArray();
            var theirs = fixture.Ethers.Call("abiDecodeBatch", new { cases = new JsonArray(cases) })!.AsArray();
            for (var i = 0; i < mutated.Length; i++)
            {
                IReadOnlyList<object?> ours;
                try
                {
                    ours = AbiDecoder.Decode(mutated[i].Types, mutated[i].Data);
                }
                catch (AbiDecodingException)
                {
                    continue;
                }
                var show = $"types ({string.Join(",", mutated[i].Types.Select(t => t.CanonicalName))}) data {Hex.Encode(mutated[i].Data)}";
                Assert.True(theirs[i]!["ok"]!.GetValue<bool>(), $"we accepted what ethers rejects ({theirs[i]!["error"]}): {show}");
                Assert.Equal(theirs[i]!["value"]!.ToJsonString(), AbiGen.ToJson(ours)!.ToJsonString());
            }
        }, iter: 8, threads: 1);
    }

    [Fact]
    public void Selectors_and_topics_match_ethers_fragments()
    {
        Gen.Select(Gen.Char["abcdefXYZ_"].Array[1, 12].Select(c => new string(c)), AbiGen.Types).Array[BatchSize].Sample(batch =>
        {
            var sigs = batch.Select(b => $"f{b.Item1}({string.Join(",", b.Item2.Select(t => t.CanonicalName))})").ToArray();
            var answers = fixture.Ethers.Call("signatures", new { sigs })!.AsArray();
            for (var i = 0; i < sigs.Length; i++)
            {
                Assert.Equal(answers[i]!["selector"]!.GetValue<string>(), Hex.Encode(AbiSignature.Selector(sigs[i])));
                Assert.Equal(answers[i]!["topic"]!.GetValue<string>(), Hex.Encode(AbiSignature.Topic(sigs[i])));
            }
        }, iter: 4, threads: 1);
    }

    private static readonly Gen<(AbiType Type, bool Indexed)> EventParam =
        Gen.Bool.SelectMany(indexed => (indexed ? AbiGen.Elementary : AbiGen.Type(2)).Select(t => (t, indexed)));

    [Fact]
    public void Event_logs_encode_like_ethers_and_ethers_parses_our_decoded_values()
    {
        var gen = EventParam.Array[1, 5]
            .Where(ps => ps.Count(p => p.Indexed) <= 3)
            .SelectMany(ps => AbiGen.Values(ps.Select(p => p.Type).ToArray()).Select(vs => (ps, vs)));
        gen.Array[25].Sample(batch =>
        {
            for (var n = 0; n < batch.Length; n++)
            {
                var (ps, values) = batch[n];
                var abi = new JsonArray(new JsonObject
                {
                    ["type"] = "event",
                    ["name"] = "E" + n,
                    ["anonymous"] = false,
                    ["inputs"] = new JsonArray(ps.Select((p, i) => (JsonNode?)AbiGen.ParamJson(p.Type, "p" + i, p.Indexed)).ToArray()),
                });
                var ev = ContractAbi.Parse(abi.ToJsonString()).Events[0];
                var (topics, data) = ev.EncodeLog(values);
                var show = $"event {ev.Signature} indexed [{string.Join(",", ps.Select(p => p.Indexed))}] values {AbiGen.ToJson(values)!.ToJsonString()}";

                var theirs = fixture.Ethers.Call("encodeEventLogBatch", new { abi, cases = new JsonArray(new JsonObject { ["event"] = ev.Name, ["values"] = AbiGen.ToJson(values) }) })!.AsArray()[0]!;
                Assert.True(theirs["ok"]!.GetValue<bool>(), $"ethers rejected {show}: {theirs["error"]}");
                Assert.Equal(theirs["value"]!["data"]!.GetValue<string>(), Hex.Encode(data));
                Assert.Equal(theirs["value"]!["topics"]!.ToJsonString(), new JsonArray(topics.Select(t => (JsonNode?)Hex.Encode(t)).ToArray()).ToJsonString());

                var log = new JsonObject { ["topics"] = new JsonArray(topics.Select(t => (JsonNode?)Hex.Encode(t)).ToArray()), ["data"] = Hex.Encode(data) };
                var parsed = fixture.Ethers.Call("parseLogBatch", new { abi, logs = new JsonArray(log) })!.AsArray()[0]!;
                Assert.True(parsed["ok"]!.GetValue<bool>(), $"ethers could not parse the log of {show}: {parsed["error"]}");
                var decoded = ContractAbi.Parse(abi.ToJsonString()).DecodeLog(topics, data);
                Assert.NotNull(decoded);
                Assert.Equal(parsed["value"]!["name"]!.GetValue<string>(), decoded.Name);
                Assert.Equal(parsed["value"]!["args"]!.ToJsonString(), AbiGen.ToJson(decoded.Values)!.ToJsonString());
            }
        }, iter: 8, threads: 1);
    }
}
