// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IInferenceConsumer
/// @notice Callbacks the oracle makes to a requester that has code, with at most the request's `callbackGasLimit` gas.
/// A callback that reverts or runs out of gas is reported by the oracle as `CallbackFailed`; settlement stands.
interface IInferenceConsumer {
    /// @notice The request settled with `output` (packed big-endian tensor bytes, docs/PROTOCOL.md).
    /// @param requestId The request.
    /// @param output The output tensor bytes.
    function onInferenceResult(uint256 requestId, bytes calldata output) external;

    /// @notice The request failed with `reason` (docs/PROTOCOL.md, "Failure reasons"); the fee was refunded.
    /// @param requestId The request.
    /// @param reason The failure reason code.
    function onInferenceFailed(uint256 requestId, uint16 reason) external;
}
