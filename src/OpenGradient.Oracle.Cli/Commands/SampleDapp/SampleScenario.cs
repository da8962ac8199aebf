using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Cli.Commands.SampleDapp;

/// <summary>How a sample request reaches the oracle.</summary>
internal enum SampleRoute
{
    /// <summary>Through the example dApp, CreditScoreConsumer.requestScore (the oracle calls the dApp back).</summary>
    Consumer,

    /// <summary>Straight to InferenceOracle.requestInference from the user's account (no callback).</summary>
    Direct,
}

/// <summary>One request of the sample dApp run.</summary>
/// <param name="Model">The manifest name of the model asked.</param>
/// <param name="Input">Input elements in the model's real units (exact decimal text).</param>
/// <param name="ExpectedFailure">Null: it must be fulfilled. Otherwise the reason the node must report on-chain.</param>
internal sealed record SampleRequest(string Label, string Model, SampleRoute Route, string[] Input, FailureReason? ExpectedFailure = null);

/// <summary>
/// What the example dApp sends: three loan applicants scored through CreditScoreConsumer, one request for each of
/// the other bundled models, and one applicant whose income feature is outside the model's registered range
/// (±100.0), which the node must refuse on-chain with INPUT_OUT_OF_RANGE instead of computing on it.
/// </summary>
internal static class SampleScenario
{
    public const string CreditScorer = "credit-scorer";
    public const string RiskMlp = "risk-mlp";
    public const string Int8Classifier = "int8-classifier";

    // Credit features, z-score-like: income, debt-to-income, utilisation, years of history, late payments,
    // open accounts, recent inquiries, savings ratio.
    public static IReadOnlyList<SampleRequest> Requests { get; } =
    [
        new("applicant with steady income", CreditScorer, SampleRoute.Consumer,
            ["1.2", "-0.8", "-0.6", "1.5", "-0.5", "0.3", "-0.4", "1.1"]),
        new("average applicant", CreditScorer, SampleRoute.Consumer,
            ["0.1", "0.05", "0.2", "0", "-0.1", "0.4", "0.2", "0"]),
        new("over-indebted applicant", CreditScorer, SampleRoute.Consumer,
            ["-1.1", "1.4", "1.6", "-0.9", "2.0", "-0.3", "1.5", "-1.2"]),
        new("portfolio risk bucket", RiskMlp, SampleRoute.Direct,
            ["0.35", "-0.2", "1.1", "0.05", "-0.75", "0.6", "0", "0.9", "-1.3", "0.25", "0.4", "-0.1", "0.8", "-0.55", "0.15", "1.0"]),
        new("int8 class scores", Int8Classifier, SampleRoute.Direct,
            ["12", "-7", "33", "0", "5", "-64", "21", "9", "-3", "45", "-18", "7", "2", "-30", "11", "60"]),
        new("bad input: income 250 outside ±100", CreditScorer, SampleRoute.Consumer,
            ["250", "-0.8", "-0.6", "1.5", "-0.5", "0.3", "-0.4", "1.1"], FailureReason.InputOutOfRange),
    ];
}
