// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceConsumer} from "../../contracts/interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "../../contracts/interfaces/IInferenceOracle.sol";
import {IInferenceOracleFinality} from "../../contracts/interfaces/IInferenceOracleFinality.sol";

/// @notice Test consumer with hostile behaviours: revert, burn all gas, re-enter the oracle, return a huge blob.
contract MockConsumer is IInferenceConsumer {
    enum Mode {
        Accept,
        Revert,
        BurnGas,
        Reenter,
        ReturnBomb
    }

    IInferenceOracle public immutable oracle;
    Mode public mode;
    bytes public reentryCall;
    bool public reentrySucceeded;
    bytes public reentryError;
    uint256 public calls;
    uint256 public lastRequestId;
    bytes public lastOutput;
    uint16 public lastReason;
    uint256 public gasAtEntry;

    event ResultReceived(uint256 requestId, bytes output);
    event FailureReceived(uint256 requestId, uint16 reason);

    constructor(IInferenceOracle oracle_) {
        oracle = oracle_;
    }

    receive() external payable {}

    function setMode(Mode mode_, bytes calldata reentryCall_) external {
        mode = mode_;
        reentryCall = reentryCall_;
    }

    function request(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint8 redundancy, uint64 deadline)
        external
        payable
        returns (uint256)
    {
        return oracle.requestInference{value: msg.value}(modelId, input, callbackGasLimit, redundancy, deadline);
    }

    function requestWithFinality(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint64 deadline)
        external
        payable
        returns (uint256)
    {
        return IInferenceOracleFinality(address(oracle)).requestInferenceWithFinality{value: msg.value}(
            modelId, input, callbackGasLimit, deadline
        );
    }

    function cancel(uint256 requestId, IInferenceOracle.Request calldata request_) external {
        oracle.cancel(requestId, request_);
    }

    function withdraw() external {
        oracle.withdraw();
    }

    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        gasAtEntry = gasleft();
        _behave();
        calls++;
        lastRequestId = requestId;
        lastOutput = output;
        emit ResultReceived(requestId, output);
    }

    function onInferenceFailed(uint256 requestId, uint16 reason) external {
        gasAtEntry = gasleft();
        _behave();
        calls++;
        lastRequestId = requestId;
        lastReason = reason;
        emit FailureReceived(requestId, reason);
    }

    function _behave() private {
        Mode m = mode;
        if (m == Mode.Revert) revert("MockConsumer: revert");
        if (m == Mode.BurnGas) {
            while (true) {}
        }
        if (m == Mode.Reenter) {
            (bool ok, bytes memory ret) = address(oracle).call{value: address(this).balance}(reentryCall);
            reentrySucceeded = ok;
            reentryError = ret;
        }
        if (m == Mode.ReturnBomb) {
            assembly {
                return(0, 100000)
            }
        }
    }
}
