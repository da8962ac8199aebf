// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceOracle} from "../interfaces/IInferenceOracle.sol";
import {InferenceConsumer} from "../consumer/InferenceConsumer.sol";
import {TensorCodec} from "../consumer/TensorCodec.sol";

/// @title CreditScoreConsumer
/// @notice Example dApp: anyone asks for the credit score of their own features; the score is the first element of
/// the model's output tensor. Results and failures are stored; fees of failed or cancelled requests are refundable.
contract CreditScoreConsumer is InferenceConsumer {
    string public constant typeAndVersion = "CreditScoreConsumer 1.0.0";

    /// @notice Gas the oracle gives `onInferenceResult` / `onInferenceFailed`.
    uint32 public constant CALLBACK_GAS_LIMIT = 120_000;

    /// @notice The request is not one of this consumer's open requests.
    error CreditScoreConsumerUnknownRequest(uint256 requestId);
    /// @notice Only the subject of a request may cancel it.
    error CreditScoreConsumerNotSubject(uint256 requestId, address caller);
    /// @notice Nothing to refund.
    error CreditScoreConsumerNothingToRefund(address subject);
    /// @notice Paying a refund failed.
    error CreditScoreConsumerTransferFailed(address subject, uint256 amount);

    struct Score {
        int64 value;
        uint64 updatedAt;
        uint256 requestId;
    }

    struct _Open {
        address subject;
        uint96 fee;
    }

    event ScoreRequested(uint256 indexed requestId, address indexed subject, uint256 fee);
    event ScoreReceived(uint256 indexed requestId, address indexed subject, int256 score);
    event ScoreFailed(uint256 indexed requestId, address indexed subject, uint16 reason);
    event ScoreCancelled(uint256 indexed requestId, address indexed subject);
    event RefundClaimed(address indexed subject, uint256 amount);

    bytes32 private immutable _modelId;
    uint8 private immutable _inputType;
    uint8 private immutable _outputType;

    mapping(uint256 requestId => _Open) private _open;
    mapping(address subject => Score) private _scores;
    mapping(uint256 requestId => uint16) private _failures;
    mapping(address subject => uint256) private _refunds;

    constructor(IInferenceOracle oracle_, bytes32 modelId_, uint8 inputType_, uint8 outputType_) InferenceConsumer(oracle_) {
        TensorCodec.width(inputType_);
        TensorCodec.width(outputType_);
        _modelId = modelId_;
        _inputType = inputType_;
        _outputType = outputType_;
    }

    /// @notice Requests the caller's score; `msg.value` is the oracle fee.
    /// @param features The input tensor's elements, each fitting the model's input element type.
    /// @param redundancy Operators that must agree.
    /// @param deadline After it the request can be cancelled.
    function requestScore(int256[] calldata features, uint8 redundancy, uint64 deadline)
        external
        payable
        returns (uint256 requestId)
    {
        bytes memory input = TensorCodec.encode(features, _inputType);
        requestId = _requestInference(_modelId, input, CALLBACK_GAS_LIMIT, redundancy, deadline, msg.value);
        _open[requestId] = _Open({subject: msg.sender, fee: uint96(msg.value)});
        emit ScoreRequested(requestId, msg.sender, msg.value);
    }

    /// @notice Cancels an open request of the caller (after its deadline or once the model is revoked).
    function cancel(uint256 requestId, IInferenceOracle.Request calldata request) external {
        _Open memory open = _open[requestId];
        if (open.subject == address(0)) revert CreditScoreConsumerUnknownRequest(requestId);
        if (open.subject != msg.sender) revert CreditScoreConsumerNotSubject(requestId, msg.sender);
        delete _open[requestId];
        _refunds[open.subject] += open.fee;
        emit ScoreCancelled(requestId, open.subject);
        _cancelInference(requestId, request);
    }

    /// @notice Pays the caller the fees of its failed or cancelled requests.
    function claimRefund() external {
        uint256 amount = _refunds[msg.sender];
        if (amount == 0) revert CreditScoreConsumerNothingToRefund(msg.sender);
        delete _refunds[msg.sender];
        emit RefundClaimed(msg.sender, amount);
        if (address(this).balance < amount) _withdrawRefunds();
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert CreditScoreConsumerTransferFailed(msg.sender, amount);
    }

    /// @notice The latest score of `subject`.
    function scoreOf(address subject) external view returns (Score memory) {
        return _scores[subject];
    }

    /// @notice The failure reason of a request (0 if it did not fail).
    function failureOf(uint256 requestId) external view returns (uint16) {
        return _failures[requestId];
    }

    /// @notice Refundable wei of `subject`.
    function refundOf(address subject) external view returns (uint256) {
        return _refunds[subject];
    }

    /// @notice The model this consumer asks.
    function modelId() external view returns (bytes32) {
        return _modelId;
    }

    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        address subject = _open[requestId].subject;
        if (subject == address(0)) return; // cancelled meanwhile: cannot happen, the oracle settles once
        delete _open[requestId];
        int256 score = TensorCodec.atCalldata(output, _outputType, 0);
        _scores[subject] = Score({value: int64(score), updatedAt: uint64(block.timestamp), requestId: requestId});
        emit ScoreReceived(requestId, subject, score);
    }

    function _onInferenceFailed(uint256 requestId, uint16 reason) internal override {
        _Open memory open = _open[requestId];
        if (open.subject == address(0)) return;
        delete _open[requestId];
        _failures[requestId] = reason;
        _refunds[open.subject] += open.fee;
        emit ScoreFailed(requestId, open.subject, reason);
    }
}
