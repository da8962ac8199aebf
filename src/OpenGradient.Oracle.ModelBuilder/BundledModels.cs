using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.ModelBuilder.Onnx;
using static OpenGradient.Oracle.ModelBuilder.OnnxGraphBuilder;
using DataType = OpenGradient.Oracle.ModelBuilder.Onnx.TensorProto.Types.DataType;

namespace OpenGradient.Oracle.ModelBuilder;

/// <summary>A model shipped in <c>models/</c>: its file, what it does, its on-chain specs and a suggested fee.</summary>
internal sealed record BundledModel(
    string FileName, string Description, TensorSpec Input, TensorSpec Output, UInt128 FeeWei, Func<byte[]> Build);

/// <summary>
/// The three demo models and their weights. Weights are hand-picked (credit scorer) or drawn from a seeded
/// generator (the others); tests recompute each model's math from these very arrays.
/// </summary>
internal static class BundledModels
{
    // ---- credit-scorer: logistic regression over 8 normalised features -------------------------------------
    // Features (each a z-score-like value, on-chain with 4 decimals): income, debt-to-income, credit utilisation,
    // years of history, late payments, open accounts, recent inquiries, savings ratio.
    public static readonly float[] CreditWeights = [0.75f, -1.5f, -1.25f, 0.375f, -0.875f, 0.125f, -0.5f, 1.0f];
    public static readonly float[] CreditBias = [0.25f];

    // ---- risk-mlp: 16 → 16 (Relu) → 8 → Softmax ---------------------------------------------------------------
    public static readonly float[] RiskW1; // [16, 16], row-major (in, out)
    public static readonly float[] RiskB1; // [16]
    public static readonly float[] RiskW2; // [16, 8]
    public static readonly float[] RiskB2; // [8]

    // ---- int8-classifier: int8 [1,16] × int8 [16,4] → int32, + int32 bias ---------------------------------
    public static readonly sbyte[] Int8Weights; // [16, 4]
    public static readonly int[] Int8Bias = [120, -40, 0, 64];

    static BundledModels()
    {
        var risk = new SeededWeights(0x5249534B4D4C5031UL); // "RISKMLP1"
        RiskW1 = risk.Floats(16 * 16, 0.5f);
        RiskB1 = risk.Floats(16, 0.125f);
        RiskW2 = risk.Floats(16 * 8, 0.5f);
        RiskB2 = risk.Floats(8, 0.125f);

        var int8 = new SeededWeights(0x494E5438434C5331UL); // "INT8CLS1"
        Int8Weights = int8.SBytes(16 * 4, -64, 64);
    }

    public static readonly BundledModel CreditScorer = new(
        "credit-scorer.onnx",
        "Logistic-regression credit score: 8 normalised applicant features (income, debt-to-income, utilisation, " +
        "history length, late payments, open accounts, recent inquiries, savings) -> probability of repayment.",
        new TensorSpec(ElementType.Int32, 4, -1_000_000, 1_000_000, [1, 8]),
        new TensorSpec(ElementType.Int32, 6, 0, 1_000_000, [1, 1]),
        100_000_000_000_000, // 0.0001 ETH
        BuildCreditScorer);

    public static readonly BundledModel RiskMlp = new(
        "risk-mlp.onnx",
        "Two-layer MLP (16 -> 16 Relu -> 8, Softmax): 16 normalised position/market features -> probabilities of " +
        "8 risk buckets.",
        new TensorSpec(ElementType.Int32, 4, -1_000_000, 1_000_000, [1, 16]),
        new TensorSpec(ElementType.Int32, 6, 0, 1_000_000, [1, 8]),
        200_000_000_000_000, // 0.0002 ETH
        BuildRiskMlp);

    public static readonly BundledModel Int8Classifier = new(
        "int8-classifier.onnx",
        "Integer-only linear classifier: int8 [1,16] features x int8 weights (MatMulInteger) + int32 bias -> " +
        "int32 [1,4] class scores. Exact on every machine.",
        new TensorSpec(ElementType.Int8, 0, -128, 127, [1, 16]),
        new TensorSpec(ElementType.Int32, 0, -1_000_000, 1_000_000, [1, 4]),
        50_000_000_000_000, // 0.00005 ETH
        BuildInt8Classifier);

    public static IReadOnlyList<BundledModel> All { get; } = [CreditScorer, RiskMlp, Int8Classifier];

    private static byte[] BuildCreditScorer() =>
        new OnnxGraphBuilder("credit_scorer")
            .Input("features", DataType.Float, 1, 8)
            .Output("score", DataType.Float, 1, 1)
            .Initializer("W", CreditWeights, 8, 1)
            .Initializer("b", CreditBias, 1)
            .Node("Gemm", "linear", ["features", "W", "b"], ["logit"])
            .Node("Sigmoid", "sigmoid", ["logit"], ["score"])
            .Build("OpenGradient.Oracle credit-scorer v1: sigmoid(x·W + b)");

    private static byte[] BuildRiskMlp() =>
        new OnnxGraphBuilder("risk_mlp")
            .Input("features", DataType.Float, 1, 16)
            .Output("probabilities", DataType.Float, 1, 8)
            .Initializer("W1", RiskW1, 16, 16)
            .Initializer("b1", RiskB1, 16)
            .Initializer("W2", RiskW2, 16, 8)
            .Initializer("b2", RiskB2, 8)
            .Node("Gemm", "hidden", ["features", "W1", "b1"], ["h"])
            .Node("Relu", "relu", ["h"], ["h_relu"])
            .Node("Gemm", "head", ["h_relu", "W2", "b2"], ["logits"])
            .Node("Softmax", "softmax", ["logits"], ["probabilities"], IntAttribute("axis", -1))
            .Build("OpenGradient.Oracle risk-mlp v1: softmax(relu(x·W1 + b1)·W2 + b2)");

    private static byte[] BuildInt8Classifier() =>
        new OnnxGraphBuilder("int8_classifier")
            .Input("features", DataType.Int8, 1, 16)
            .Output("scores", DataType.Int32, 1, 4)
            .Initializer("W", Int8Weights, 16, 4)
            .Initializer("bias", Int8Bias, 4)
            .Node("MatMulInteger", "matmul", ["features", "W"], ["acc"])
            .Node("Add", "add_bias", ["acc", "bias"], ["scores"])
            .Build("OpenGradient.Oracle int8-classifier v1: MatMulInteger(x, W) + bias, zero points 0");
}
