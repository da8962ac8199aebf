using OpenGradient.Oracle.Ethereum.Crypto;

namespace OpenGradient.Oracle.Verification.Tests;

/// <summary>Requests that opted into the challenge window: verify judges the final output, not the provisional one.</summary>
[Collection(DevnetCollection.Name)]
public sealed class FinalityVerificationTests(DevnetFixture devnet)
{
    private async Task<VerificationReport> VerifyAsync(PendingRequest request)
    {
        using var inference = DevnetFixture.VerifierInference();
        var bundle = await devnet.Reader().ReadAsync(request.Id);
        var online = await devnet.OnlineVerifier(inference).VerifyAsync(bundle, "chain");
        // The bundle carries the finality history too: offline gives the same verdict.
        var offline = await new Verifier(inference, new RecordedOperatorStatus(bundle)).VerifyAsync(ProofBundleJson.Parse(ProofBundleJson.Write(bundle)), "bundle");
        Assert.Equal(online.Verdict, offline.Verdict);
        return online;
    }

    [Fact]
    public async Task A_provisional_result_is_not_final_and_the_verdict_is_incomplete()
    {
        var request = await devnet.RequestWithFinalityAsync(RegistryModel.CreditScorer, Inputs.Credit(60));
        await devnet.FulfilAsync(request, devnet.Operator1, await devnet.HonestOutputAsync(request));

        var report = await VerifyAsync(request);

        Assert.Equal(Verdict.Incomplete, report.Verdict);
        Assert.Equal(CheckOutcome.Unverifiable, report["finality"].Outcome);
        Assert.Contains("is provisional", report["finality"].Detail, StringComparison.Ordinal);
        Assert.True(report["re-execution"].Passed);
    }

    [Fact]
    public async Task An_unchallenged_result_finalized_after_the_window_verifies()
    {
        var request = await devnet.RequestWithFinalityAsync(RegistryModel.Int8Classifier, Inputs.Int8(61));
        var output = await devnet.HonestOutputAsync(request);
        await devnet.FulfilAsync(request, devnet.Operator1, output);
        await devnet.FinalizeAfterWindowAsync(request, output);

        var report = await VerifyAsync(request);

        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));
        Assert.Contains("not challenged within the window", report["finality"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_result_overturned_by_a_challenge_verifies_by_its_final_output()
    {
        var reexecutorA = devnet.Key(6);
        var reexecutorB = devnet.Key(7);
        var challenger = devnet.Key(8);
        var original = devnet.Key(9); // gets slashed below its stake: not one the other tests rely on
        await devnet.RegisterOperatorAsync(original);
        await devnet.RegisterOperatorAsync(reexecutorA);
        await devnet.RegisterOperatorAsync(reexecutorB);
        var request = await devnet.RequestWithFinalityAsync(RegistryModel.CreditScorer, Inputs.Credit(62));
        var honest = await devnet.HonestOutputAsync(request);
        var wrong = (byte[])honest.Clone();
        wrong[^1] ^= 0x04;
        await devnet.FulfilAsync(request, original, wrong);

        // While provisional, the wrong output is what the chain holds, and verify refutes it.
        var provisional = await VerifyAsync(request);
        Assert.Equal(Verdict.Refuted, provisional.Verdict);
        Assert.Equal(CheckOutcome.Failed, provisional["re-execution"].Outcome);

        await devnet.ChallengeAsync(challenger, request, Keccak256.Hash(honest));
        await devnet.ReexecuteAsync(request, reexecutorA, honest);
        await devnet.ReexecuteAsync(request, reexecutorB, honest);

        var report = await VerifyAsync(request);

        Assert.True(report.Verdict == Verdict.Verified, string.Join("\n", report.Checks));
        Assert.Contains("won, the provisional output", report["finality"].Detail, StringComparison.Ordinal);
        Assert.Contains("2 distinct re-executing operator(s) of the challenge round", report["quorum"].Detail, StringComparison.Ordinal);
        Assert.Contains("1 commitment(s) voted otherwise", report["quorum"].Detail, StringComparison.Ordinal);
        Assert.Contains("bit for bit", report["re-execution"].Detail, StringComparison.Ordinal);
        var bundle = await devnet.Reader().ReadAsync(request.Id);
        Assert.Equal(["fulfil", "reexecute", "reexecute"], bundle.Commitments.Select(c => c.Method));
        Assert.Equal(honest, bundle.EffectiveOutput);
        Assert.Equal(wrong, bundle.Settlement.Output);
    }
}
