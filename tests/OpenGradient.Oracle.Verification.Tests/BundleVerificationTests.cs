using System.Text.Json.Nodes;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>verify --bundle: the exported record checked with no RPC at all, and every kind of edit caught.</summary>
[Collection(DevnetCollection.Name)]
public sealed class BundleVerificationTests(DevnetFixture devnet)
{
    /// <summary>Every field the operators' signatures cover, directly or through a hash.</summary>
    private static readonly string[] SignedFields =
    [
        "chainId", "oracle", "requestId", "request.modelId", "request.inputHash", "input", "model.modelId",
        "settlement.output", "settlement.outputHash",
        "commitments[0].operator", "commitments[0].vote", "commitments[0].runtime", "commitments[0].output", "commitments[0].signature",
    ];

    private async Task<(PendingRequest Request, string Json)> ExportHonestAsync(RegistryModel model, long[] values)
    {
        var request = await devnet.SettleHonestlyAsync(model, values);
        return (request, ProofBundleJson.Write(await devnet.Reader().ReadAsync(request.Id)));
    }

    private static async Task<VerificationReport> VerifyOfflineAsync(string json, SharedVerifierEngine? holder = null)
    {
        var bundle = ProofBundleJson.Parse(json);
        if (holder is not null) return await new Verifier(holder.Inference, new RecordedOperatorStatus(bundle)).VerifyAsync(bundle, "bundle");
        using var inference = DevnetFixture.VerifierInference();
        return await new Verifier(inference, new RecordedOperatorStatus(bundle)).VerifyAsync(bundle, "bundle");
    }

    private static string Edit(string json, string path, Func<JsonNode, JsonNode?> change)
    {
        var root = JsonNode.Parse(json)!;
        var (parent, leaf) = Locate(root, path);
        parent[leaf] = change(parent[leaf]!);
        return root.ToJsonString();
    }

