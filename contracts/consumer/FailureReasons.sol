// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FailureReasons
/// @notice Failure reason codes of docs/PROTOCOL.md; identical to the C# `FailureReason` enum.
library FailureReasons {
    uint16 internal constant INPUT_MALFORMED = 1;
    uint16 internal constant INPUT_SHAPE_MISMATCH = 2;
    uint16 internal constant INPUT_OUT_OF_RANGE = 3;
    uint16 internal constant MODEL_UNKNOWN = 4;
    uint16 internal constant MODEL_REVOKED = 5;
    uint16 internal constant MODEL_FILE_UNAVAILABLE = 6;
    uint16 internal constant MODEL_HASH_MISMATCH = 7;
    uint16 internal constant INFERENCE_ERROR = 8;
    uint16 internal constant OUTPUT_NOT_FINITE = 9;
    uint16 internal constant RETRIES_EXHAUSTED = 10;

    /// @notice The largest defined code; valid codes are 1..MAX.
    uint16 internal constant MAX = 10;

    /// @notice Whether `reason` is a defined code.
    function isValid(uint16 reason) internal pure returns (bool) {
        return reason != 0 && reason <= MAX;
    }
}
