using OpenGradient.Oracle.Cli.Commands.SampleDapp;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Cli.Tests;

/// <summary>The sample dApp's verdict must be able to say no: each way a settlement can be wrong is caught.</summary>
public sealed class SampleOutcomeTests
{
    private static readonly TensorSpec Spec = new(ElementType.Int32, 6, 0, 1_000_000, [1, 1]);
    private static readonly ManifestModel Model = new("credit-scorer", "credit-scorer.onnx", new byte[32], Spec, Spec, 0, "");

    private static SampleOutcome Outcome(FailureReason? expected, Settlement? settlement, InferenceResult? local = null, bool? callback = null) =>
        new(new SampleRequest("x", "credit-scorer", SampleRoute.Consumer, ["0"], expected), Model, Spec, Spec)
        {
            Settlement = settlement,
            Local = local,
            CallbackDelivered = callback,
        };

    private static Settlement Fulfilled(byte[] output) => new(1, true, output, new byte[32], null, new byte[32], 1, null, null, DateTimeOffset.UnixEpoch);

    private static Settlement Failed(FailureReason reason) => new(1, false, null, null, (ushort)reason, new byte[32], 1, null, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_good_request_fulfilled_with_the_local_output_and_a_callback_is_as_expected() =>
        Assert.Null(Outcome(null, Fulfilled([0, 0, 0, 7]), InferenceResult.Success([0, 0, 0, 7]), callback: true).Mismatch);

    [Fact]
    public void An_output_that_differs_from_the_local_run_is_caught() =>
        Assert.Equal("output differs from the local ONNX Runtime run", Outcome(null, Fulfilled([0, 0, 0, 7]), InferenceResult.Success([0, 0, 0, 8])).Mismatch);

    [Fact]
    public void A_good_request_that_failed_is_caught() =>
        Assert.Equal("failed with INFERENCE_ERROR", Outcome(null, Failed(FailureReason.InferenceError)).Mismatch);

    [Fact]
    public void A_bad_request_that_was_fulfilled_is_caught() =>
        Assert.Equal("fulfilled, expected INPUT_OUT_OF_RANGE", Outcome(FailureReason.InputOutOfRange, Fulfilled([0, 0, 0, 1])).Mismatch);

    [Fact]
    public void A_bad_request_that_failed_for_another_reason_is_caught() =>
        Assert.Equal("failed with INPUT_MALFORMED, expected INPUT_OUT_OF_RANGE", Outcome(FailureReason.InputOutOfRange, Failed(FailureReason.InputMalformed)).Mismatch);

    [Fact]
    public void A_missing_callback_is_caught() =>
        Assert.Equal("the dApp's callback did not run", Outcome(FailureReason.InputOutOfRange, Failed(FailureReason.InputOutOfRange), callback: false).Mismatch);

    [Fact]
    public void An_unsettled_request_is_not_as_expected() =>
        Assert.False(Outcome(null, null).AsExpected);

    [Fact]
    public void Failure_reasons_print_with_their_protocol_names()
    {
        Assert.Equal("INPUT_OUT_OF_RANGE", RequestRecords.ReasonName(3));
        Assert.Equal("RETRIES_EXHAUSTED", RequestRecords.ReasonName(10));
        Assert.Equal("UNKNOWN_99", RequestRecords.ReasonName(99));
    }
}