    private static (JsonNode Parent, string Leaf) Locate(JsonNode root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1]) node = Step(node, part);
        return (node, parts[^1]);
    }

    private static JsonNode Step(JsonNode node, string part)
    {
        var bracket = part.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0) return node[part]!;
        var index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return node[part[..bracket]]![index]!;
    }

    [Fact]
    public async Task An_exported_bundle_verifies_offline_with_operator_state_labelled_as_recorded()
    {
        var (_, json) = await ExportHonestAsync(RegistryModel.CreditScorer, Inputs.Credit(20));

        var report = await VerifyOfflineAsync(json);

        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));
        Assert.DoesNotContain(report.Checks, c => c.Name.StartsWith("digest", StringComparison.Ordinal));
        Assert.Contains("as recorded in the bundle", report["operator[0]"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_a_parsed_bundle_gives_the_same_bytes()
    {
        var (_, json) = await ExportHonestAsync(RegistryModel.Int8Classifier, Inputs.Int8(21));

        Assert.Equal(json, ProofBundleJson.Write(ProofBundleJson.Parse(json)));
        Assert.StartsWith("{\n  \"format\": \"opengradient-oracle-proof\",\n  \"version\": 1,", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_by_an_unregistered_key_fails_signature_and_operator_checks()
    {
        var (request, json) = await ExportHonestAsync(RegistryModel.CreditScorer, Inputs.Credit(22));
        var outsider = PrivateKey.Generate();
        var bundle = ProofBundleJson.Parse(json);
        var forged = devnet.SignCommitment(outsider, request, bundle.Settlement.Output!);

        // 1. Only the signature swapped: it no longer belongs to the recorded operator, and its signer is nobody.
        var swapped = Edit(json, "commitments[0].signature", _ => Hex.Encode(forged));
        var report = await VerifyOfflineAsync(swapped);
        Assert.Equal(Verdict.Refuted, report.Verdict);
        Assert.Equal(CheckOutcome.Failed, report["signature[0]"].Outcome);
        Assert.Contains($"recovers to {outsider.Address}, but the commitment was recorded for {devnet.Operator1.Address}", report["signature[0]"].Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Failed, report["operator[0]"].Outcome);
        Assert.Equal(CheckOutcome.Failed, report["quorum"].Outcome);

        // 2. Signature and operator both rewritten consistently: the signature holds, the signer is not an operator.
        var consistent = Edit(swapped, "commitments[0].operator", _ => outsider.Address.ToString());
        report = await VerifyOfflineAsync(consistent);
        Assert.Equal(Verdict.Refuted, report.Verdict);
        Assert.True(report["signature[0]"].Passed);
        Assert.Equal(CheckOutcome.Failed, report["operator[0]"].Outcome);
        Assert.Contains($"{outsider.Address} is not a registered operator at block", report["operator[0]"].Detail, StringComparison.Ordinal);
        Assert.Contains("as recorded in the bundle", report["operator[0]"].Detail, StringComparison.Ordinal);
        Assert.Contains("only 0 distinct", report["quorum"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_input_fails_the_input_hash_check()
    {
        var (_, json) = await ExportHonestAsync(RegistryModel.CreditScorer, Inputs.Credit(23));
        var other = TensorCodecInput(RegistryModel.CreditScorer, Inputs.Credit(99));

        var report = await VerifyOfflineAsync(Edit(json, "input", _ => Hex.Encode(other)));

        Assert.Equal(Verdict.Refuted, report.Verdict);
        Assert.Equal(CheckOutcome.Failed, report["input-hash"].Outcome);
        Assert.Contains("the input is not the one requested", report["input-hash"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_output_with_its_hash_fails_re_execution_and_the_signature()
    {
        var (_, json) = await ExportHonestAsync(RegistryModel.CreditScorer, Inputs.Credit(24));
        var bundle = ProofBundleJson.Parse(json);
        var output = (byte[])bundle.Settlement.Output!.Clone();
        output[^1] ^= 0x40;
        var edited = Edit(json, "settlement.output", _ => Hex.Encode(output));
        edited = Edit(edited, "settlement.outputHash", _ => Hex.Encode(Keccak256.Hash(output)));
        edited = Edit(edited, "commitments[0].output", _ => Hex.Encode(output));

        var report = await VerifyOfflineAsync(edited);

        Assert.Equal(Verdict.Refuted, report.Verdict);
        Assert.True(report["output-hash"].Passed);
        Assert.Equal(CheckOutcome.Failed, report["re-execution"].Outcome);
        Assert.Equal(CheckOutcome.Failed, report["signature[0]"].Outcome);
    }

    [Fact]
    public async Task Changing_any_one_hex_digit_of_any_signed_field_is_caught()
    {
        var (_, json) = await ExportHonestAsync(RegistryModel.CreditScorer, Inputs.Credit(25));
        using var holder = new SharedVerifierEngine();
        Assert.Equal(Verdict.Verified, (await VerifyOfflineAsync(json, holder)).Verdict);

        var edits = 0;
        foreach (var field in SignedFields)
        {
            var (parent, leaf) = Locate(JsonNode.Parse(json)!, field);
            var original = parent[leaf]!.GetValue<string>();
            var start = original.StartsWith("0x", StringComparison.Ordinal) ? 2 : 0;
            for (var i = start; i < original.Length; i++)
            {
                var replacement = original[..i] + Different(original[i]) + original[(i + 1)..];
                var edited = Edit(json, field, _ => replacement);
                VerificationReport report;
                try
                {
                    report = await VerifyOfflineAsync(edited, holder);
                }
                catch (ProofBundleFormatException)
                {
                    edits++;
                    continue; // refused outright is also caught
                }
                Assert.True(report.Verdict == Verdict.Refuted,
                    $"{field}[{i}] '{original[i]}' -> '{Different(original[i])}' was not caught:\n{string.Join("\n", report.Checks)}");
                edits++;
            }
        }
        Assert.True(edits > 600, $"only {edits} edits tried");
    }

    [Fact]
    public async Task A_failure_report_bundle_verifies_and_an_edited_reason_is_caught()
    {
        var values = Inputs.Credit(26);
        values[0] = -5_000_000;
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, values);
        await devnet.ReportFailureAsync(request, devnet.Operator1, FailureReason.InputOutOfRange);
        var json = ProofBundleJson.Write(await devnet.Reader().ReadAsync(request.Id));

        var report = await VerifyOfflineAsync(json);
        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));

        var edited = Edit(json, "commitments[0].reason", _ => (int)FailureReason.InferenceError);
        edited = Edit(edited, "settlement.reason", _ => (int)FailureReason.InferenceError);
        report = await VerifyOfflineAsync(edited);
        Assert.Equal(Verdict.Refuted, report.Verdict);
        Assert.Equal(CheckOutcome.Failed, report["signature[0]"].Outcome);
        Assert.Equal(CheckOutcome.Failed, report["re-execution"].Outcome);
    }

    [Fact]
    public void A_malformed_bundle_is_refused_naming_the_field()
    {
        var e = Assert.Throws<ProofBundleFormatException>(() => ProofBundleJson.Parse("""{"format":"opengradient-oracle-proof","version":1,"chainId":"1"}"""));
        Assert.Contains("\"request\"", e.Message, StringComparison.Ordinal);
        var v = Assert.Throws<ProofBundleFormatException>(() => ProofBundleJson.Parse("""{"format":"opengradient-oracle-proof","version":2}"""));
        Assert.Contains("version 2 is not supported", v.Message, StringComparison.Ordinal);
    }

    private static char Different(char c) => c switch
    {
        '0' => '1',
        _ when char.IsAsciiDigit(c) => '0',
        _ => char.IsUpper(c) ? '0' : (c == 'a' ? 'b' : 'a'),
    };

    private static byte[] TensorCodecInput(RegistryModel model, long[] values) => Inference.TensorCodec.Encode(values, model.Input);
}

/// <summary>One verifier engine reused across many verifications (the model loads once).</summary>
public sealed class SharedVerifierEngine : IDisposable
{
    public Inference.IOracleInference Inference { get; } = DevnetFixture.VerifierInference();

    public void Dispose() => Inference.Dispose();
}
