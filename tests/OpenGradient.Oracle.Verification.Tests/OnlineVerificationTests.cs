using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>verify against the chain: read the public record, re-run the model, check hashes, signatures, operators.</summary>
[Collection(DevnetCollection.Name)]
public sealed class OnlineVerificationTests(DevnetFixture devnet)
{
    private static readonly string[] FulfilledChecks =
        ["record", "input-hash", "output-hash", "output-range", "model-file", "re-execution", "signature[0]", "digest[0]", "operator[0]", "quorum", "runtime"];

    private async Task<VerificationReport> VerifyOnlineAsync(PendingRequest request, string? modelDirectory = null)
    {
        using var inference = DevnetFixture.VerifierInference(modelDirectory);
        var bundle = await devnet.Reader().ReadAsync(request.Id);
        return await devnet.OnlineVerifier(inference).VerifyAsync(bundle, "chain");
    }

    private static void AssertAllPassed(VerificationReport report)
    {
        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));
        Assert.All(report.Checks, c => Assert.Equal(CheckOutcome.Passed, c.Outcome));
    }

    [Fact]
    public async Task An_honest_float_model_result_passes_every_check()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(1));

        var report = await VerifyOnlineAsync(request);

        AssertAllPassed(report);
        Assert.Equal(FulfilledChecks, report.Checks.Select(c => c.Name));
        Assert.Contains("on-chain", report["operator[0]"].Detail, StringComparison.Ordinal);
        Assert.Contains(devnet.Operator1.Address.ToString(), report["signature[0]"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_honest_integer_model_result_passes_every_check()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.Int8Classifier, Inputs.Int8(2));

        AssertAllPassed(await VerifyOnlineAsync(request));
    }

    [Fact]
    public async Task The_reader_gathers_request_settlement_commitment_model_and_operator_state()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(3));
        var honest = await devnet.HonestOutputAsync(request);

        var bundle = await devnet.Reader().ReadAsync(request.Id);

        Assert.Equal(request.Id, bundle.RequestId);
        Assert.Equal(request.Input, bundle.Input);
        Assert.Equal(request.Block, bundle.Requested.BlockNumber);
        Assert.Equal(SettlementKind.Fulfilled, bundle.Settlement.Kind);
        Assert.Equal(honest, bundle.Settlement.Output);
        var commitment = Assert.Single(bundle.Commitments);
        Assert.Equal(devnet.Operator1.Address, commitment.Operator);
        Assert.Equal("fulfil", commitment.Method);
        Assert.Equal(devnet.SignCommitment(devnet.Operator1, request, honest), commitment.Signature);
        Assert.Equal(bundle.Settlement.Position.TransactionHash, commitment.Position.TransactionHash);
        Assert.Equal(RegistryModel.CreditScorer.Input, bundle.Model.Input);
        Assert.Equal("ipfs://not-fetched/credit-scorer.onnx", bundle.Model.Uri);
        var op = Assert.Single(bundle.Operators);
        Assert.True(op.Active && op.Registered);
        Assert.Equal(DevnetFixture.MinStake, op.Stake);
        Assert.Equal(bundle.Settlement.Position.BlockNumber, op.AtBlock);
        Assert.Equal(DevnetFixture.MinStake, bundle.MinStake);
    }

    [Fact]
    public async Task A_signed_wrong_output_settles_on_chain_but_fails_re_execution()
    {
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(4));
        var tampered = await devnet.HonestOutputAsync(request);
        tampered[^1] ^= 0x01;
        await devnet.FulfilAsync(request, devnet.Operator1, tampered);
        Assert.Equal(2, await devnet.StatusAsync(request.Id));

        var report = await VerifyOnlineAsync(request);

        Assert.Equal(Verdict.Refuted, report.Verdict);
        var failed = Assert.Single(report.Checks, c => c.Outcome != CheckOutcome.Passed);
        Assert.Equal("re-execution", failed.Name);
        Assert.Contains("first difference at element 0", failed.Detail, StringComparison.Ordinal);
        Assert.True(report["signature[0]"].Passed && report["quorum"].Passed && report["output-hash"].Passed);
    }

    [Fact]
    public async Task A_model_file_that_does_not_hash_to_the_model_id_is_refused()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(5));
        using var dir = new TempDirectory();
        // The risk model's bytes under the credit scorer's id-derived name: found first, hashed, refused.
        File.Copy(RegistryModel.RiskMlp.Path, Path.Combine(dir.Path, Convert.ToHexStringLower(RegistryModel.CreditScorer.ModelId) + ".onnx"));

        var report = await VerifyOnlineAsync(request, dir.Path);

        Assert.Equal(Verdict.Incomplete, report.Verdict);
        var modelFile = report["model-file"];
        Assert.Equal(CheckOutcome.Unverifiable, modelFile.Outcome);
        Assert.Contains("hashes to 0x6ae8b5e2", modelFile.Detail, StringComparison.Ordinal);
        Assert.Contains("not the model id 0x12379c42", modelFile.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Skipped, report["re-execution"].Outcome);
    }

    [Fact]
    public async Task Without_any_model_file_re_execution_cannot_be_done()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(6));
        using var dir = new TempDirectory();

        var report = await VerifyOnlineAsync(request, dir.Path);

        Assert.Equal(Verdict.Incomplete, report.Verdict);
        Assert.Contains("MODEL_FILE_UNAVAILABLE", report["model-file"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_report_for_an_out_of_range_input_verifies()
    {
        var values = Inputs.Credit(7);
        values[2] = 2_000_000; // above maxValue 1,000,000
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, values);
        var run = await devnet.RunAsync(request);
        Assert.False(run.IsSuccess);
        await devnet.ReportFailureAsync(request, devnet.Operator1, run.Failure!.Reason);
        Assert.Equal(3, await devnet.StatusAsync(request.Id));

        var report = await VerifyOnlineAsync(request);

        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));
        Assert.Contains("fails with INPUT_OUT_OF_RANGE as reported", report["re-execution"].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Checks, c => c.Name == "output-hash");
        Assert.Equal("reportFailure", (await devnet.Reader().ReadAsync(request.Id)).Commitments[0].Method);
    }

    [Fact]
    public async Task A_failure_reported_against_a_valid_input_is_refuted()
    {
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(8));
        await devnet.ReportFailureAsync(request, devnet.Operator1, FailureReason.InferenceError);

        var report = await VerifyOnlineAsync(request);

        Assert.Equal(Verdict.Refuted, report.Verdict);
        var failed = Assert.Single(report.Checks, c => c.Outcome != CheckOutcome.Passed);
        Assert.Equal("re-execution", failed.Name);
        Assert.Contains("INFERENCE_ERROR was settled, but re-running succeeds", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_that_describes_the_operators_machine_cannot_be_confirmed_by_re_running()
    {
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(14));
        await devnet.ReportFailureAsync(request, devnet.Operator1, FailureReason.RetriesExhausted);

        var report = await VerifyOnlineAsync(request);

        Assert.Equal(Verdict.Incomplete, report.Verdict);
        Assert.Equal(CheckOutcome.Unverifiable, report["re-execution"].Outcome);
        Assert.Contains("RETRIES_EXHAUSTED describes the operator's environment", report["re-execution"].Detail, StringComparison.Ordinal);
        Assert.True(report["signature[0]"].Passed && report["quorum"].Passed);
    }

    [Fact]
    public async Task A_quorum_of_two_operators_one_through_fulfilBatch_verifies_with_both_signers()
    {
        var request = await devnet.RequestAsync(RegistryModel.Int8Classifier, Inputs.Int8(9), redundancy: 2);
        var output = await devnet.HonestOutputAsync(request);
        await devnet.FulfilAsync(request, devnet.Operator1, output);
        Assert.Equal(1, await devnet.StatusAsync(request.Id));
        await devnet.FulfilAsync(request, devnet.Operator2, output, batch: true);
        Assert.Equal(2, await devnet.StatusAsync(request.Id));

        var report = await VerifyOnlineAsync(request);

        AssertAllPassed(report);
        Assert.Contains("2 distinct active operator(s)", report["quorum"].Detail, StringComparison.Ordinal);
        Assert.Contains(devnet.Operator2.Address.ToString(), report["signature[1]"].Detail, StringComparison.Ordinal);
        var bundle = await devnet.Reader().ReadAsync(request.Id);
        Assert.Equal(["fulfil", "fulfilBatch"], bundle.Commitments.Select(c => c.Method));
    }

    [Fact]
    public async Task A_quorum_of_three_through_fulfil_fulfilBatch_and_fulfilBatchPacked_verifies_with_all_signers()
    {
        var third = devnet.Key(10);
        await devnet.RegisterOperatorAsync(third);
        var request = await devnet.RequestAsync(RegistryModel.Int8Classifier, Inputs.Int8(13), redundancy: 3);
        var output = await devnet.HonestOutputAsync(request);
        await devnet.FulfilAsync(request, devnet.Operator1, output);
        await devnet.FulfilAsync(request, devnet.Operator2, output, batch: true);
        Assert.Equal(1, await devnet.StatusAsync(request.Id));
        await devnet.FulfilAsync(request, third, output, packed: true);
        Assert.Equal(2, await devnet.StatusAsync(request.Id));

        var report = await VerifyOnlineAsync(request);

        AssertAllPassed(report);
        Assert.Contains(third.Address.ToString(), report["signature[2]"].Detail, StringComparison.Ordinal);
        var bundle = await devnet.Reader().ReadAsync(request.Id);
        Assert.Equal(["fulfil", "fulfilBatch", "fulfilBatchPacked"], bundle.Commitments.Select(c => c.Method));
        Assert.Equal(Hex.Encode(output), Hex.Encode(bundle.Commitments[2].Output!));
    }

    [Fact]
    public async Task Operator_state_is_read_at_the_commitment_block_so_a_later_unbond_does_not_matter()
    {
        var late = devnet.Key(4);
        await devnet.RegisterOperatorAsync(late);
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(11));
        await devnet.FulfilAsync(request, late, await devnet.HonestOutputAsync(request));
        var settledAt = (await devnet.Reader().ReadAsync(request.Id)).Settlement.Position.BlockNumber;
        await devnet.SendAsync(late, new Chain.Transactions.TransactionCall(devnet.Deployment.OperatorRegistry, Chain.Generated.OperatorRegistryContract.EncodeRequestUnbond()));

        var registry = new ChainOperatorStatus(devnet.Rpc, devnet.Deployment.OperatorRegistry);
        Assert.False((await registry.GetAsync(late.Address, await devnet.BlockNumberAsync()))!.Active);
        var report = await VerifyOnlineAsync(request);

        AssertAllPassed(report);
        Assert.Contains($"{late.Address} was a registered, active operator with stake 1000000000000000000 wei at block {settledAt} (on-chain)",
            report["operator[0]"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dissenting_commitment_in_a_quorum_is_reported_and_the_majority_result_verifies()
    {
        var dissenter = devnet.Key(5);
        await devnet.RegisterOperatorAsync(dissenter);
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(12), redundancy: 2);
        var honest = await devnet.HonestOutputAsync(request);
        var wrong = (byte[])honest.Clone();
        wrong[^1] ^= 0x02;
        await devnet.FulfilAsync(request, devnet.Operator1, honest);
        await devnet.FulfilAsync(request, dissenter, wrong);
        await devnet.FulfilAsync(request, devnet.Operator2, honest);
        Assert.Equal(2, await devnet.StatusAsync(request.Id));

        var report = await VerifyOnlineAsync(request);

        AssertAllPassed(report);
        Assert.Contains("2 distinct active operator(s)", report["quorum"].Detail, StringComparison.Ordinal);
        Assert.Contains("1 commitment(s) voted otherwise", report["quorum"].Detail, StringComparison.Ordinal);
        Assert.Contains(dissenter.Address.ToString(), report["signature[1]"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_made_before_the_search_start_is_still_found()
    {
        var request = await devnet.RequestAsync(RegistryModel.Int8Classifier, Inputs.Int8(13));
        await devnet.FulfilAsync(request, devnet.Operator1, await devnet.HonestOutputAsync(request));
        var settledAt = await devnet.BlockNumberAsync();
        Assert.True(settledAt > request.Block);

        var reader = new SettlementReader(devnet.Rpc, devnet.Deployment.InferenceOracle) { FromBlock = settledAt };
        Assert.Equal([request.Id], await reader.FindSettledAsync(settledAt, settledAt));
        var bundle = await reader.ReadAsync(request.Id);

        Assert.Equal(request.Block, bundle.Requested.BlockNumber);
    }

    [Fact]
    public async Task Log_searches_split_into_small_block_ranges_read_the_same_record()
    {
        var request = await devnet.SettleHonestlyAsync(RegistryModel.CreditScorer, Inputs.Credit(15));
        var whole = await devnet.Reader().ReadAsync(request.Id);

        var chunked = await new SettlementReader(devnet.Rpc, devnet.Deployment.InferenceOracle) { FromBlock = devnet.Deployment.DeploymentBlock, MaxBlockRange = 2 }
            .ReadAsync(request.Id);
        var settled = await new SettlementReader(devnet.Rpc, devnet.Deployment.InferenceOracle) { MaxBlockRange = 3 }
            .FindSettledAsync(devnet.Deployment.DeploymentBlock, await devnet.BlockNumberAsync());

        Assert.Equal(ProofBundleJson.Write(whole), ProofBundleJson.Write(chunked));
        Assert.Contains(request.Id, settled);
    }

    [Fact]
    public async Task A_pending_request_cannot_be_read_as_settled()
    {
        var request = await devnet.RequestAsync(RegistryModel.CreditScorer, Inputs.Credit(10));

        var e = await Assert.ThrowsAsync<SettlementReadException>(() => devnet.Reader().ReadAsync(request.Id));
        Assert.Contains("still pending", e.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<SettlementReadException>(() => devnet.Reader().ReadAsync(request.Id + 1000));
        Assert.Contains("no InferenceRequested", unknown.Message, StringComparison.Ordinal);
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("og-verify-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
