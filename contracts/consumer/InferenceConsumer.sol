// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {IInferenceOracleFinality} from "../interfaces/IInferenceOracleFinality.sol";

/// @title InferenceConsumer
/// @notice Base for dApps that request inferences: a request helper, oracle-only callbacks, refund handling.
/// Implement `_onInferenceResult` and `_onInferenceFailed`; keep them within the callback gas limit you request.
abstract contract InferenceConsumer is IInferenceConsumer {
    /// @notice A callback came from somebody other than the oracle.
    error InferenceConsumerOnlyOracle(address caller);

    IInferenceOracle private immutable _oracle;

    modifier onlyOracle() {
        if (msg.sender != address(_oracle)) revert InferenceConsumerOnlyOracle(msg.sender);
        _;
    }

    constructor(IInferenceOracle oracle_) {
        _oracle = oracle_;
    }

    /// @notice Receives refunds withdrawn from the oracle.
    receive() external payable virtual {}

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(uint256 requestId, bytes calldata output) external onlyOracle {
        _onInferenceResult(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceFailed(uint256 requestId, uint16 reason) external onlyOracle {
        _onInferenceFailed(requestId, reason);
    }

    /// @notice The oracle this consumer trusts.
    function oracle() public view returns (IInferenceOracle) {
        return _oracle;
    }

    /// @dev Requests an inference paying `fee` wei from this contract's balance.
    function _requestInference(
        bytes32 modelId,
        bytes memory input,
        uint32 callbackGasLimit,
        uint8 redundancy,
        uint64 deadline,
        uint256 fee
    ) internal returns (uint256 requestId) {
        return _oracle.requestInference{value: fee}(modelId, input, callbackGasLimit, redundancy, deadline);
    }

    /// @dev Requests an inference (redundancy 1) that opts into the oracle's challenge window: the result arrives in
    /// `_onInferenceResult` only once it is final (after the window, or corrected by a dispute), never provisionally.
    function _requestInferenceWithFinality(
        bytes32 modelId,
        bytes memory input,
        uint32 callbackGasLimit,
        uint64 deadline,
        uint256 fee
    ) internal returns (uint256 requestId) {
        return IInferenceOracleFinality(address(_oracle)).requestInferenceWithFinality{value: fee}(
            modelId, input, callbackGasLimit, deadline
        );
    }

    /// @dev Cancels a request of this contract (after its deadline or once the model is revoked).
    function _cancelInference(uint256 requestId, IInferenceOracle.Request calldata request) internal {
        _oracle.cancel(requestId, request);
    }

    /// @dev Withdraws refunds credited to this contract by the oracle.
    function _withdrawRefunds() internal {
        _oracle.withdraw();
    }

    /// @dev Called with the output tensor bytes of a settled request.
    function _onInferenceResult(uint256 requestId, bytes calldata output) internal virtual;

    /// @dev Called when a request failed; its fee was refunded to this contract's oracle balance.
    function _onInferenceFailed(uint256 requestId, uint16 reason) internal virtual;
}
