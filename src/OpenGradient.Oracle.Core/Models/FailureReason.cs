namespace OpenGradient.Oracle.Core.Models;

/// <summary>Why a request could not be served. Codes are reported on-chain and match Solidity <c>FailureReasons</c>.</summary>
public enum FailureReason : ushort
{
    InputMalformed = 1,
    InputShapeMismatch = 2,
    InputOutOfRange = 3,
    ModelUnknown = 4,
    ModelRevoked = 5,
    ModelFileUnavailable = 6,
    ModelHashMismatch = 7,
    InferenceError = 8,
    OutputNotFinite = 9,
    RetriesExhausted = 10,
}
