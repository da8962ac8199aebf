using System.Diagnostics.CodeAnalysis;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Core.Inference;

/// <summary>Why an inference could not produce an output. <see cref="Reason"/> is what gets reported on-chain.</summary>
public record InferenceFailure(FailureReason Reason, string Detail)
{
    public override string ToString() => $"{Reason}: {Detail}";
}

/// <summary>A file was found for the model but its keccak256 is not the model id. Hashes are 0x-hex.</summary>
public sealed record ModelHashMismatch(string ExpectedHash, string ActualHash, string Source)
    : InferenceFailure(FailureReason.ModelHashMismatch,
        $"file {Source} hashes to {ActualHash}, not the model id {ExpectedHash}");

/// <summary>Either the output tensor bytes or a failure.</summary>
public sealed class InferenceResult
{
    private InferenceResult(byte[]? output, InferenceFailure? failure)
    {
        Output = output;
        Failure = failure;
    }

    /// <summary>Output tensor bytes in the wire format of the registered output spec; null on failure.</summary>
    public byte[]? Output { get; }

    public InferenceFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Output))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsSuccess => Output is not null;

    public static InferenceResult Success(byte[] output) =>
        new(output ?? throw new ArgumentNullException(nameof(output)), null);

    public static InferenceResult Failed(InferenceFailure failure) =>
        new(null, failure ?? throw new ArgumentNullException(nameof(failure)));

    public static InferenceResult Failed(FailureReason reason, string detail) => new(null, new InferenceFailure(reason, detail));

    public override string ToString() => IsSuccess ? $"Success({Output.Length} bytes)" : $"Failed({Failure})";
}
