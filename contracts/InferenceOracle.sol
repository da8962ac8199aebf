// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "./interfaces/IInferenceOracle.sol";
import {IInferenceOracleFinality} from "./interfaces/IInferenceOracleFinality.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {FailureReasons} from "./consumer/FailureReasons.sol";

/// @title InferenceOracle
/// @notice Verifier and escrow for AI inference requests (docs/PROTOCOL.md).
/// @dev A pending request takes one storage slot: `keccak256(abi.encode(request))`. Once it is final the slot holds
/// the final `Status` as a small integer instead, so a request settles at most once. Requests with redundancy k > 1
/// additionally record each operator's vote until k operators agree. Requests made through
/// `requestInferenceWithFinality` store their hash XOR `_FINALITY_TAG` (so the Request struct and its hash stay the
/// same, and requests that did not opt in pay no extra storage read) and go through the challenge window.
contract InferenceOracle is IInferenceOracleFinality, EIP712, ReentrancyGuardTransient {
    string public constant typeAndVersion = "InferenceOracle 1.0.0";

    bytes32 public constant COMMITMENT_TYPEHASH =
        keccak256("Commitment(uint256 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 runtime)");
    bytes32 public constant FAILURE_REPORT_TYPEHASH =
        keccak256("FailureReport(uint256 requestId,bytes32 modelId,bytes32 inputHash,uint16 reason,bytes32 runtime)");

    uint8 public constant MAX_REDUNDANCY = 7;
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 2_500_000;
    uint64 public constant MAX_DEADLINE_WINDOW = 30 days;
    /// @notice Commitments a request can hold before it settles (2 × MAX_REDUNDANCY + 1).
    uint256 public constant MAX_COMMITMENTS = 15;
    /// @notice A losing quorum commitment costs its operator `minStake / SLASH_DIVISOR`.
    uint256 public constant SLASH_DIVISOR = 10;

    /// @notice How long an opted-in provisional result can be challenged.
    uint64 public constant CHALLENGE_WINDOW = 1 hours;
    /// @notice How long a dispute's re-execution round stays open before the timeout rule applies.
    uint64 public constant REEXECUTION_WINDOW = 1 hours;
    /// @notice k': re-executing operators a dispute asks for; the round is decided by a majority of them.
    uint256 public constant CHALLENGE_REEXECUTORS = 3;
    /// @notice Agreeing re-execution commitments that decide a dispute (a majority of CHALLENGE_REEXECUTORS).
    uint256 public constant CHALLENGE_QUORUM = CHALLENGE_REEXECUTORS / 2 + 1;
    /// @notice Re-execution commitments a round can hold (2k' - 1); more are refused and the round waits for its timeout.
    uint256 public constant MAX_REEXECUTIONS = 2 * CHALLENGE_REEXECUTORS - 1;
    /// @notice The challenge bond is `minStake / CHALLENGE_BOND_DIVISOR`.
    uint256 public constant CHALLENGE_BOND_DIVISOR = 10;
    /// @notice An original operator whose result a dispute overturns is slashed `minStake / CHALLENGE_SLASH_DIVISOR`.
    uint256 public constant CHALLENGE_SLASH_DIVISOR = 5;

    /// @dev XORed into the stored hash of a request that opted into finality. Any constant that no request hash
    /// plausibly collides with works; this one is domain-separated.
    bytes32 private constant _FINALITY_TAG = keccak256("OpenGradient.Oracle.finality-request.v1");

    /// @dev Packed batches (`fulfilBatchPacked`): the runtime header, then per item the fixed part (requestId and the
    /// request's fields, unpadded) before the output, and the signature after it.
    uint256 private constant _PACKED_HEADER = 32;
    uint256 private constant _PACKED_ITEM_FIXED = 8 + 20 + 12 + 32 + 32 + 8 + 4 + 4 + 1;
    uint256 private constant _SIGNATURE_BYTES = 65;

    /// @dev Gas kept between the exact-gas check and the CALL opcode (Chainlink's GAS_FOR_CALL_EXACT_CHECK).
    uint256 private constant _GAS_FOR_CALL_EXACT_CHECK = 5_000;
    /// @dev Gas a settlement needs besides the callback itself, per agreeing operator and per output byte.
    uint256 private constant _SETTLE_GAS_BASE = 40_000;
    uint256 private constant _SETTLE_GAS_PER_OPERATOR = 30_000;
    uint256 private constant _SETTLE_GAS_PER_DISSENTER = 60_000;
    uint256 private constant _SETTLE_GAS_PER_BYTE = 16;

    IModelRegistry private immutable _models;
    IOperatorRegistry private immutable _operators;

    uint256 private _nextRequestId = 1;
    /// @dev requestId => keccak256(abi.encode(Request)) while pending, else uint256(Status).
    mapping(uint256 requestId => bytes32) private _requests;
    mapping(address account => uint256) private _balances;
    /// @dev Quorum bookkeeping, only for redundancy > 1.
    mapping(uint256 requestId => address[]) private _voters;
    mapping(uint256 requestId => mapping(address operator => bytes32)) private _votes;
    mapping(uint256 requestId => mapping(bytes32 vote => uint256)) private _tally;
    /// @dev Opted-in requests from their provisional result on. A dispute round reuses the quorum bookkeeping above
    /// (an opted-in request has redundancy 1, so it is otherwise empty).
    mapping(uint256 requestId => FinalityRecord) private _finality;

    /// @dev One result as `_fulfil` takes it, whichever encoding carried it. `output` and `signature` stay in calldata
    /// (offset and length); a batch fills one Item again for every result, so a batch's memory does not grow with it.
    struct Item {
        uint256 requestId;
        bytes32 runtime;
        uint256 outputOffset;
        uint256 outputLength;
        uint256 signatureOffset;
        uint256 signatureLength;
        Request request;
    }

    constructor(IModelRegistry models, IOperatorRegistry operators) EIP712("OpenGradient InferenceOracle", "1") {
        _models = models;
        _operators = operators;
    }

    /// @notice Accepts slashing proceeds from the operator registry only.
    receive() external payable {
        if (msg.sender != address(_operators)) revert InferenceOracleUnexpectedEther(msg.sender);
    }

    // ------------------------------------------------------------------ requests

    /// @inheritdoc IInferenceOracle
    function requestInference(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint8 redundancy, uint64 deadline)
        external
        payable
        returns (uint256 requestId)
    {
        Request memory request = _newRequest(modelId, input, callbackGasLimit, redundancy, deadline);
        requestId = _nextRequestId++;
        _requests[requestId] = keccak256(abi.encode(request));
        emit InferenceRequested(requestId, modelId, msg.sender, request, input);
    }

    /// @inheritdoc IInferenceOracle
    function cancel(uint256 requestId, Request calldata pending) external nonReentrant {
        Request memory request = pending;
        (bytes memory err,) = _checkPending(requestId, request);
        if (err.length != 0) _revert(err);
        if (msg.sender != request.requester) revert InferenceOracleNotRequester(requestId, msg.sender);
        if (block.timestamp <= request.deadline) {
            (bool active,,,) = _models.modelTerms(request.modelId);
            if (active) revert InferenceOracleNotCancellable(requestId, request.deadline);
        }
        _requests[requestId] = bytes32(uint256(Status.Cancelled));
        emit InferenceCancelled(requestId);
        _credit(request.requester, requestId, request.fee);
    }

    // ------------------------------------------------------------------ results

    /// @inheritdoc IInferenceOracle
    function fulfil(Fulfilment calldata fulfilment) external nonReentrant {
        Item memory item;
        _load(item, fulfilment);
        _fulfil(item, true, address(0));
    }

    /// @inheritdoc IInferenceOracle
    /// @dev A batch usually carries one operator's results: once the registry has said that operator is active, the
    /// next items skip asking again, for as long as nothing the batch does could have changed the answer (see
    /// `_fulfil`).
    function fulfilBatch(Fulfilment[] calldata fulfilments) external nonReentrant {
        Item memory item;
        address knownActive;
        for (uint256 i; i < fulfilments.length; ++i) {
            _load(item, fulfilments[i]);
            knownActive = _fulfil(item, false, knownActive);
        }
    }

    /// @inheritdoc IInferenceOracle
    /// @dev Same per-item path as `fulfilBatch` (see there); only the decoding differs.
    function fulfilBatchPacked(bytes calldata batch) external nonReentrant {
        if (batch.length < _PACKED_HEADER) revert InferenceOracleMalformedBatch(0);
        Item memory item;
        item.runtime = bytes32(batch[:_PACKED_HEADER]);
        address knownActive;
        uint256 at = _PACKED_HEADER;
        while (at < batch.length) {
            at = _unpack(item, batch, at);
            knownActive = _fulfil(item, false, knownActive);
        }
    }

    /// @inheritdoc IInferenceOracle
    function reportFailure(FailureReport calldata report) external nonReentrant {
        if (!FailureReasons.isValid(report.reason)) revert InferenceOracleInvalidReason(report.requestId, report.reason);
        Request memory request = report.request;
        bytes32 vote = keccak256(abi.encode("failure", report.reason));
        bytes32 digest = _failureDigest(report.requestId, request.modelId, request.inputHash, report.reason, report.runtime);
        (address operator, bool settles, bool finalityRequested, bytes memory err) =
            _verify(report.requestId, request, vote, digest, report.signature, 0, address(0));
        if (err.length != 0) _revert(err);
        // An opted-in request that fails settles at once, like any other (refund + callback); `_verify` skipped the
        // callback gas check because it assumed a provisional result.
        if (finalityRequested && _wantsCallback(request)) {
            err = _checkSettleGas(report.requestId, request.callbackGasLimit, 1, 0);
            if (err.length != 0) _revert(err);
        }
        (address[] memory agreeing, address[] memory dissenting) =
            _record(report.requestId, request.redundancy, operator, vote, report.runtime, settles);
        if (settles) _settleFailure(report.requestId, request, report.reason, agreeing, dissenting);
    }

    /// @inheritdoc IInferenceOracle
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert InferenceOracleNothingToWithdraw(msg.sender);
        delete _balances[msg.sender];
        emit Withdrawn(msg.sender, amount);
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert InferenceOracleTransferFailed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ challenge window (opt-in)

    /// @inheritdoc IInferenceOracleFinality
    function requestInferenceWithFinality(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint64 deadline)
        external
        payable
        returns (uint256 requestId)
    {
        Request memory request = _newRequest(modelId, input, callbackGasLimit, 1, deadline);
        requestId = _nextRequestId++;
        _requests[requestId] = keccak256(abi.encode(request)) ^ _FINALITY_TAG;
        emit InferenceRequested(requestId, modelId, msg.sender, request, input);
        emit FinalityRequested(requestId, CHALLENGE_WINDOW);
    }

    /// @inheritdoc IInferenceOracleFinality
    function challenge(uint256 requestId, bytes32 claimedOutputHash) external payable nonReentrant {
        FinalityRecord storage record = _finality[requestId];
        FinalityStage stage = record.stage;
        if (stage != FinalityStage.Provisional) revert InferenceOracleWrongFinalityStage(requestId, stage);
        uint64 windowEnd = record.deadline;
        if (block.timestamp >= windowEnd) revert InferenceOracleChallengeWindowClosed(requestId, windowEnd);
        if (claimedOutputHash == bytes32(0) || claimedOutputHash == record.outputHash) {
            revert InferenceOracleClaimNotDifferent(requestId, claimedOutputHash);
        }
        uint256 bond = _challengeBond();
        if (msg.value != bond) revert InferenceOracleWrongBond(msg.value, bond);
        uint64 roundEnd = uint64(block.timestamp) + REEXECUTION_WINDOW;
        record.stage = FinalityStage.Challenged;
        record.deadline = roundEnd;
        record.challenger = msg.sender;
        record.bond = SafeCast.toUint96(bond);
        record.claimedOutputHash = claimedOutputHash;
        emit ResultChallenged(requestId, msg.sender, claimedOutputHash, bond, roundEnd);
    }

    /// @inheritdoc IInferenceOracleFinality
    function reexecute(Fulfilment calldata fulfilment) external nonReentrant {
        uint256 requestId = fulfilment.requestId;
        FinalityRecord storage record = _finality[requestId];
        FinalityStage stage = record.stage;
        if (stage != FinalityStage.Challenged) revert InferenceOracleWrongFinalityStage(requestId, stage);
        if (block.timestamp >= record.deadline) revert InferenceOracleReexecutionClosed(requestId, record.deadline);
        Request memory request = fulfilment.request;
        if (_hashRequest(request) != record.requestHash) revert InferenceOracleRequestMismatch(requestId);
        if (fulfilment.output.length != request.outputBytes) {
            revert InferenceOracleOutputLengthMismatch(requestId, request.outputBytes, fulfilment.output.length);
        }
        bytes32 outputHash = keccak256(fulfilment.output);
        bytes32 digest = _commitmentDigest(requestId, request.modelId, request.inputHash, outputHash, fulfilment.runtime);
        (address operator, bytes memory err) = _recoverOperator(requestId, digest, fulfilment.signature, address(0));
        if (err.length != 0) _revert(err);
        if (operator == record.operator || operator == record.challenger) {
            revert InferenceOracleIneligibleReexecutor(requestId, operator);
        }
        bool resolves;
        (resolves, err) = _checkVote(requestId, CHALLENGE_QUORUM, operator, outputHash);
        if (err.length != 0) _revert(err);
        if (_voters[requestId].length >= MAX_REEXECUTIONS) revert InferenceOracleTooManyCommitments(requestId);
        _voters[requestId].push(operator);
        _votes[requestId][operator] = outputHash;
        ++_tally[requestId][outputHash];
        emit ReexecutionRecorded(requestId, operator, outputHash, fulfilment.runtime);
        if (resolves) _resolveChallenge(record, requestId, request, fulfilment.output, outputHash);
    }

    /// @inheritdoc IInferenceOracleFinality
    function finalize(uint256 requestId, Request calldata settled, bytes calldata output) external nonReentrant {
        Request memory request = settled;
        FinalityRecord storage record = _finality[requestId];
        FinalityStage stage = record.stage;
        if (stage != FinalityStage.Provisional && stage != FinalityStage.Challenged) {
            revert InferenceOracleWrongFinalityStage(requestId, stage);
        }
        if (block.timestamp < record.deadline) revert InferenceOracleNotFinalizable(requestId, record.deadline);
        if (_hashRequest(request) != record.requestHash) revert InferenceOracleRequestMismatch(requestId);
        bytes32 outputHash = keccak256(output);
        if (outputHash != record.outputHash) revert InferenceOracleOutputMismatch(requestId, record.outputHash, outputHash);
        record.stage = FinalityStage.Final;
        if (stage == FinalityStage.Challenged) {
            // Timeout rule: no majority within the round. The provisional result stands and the challenger gets the
            // bond back; re-executors that committed are neither paid nor slashed.
            emit ChallengeTimedOut(requestId);
            _credit(record.challenger, requestId, record.bond);
        }
        _credit(record.operator, requestId, request.fee);
        _deliverFinal(requestId, request, outputHash, output);
    }

    /// @inheritdoc IInferenceOracleFinality
    function finality(uint256 requestId) external view returns (FinalityRecord memory) {
        return _finality[requestId];
    }

    /// @inheritdoc IInferenceOracleFinality
    function challengeBond() external view returns (uint256) {
        return _challengeBond();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IInferenceOracle
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IInferenceOracle
    function requestStatus(uint256 requestId) external view returns (Status) {
        uint256 stored = uint256(_requests[requestId]);
        if (stored == 0) return Status.None;
        if (stored <= uint256(type(Status).max)) return Status(stored);
        return Status.Pending;
    }

    /// @inheritdoc IInferenceOracle
    function requestHash(Request calldata request) external pure returns (bytes32) {
        return _hashRequest(request);
    }

    /// @inheritdoc IInferenceOracle
    function commitmentDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, bytes32 outputHash, bytes32 runtime)
        external
        view
        returns (bytes32)
    {
        return _commitmentDigest(requestId, modelId, inputHash, outputHash, runtime);
    }

    /// @inheritdoc IInferenceOracle
    function failureDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, uint16 reason, bytes32 runtime)
        external
        view
        returns (bytes32)
    {
        return _failureDigest(requestId, modelId, inputHash, reason, runtime);
    }

    /// @inheritdoc IInferenceOracle
    function commitments(uint256 requestId) external view returns (address[] memory operators, bytes32[] memory votes) {
        operators = _voters[requestId];
        votes = new bytes32[](operators.length);
        for (uint256 i; i < operators.length; ++i) {
            votes[i] = _votes[requestId][operators[i]];
        }
    }

    /// @inheritdoc IInferenceOracle
    function nextRequestId() external view returns (uint256) {
        return _nextRequestId;
    }

    /// @inheritdoc IInferenceOracle
    function modelRegistry() external view returns (IModelRegistry) {
        return _models;
    }

    /// @inheritdoc IInferenceOracle
    function operatorRegistry() external view returns (IOperatorRegistry) {
        return _operators;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Validates a request against the model's terms and the oracle's limits and builds it.
    function _newRequest(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint8 redundancy, uint64 deadline)
        private
        view
        returns (Request memory request)
    {
        (bool active, uint96 fee, uint32 inputBytes, uint32 outputBytes) = _models.modelTerms(modelId);
        if (!active) revert InferenceOracleModelInactive(modelId);
        if (input.length != inputBytes) revert InferenceOracleInputLengthMismatch(modelId, inputBytes, input.length);
        if (redundancy == 0 || redundancy > MAX_REDUNDANCY) revert InferenceOracleInvalidRedundancy(redundancy);
        if (callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert InferenceOracleCallbackGasLimitTooHigh(callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        if (deadline <= block.timestamp || deadline > block.timestamp + MAX_DEADLINE_WINDOW) {
            revert InferenceOracleInvalidDeadline(deadline);
        }
        uint256 required = uint256(fee) * redundancy;
        if (msg.value < required) revert InferenceOracleInsufficientFee(msg.value, required);
        if (msg.value > type(uint96).max) revert InferenceOracleFeeTooLarge(msg.value);
        request = Request({
            requester: msg.sender,
            fee: uint96(msg.value),
            modelId: modelId,
            inputHash: keccak256(input),
            deadline: deadline,
            callbackGasLimit: callbackGasLimit,
            outputBytes: outputBytes,
            redundancy: redundancy
        });
    }

    /// @dev One result; `strict` reverts on a bad item, otherwise it is skipped with {FulfilmentRejected}.
    /// `knownActive` is an operator the registry found active earlier in this call, with no external call since but
    /// the registry's view (zero: none). Returns the one for the next item: this item's operator once verified, or
    /// zero after a settlement that called out (a callback, a slash), which could change what the registry says.
    function _fulfil(Item memory item, bool strict, address knownActive) private returns (address) {
        uint256 outputBytes = item.request.outputBytes;
        if (item.outputLength != outputBytes) {
            _reject(
                strict,
                item.requestId,
                abi.encodeWithSelector(
                    InferenceOracleOutputLengthMismatch.selector, item.requestId, outputBytes, item.outputLength
                )
            );
            return knownActive;
        }
        bytes32 outputHash = keccak256(_output(item));
        (address operator, bool settles, bool finalityRequested, bytes memory err) =
            _verifyFulfilment(item, outputHash, knownActive);
        if (err.length != 0) {
            _reject(strict, item.requestId, err);
            return knownActive;
        }
        (address[] memory agreeing, address[] memory dissenting) = _record(item, operator, outputHash, settles);
        if (settles) {
            if (finalityRequested) {
                _settleProvisional(item, outputHash, operator);
            } else if (_settleFulfilment(item, outputHash, agreeing, dissenting)) {
                return address(0);
            }
        }
        return operator;
    }

    /// @dev `_record` for a result.
    function _record(Item memory item, address operator, bytes32 outputHash, bool settles)
        private
        returns (address[] memory agreeing, address[] memory dissenting)
    {
        return _record(item.requestId, item.request.redundancy, operator, outputHash, item.runtime, settles);
    }

    /// @dev `_verify` for a result.
    function _verifyFulfilment(Item memory item, bytes32 outputHash, address knownActive)
        private
        view
        returns (address operator, bool settles, bool finalityRequested, bytes memory err)
    {
        return _verify(
            item.requestId,
            item.request,
            outputHash,
            _commitmentDigest(item, outputHash),
            _signature(item),
            item.outputLength * _SETTLE_GAS_PER_BYTE,
            knownActive
        );
    }

    /// @dev `_commitmentDigest` for a result.
    function _commitmentDigest(Item memory item, bytes32 outputHash) private view returns (bytes32) {
        Request memory request = item.request;
        return _commitmentDigest(item.requestId, request.modelId, request.inputHash, outputHash, item.runtime);
    }

    /// @dev Settles a request with a result: fee split among the agreeing operators, dissenters penalised, event,
    /// callback. Returns whether it called out (a slash or a callback).
    function _settleFulfilment(Item memory item, bytes32 outputHash, address[] memory agreeing, address[] memory dissenting)
        private
        returns (bool calledOut)
    {
        uint256 requestId = item.requestId;
        Request memory request = item.request;
        _requests[requestId] = bytes32(uint256(Status.Fulfilled));
        emit InferenceFulfilled(requestId, outputHash, _output(item));
        _creditSplit(agreeing, requestId, request.fee);
        if (dissenting.length != 0) {
            _penalize(requestId, request.requester, agreeing, dissenting);
            calledOut = true;
        }
        if (_wantsCallback(request)) {
            _callback(requestId, request, abi.encodeCall(IInferenceConsumer.onInferenceResult, (requestId, _output(item))));
            calledOut = true;
        }
    }

    /// @dev Provisional settlement of an opted-in request: final status for the request slot (so it settles once, as
    /// any other), the finality record, the events; the fee stays escrowed and nobody is called back yet.
    function _settleProvisional(Item memory item, bytes32 outputHash, address operator) private {
        uint256 requestId = item.requestId;
        uint64 windowEnd = uint64(block.timestamp) + CHALLENGE_WINDOW;
        _requests[requestId] = bytes32(uint256(Status.Fulfilled));
        FinalityRecord storage record = _finality[requestId];
        record.requestHash = _hashRequest(item.request);
        record.outputHash = outputHash;
        record.operator = operator;
        record.deadline = windowEnd;
        record.stage = FinalityStage.Provisional;
        emit InferenceFulfilled(requestId, outputHash, _output(item));
        emit ResultProvisional(requestId, operator, outputHash, windowEnd);
    }

    /// @dev Fills `item` from an ABI-encoded Fulfilment. The request's words are copied as they are, into the Item's
    /// own struct (a batch allocates nothing per item): a request with dirty padding hashes differently and is rejected
    /// as a mismatch, as any other request that is not the stored one.
    function _load(Item memory item, Fulfilment calldata fulfilment) private pure {
        item.requestId = fulfilment.requestId;
        item.runtime = fulfilment.runtime;
        Request memory request = item.request;
        bytes calldata output = fulfilment.output;
        bytes calldata signature = fulfilment.signature;
        uint256 outputOffset;
        uint256 signatureOffset;
        assembly ("memory-safe") {
            // A Fulfilment's head: requestId, then the static Request struct (8 words).
            calldatacopy(request, add(fulfilment, 0x20), 0x100)
            outputOffset := output.offset
            signatureOffset := signature.offset
        }
        item.outputOffset = outputOffset;
        item.outputLength = output.length;
        item.signatureOffset = signatureOffset;
        item.signatureLength = signature.length;
    }

    /// @dev Fills `item` (its runtime already set) from the packed item at byte `at` of `batch` and returns where the
    /// next one starts; reverts with {InferenceOracleMalformedBatch} if the batch ends inside it.
    function _unpack(Item memory item, bytes calldata batch, uint256 at) private pure returns (uint256 next) {
        if (batch.length - at < _PACKED_ITEM_FIXED) revert InferenceOracleMalformedBatch(at);
        Request memory request = item.request;
        uint256 p;
        assembly ("memory-safe") {
            p := add(batch.offset, at)
        }
        uint256 outputBytes;
        // Each field is read as the top bytes of a 32-byte word and shifted down, so it is clean by construction.
        assembly ("memory-safe") {
            mstore(item, shr(192, calldataload(p)))
            mstore(request, shr(96, calldataload(add(p, 8))))
            mstore(add(request, 0x20), shr(160, calldataload(add(p, 28))))
            mstore(add(request, 0x40), calldataload(add(p, 40)))
            mstore(add(request, 0x60), calldataload(add(p, 72)))
            mstore(add(request, 0x80), shr(192, calldataload(add(p, 104))))
            mstore(add(request, 0xa0), shr(224, calldataload(add(p, 112))))
            outputBytes := shr(224, calldataload(add(p, 116)))
            mstore(add(request, 0xc0), outputBytes)
            mstore(add(request, 0xe0), shr(248, calldataload(add(p, 120))))
        }
        next = at + _PACKED_ITEM_FIXED + outputBytes + _SIGNATURE_BYTES;
        if (next > batch.length) revert InferenceOracleMalformedBatch(at);
        item.outputOffset = p + _PACKED_ITEM_FIXED;
        item.outputLength = outputBytes;
        item.signatureOffset = p + _PACKED_ITEM_FIXED + outputBytes;
        item.signatureLength = _SIGNATURE_BYTES;
    }

    /// @dev The item's output, in calldata. (`_output` and `_signature` each rebuild their slice themselves: one shared
    /// slice helper cost about 170 gas more per result.)
    function _output(Item memory item) private pure returns (bytes calldata output) {
        uint256 offset = item.outputOffset;
        uint256 length = item.outputLength;
        assembly ("memory-safe") {
            output.offset := offset
            output.length := length
        }
    }

    /// @dev The item's signature, in calldata.
    function _signature(Item memory item) private pure returns (bytes calldata signature) {
        uint256 offset = item.signatureOffset;
        uint256 length = item.signatureLength;
        assembly ("memory-safe") {
            signature.offset := offset
            signature.length := length
        }
    }

    /// @dev A dispute round reached CHALLENGE_QUORUM on `outputHash` (docs/PROTOCOL.md, "Challenge window"). The
    /// loser pays:
    /// - original correct: the fee and half the bond go to the original operator, the other half of the bond is
    ///   split among the agreeing re-executors.
    /// - original wrong: its operator is slashed `minStake / CHALLENGE_SLASH_DIVISOR`; the challenger gets the bond
    ///   back plus half the slashed amount; the fee and the other half are split among the agreeing re-executors.
    /// Re-executors outvoted in the round are penalised by the quorum rule. Then the majority's output is delivered.
    function _resolveChallenge(
        FinalityRecord storage record,
        uint256 requestId,
        Request memory request,
        bytes calldata output,
        bytes32 outputHash
    ) private {
        (address[] memory agreeing, address[] memory dissenting) = _partition(requestId, outputHash, CHALLENGE_QUORUM);
        record.stage = FinalityStage.Final;
        bool originalCorrect = outputHash == record.outputHash;
        emit ChallengeResolved(requestId, originalCorrect, outputHash);
        uint256 bond = record.bond;
        if (originalCorrect) {
            uint256 toOperator = bond / 2;
            _credit(record.operator, requestId, request.fee + toOperator);
            _creditSplit(agreeing, requestId, bond - toOperator);
        } else {
            address original = record.operator;
            uint256 slashed;
            // Cannot fail for a registered operator; an operator that is gone must not block the resolution.
            try _operators.slash(original, _operators.minStake() / CHALLENGE_SLASH_DIVISOR, address(this)) returns (
                uint256 amount
            ) {
                slashed = amount;
                emit OperatorPenalized(requestId, original, amount);
            } catch {}
            uint256 toChallenger = slashed / 2;
            _credit(record.challenger, requestId, bond + toChallenger);
            _creditSplit(agreeing, requestId, request.fee + slashed - toChallenger);
        }
        if (dissenting.length != 0) _penalize(requestId, request.requester, agreeing, dissenting);
        _deliverFinal(requestId, request, outputHash, output);
    }

    /// @dev The second phase of delivery: the final event, then the consumer callback.
    function _deliverFinal(uint256 requestId, Request memory request, bytes32 outputHash, bytes calldata output)
        private
    {
        emit ResultFinalized(requestId, outputHash, output);
        if (_wantsCallback(request)) {
            _callback(requestId, request, abi.encodeCall(IInferenceConsumer.onInferenceResult, (requestId, output)));
        }
    }

    /// @dev The bond a challenge must post.
    function _challengeBond() private view returns (uint256) {
        return _operators.minStake() / CHALLENGE_BOND_DIVISOR;
    }

    /// @dev Settles a request as failed: refund, dissenters penalised, event, callback.
    function _settleFailure(
        uint256 requestId,
        Request memory request,
        uint16 reason,
        address[] memory agreeing,
        address[] memory dissenting
    ) private {
        _requests[requestId] = bytes32(uint256(Status.Failed));
        emit InferenceFailed(requestId, reason);
        _credit(request.requester, requestId, request.fee);
        if (dissenting.length != 0) _penalize(requestId, request.requester, agreeing, dissenting);
        if (_wantsCallback(request)) {
            _callback(requestId, request, abi.encodeCall(IInferenceConsumer.onInferenceFailed, (requestId, reason)));
        }
    }

    /// @dev All checks of a commitment, without effects: pending request, signature of an active operator, quorum
    /// rules, and enough gas for the callback if this commitment settles. Returns the encoded custom error if any.
    function _verify(
        uint256 requestId,
        Request memory request,
        bytes32 vote,
        bytes32 digest,
        bytes calldata signature,
        uint256 extraSettleGas,
        address knownActive
    ) private view returns (address operator, bool settles, bool finalityRequested, bytes memory err) {
        (err, finalityRequested) = _checkPending(requestId, request);
        if (err.length != 0) return (operator, settles, finalityRequested, err);
        (operator, err) = _recoverOperator(requestId, digest, signature, knownActive);
        if (err.length != 0) return (operator, settles, finalityRequested, err);
        uint256 redundancy = request.redundancy;
        if (redundancy == 1) {
            settles = true;
        } else {
            (settles, err) = _checkVote(requestId, redundancy, operator, vote);
            if (err.length != 0) return (operator, settles, finalityRequested, err);
        }
        // A provisional result calls nobody back; its callback comes with `finalize` or the dispute's resolution.
        if (settles && !finalityRequested && _wantsCallback(request)) {
            err = _checkSettleGas(requestId, request.callbackGasLimit, redundancy, extraSettleGas);
        }
    }

    /// @dev Enough gas left to settle and give the callback its full gas limit (docs/PROTOCOL.md, 63/64 rule).
    function _checkSettleGas(uint256 requestId, uint256 callbackGasLimit, uint256 redundancy, uint256 extraSettleGas)
        private
        view
        returns (bytes memory err)
    {
        uint256 needed = callbackGasLimit + callbackGasLimit / 63 + _SETTLE_GAS_BASE
            + redundancy * _SETTLE_GAS_PER_OPERATOR + extraSettleGas;
        if (redundancy > 1) needed += (_voters[requestId].length + 1 - redundancy) * _SETTLE_GAS_PER_DISSENTER;
        uint256 available = gasleft();
        if (available < needed) {
            err = abi.encodeWithSelector(InferenceOracleInsufficientGas.selector, requestId, available, needed);
        }
    }

    /// @dev Records a verified commitment. If it settles the request, returns the agreeing operators and those whose
    /// vote differs (the caller then stores the final status before anything else); else two empty arrays.
    function _record(uint256 requestId, uint256 redundancy, address operator, bytes32 vote, bytes32 runtime, bool settles)
        private
        returns (address[] memory agreeing, address[] memory dissenting)
    {
        if (redundancy == 1) {
            emit CommitmentRecorded(requestId, operator, vote, runtime);
            agreeing = new address[](1);
            agreeing[0] = operator;
            return (agreeing, dissenting);
        }
        address[] storage voters = _voters[requestId];
        uint256 priorVotes = voters.length;
        uint256 votesForThis = _tally[requestId][vote] + 1;
        voters.push(operator);
        _votes[requestId][operator] = vote;
        _tally[requestId][vote] = votesForThis;
        emit CommitmentRecorded(requestId, operator, vote, runtime);
        if (priorVotes >= votesForThis) emit CommitmentConflicted(requestId, operator, vote);
        if (settles) (agreeing, dissenting) = _partition(requestId, vote, redundancy);
    }

    /// @dev The request's voters in commitment order, split into those who voted `vote` and the others.
    function _partition(uint256 requestId, bytes32 vote, uint256 redundancy)
        private
        view
        returns (address[] memory agreeing, address[] memory dissenting)
    {
        address[] storage voters = _voters[requestId];
        uint256 total = voters.length;
        agreeing = new address[](redundancy);
        dissenting = new address[](total - redundancy);
        uint256 a;
        uint256 d;
        for (uint256 i; i < total; ++i) {
            address voter = voters[i];
            if (_votes[requestId][voter] == vote) agreeing[a++] = voter;
            else dissenting[d++] = voter;
        }
    }

    /// @dev Splits `amount` evenly among `accounts`, the remainder to the first.
    function _creditSplit(address[] memory accounts, uint256 requestId, uint256 amount) private {
        if (accounts.length == 1) return _credit(accounts[0], requestId, amount);
        uint256 share = amount / accounts.length;
        _credit(accounts[0], requestId, share + amount % accounts.length);
        for (uint256 i = 1; i < accounts.length; ++i) {
            _credit(accounts[i], requestId, share);
        }
    }

    /// @dev Quorum penalty (docs/PROTOCOL.md, "Quorum penalties"): every operator whose commitment lost is slashed
    /// `minStake / SLASH_DIVISOR` (capped at its stake); half of the proceeds go to the requester, the rest is split
    /// among the agreeing operators. The registry pays the slashed wei to this contract (see `receive`).
    function _penalize(uint256 requestId, address requester, address[] memory agreeing, address[] memory dissenting)
        private
    {
        uint256 amount = _operators.minStake() / SLASH_DIVISOR;
        uint256 total;
        for (uint256 i; i < dissenting.length; ++i) {
            // An operator that has meanwhile withdrawn its stake cannot be slashed; that must not block settlement.
            try _operators.slash(dissenting[i], amount, address(this)) returns (uint256 slashed) {
                total += slashed;
                emit OperatorPenalized(requestId, dissenting[i], slashed);
            } catch {}
        }
        if (total == 0) return;
        uint256 toRequester = total / 2;
        _credit(requester, requestId, toRequester);
        _creditSplit(agreeing, requestId, total - toRequester);
    }

    /// @dev The request is pending and `request` is the stored one; returns the encoded custom error otherwise, and
    /// whether the request opted into finality (its slot holds the hash XOR `_FINALITY_TAG`).
    function _checkPending(uint256 requestId, Request memory request)
        private
        view
        returns (bytes memory err, bool finalityRequested)
    {
        uint256 stored = uint256(_requests[requestId]);
        if (stored == 0) return (abi.encodeWithSelector(InferenceOracleUnknownRequest.selector, requestId), false);
        if (stored <= uint256(type(Status).max)) {
            return (abi.encodeWithSelector(InferenceOracleNotPending.selector, requestId, Status(stored)), false);
        }
        bytes32 hash = _hashRequest(request);
        if (bytes32(stored) != hash) {
            if (bytes32(stored) != hash ^ _FINALITY_TAG) {
                return (abi.encodeWithSelector(InferenceOracleRequestMismatch.selector, requestId), false);
            }
            finalityRequested = true;
        }
    }

    /// @dev Recovers the signer (65-byte r ‖ s ‖ v, low s) and checks that it is an active operator (`knownActive`:
    /// one the caller already knows to be, see `_fulfil`).
    function _recoverOperator(uint256 requestId, bytes32 digest, bytes calldata signature, address knownActive)
        private
        view
        returns (address operator, bytes memory err)
    {
        if (signature.length != 65) {
            return (address(0), abi.encodeWithSelector(InferenceOracleInvalidSignature.selector, requestId));
        }
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        ECDSA.RecoverError recoverError;
        (operator, recoverError,) = ECDSA.tryRecover(digest, v, r, s);
        if (recoverError != ECDSA.RecoverError.NoError) {
            return (address(0), abi.encodeWithSelector(InferenceOracleInvalidSignature.selector, requestId));
        }
        if (operator != knownActive && !_operators.isActive(operator)) {
            err = abi.encodeWithSelector(InferenceOracleInactiveOperator.selector, requestId, operator);
        }
    }

    /// @dev Quorum checks for redundancy > 1; `settles` when this vote is the k-th for its value.
    function _checkVote(uint256 requestId, uint256 redundancy, address operator, bytes32 vote)
        private
        view
        returns (bool settles, bytes memory err)
    {
        if (_votes[requestId][operator] != 0) {
            return (false, abi.encodeWithSelector(InferenceOracleDuplicateCommitment.selector, requestId, operator));
        }
        if (_voters[requestId].length >= MAX_COMMITMENTS) {
            return (false, abi.encodeWithSelector(InferenceOracleTooManyCommitments.selector, requestId));
        }
        settles = _tally[requestId][vote] + 1 == redundancy;
    }

    /// @dev EIP-712 digest of a Commitment.
    function _commitmentDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, bytes32 outputHash, bytes32 runtime)
        private
        view
        returns (bytes32)
    {
        bytes32 typeHash = COMMITMENT_TYPEHASH;
        bytes32 structHash;
        // keccak256(abi.encode(COMMITMENT_TYPEHASH, requestId, modelId, inputHash, outputHash, runtime)), hashed where
        // it is written instead of through an allocated copy: this runs for every result of a batch.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), requestId)
            mstore(add(ptr, 0x40), modelId)
            mstore(add(ptr, 0x60), inputHash)
            mstore(add(ptr, 0x80), outputHash)
            mstore(add(ptr, 0xa0), runtime)
            structHash := keccak256(ptr, 0xc0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev EIP-712 digest of a FailureReport.
    function _failureDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, uint16 reason, bytes32 runtime)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(FAILURE_REPORT_TYPEHASH, requestId, modelId, inputHash, reason, runtime)));
    }

    /// @dev Credits a pull payment.
    function _credit(address account, uint256 requestId, uint256 amount) private {
        _balances[account] += amount;
        emit PaymentCredited(account, requestId, amount);
    }

    /// @dev Whether settling `request` calls its requester back: it asked for a callback and has code.
    function _wantsCallback(Request memory request) private view returns (bool) {
        return request.callbackGasLimit != 0 && request.requester.code.length != 0;
    }

    /// @dev Calls the requester with exactly `callbackGasLimit` gas; the caller checked `_wantsCallback` (before
    /// encoding `data`). Return data is never copied. A failure is reported with {CallbackFailed}.
    function _callback(uint256 requestId, Request memory request, bytes memory data) private {
        uint256 gasLimit = request.callbackGasLimit;
        address target = request.requester;
        // 63/64 rule: the callee gets min(gasLimit, available - available / 64); make sure that is gasLimit, so a
        // relayer cannot starve the callback and still settle.
        uint256 available = gasleft();
        if (available < _GAS_FOR_CALL_EXACT_CHECK) revert InferenceOracleInsufficientGas(requestId, available, gasLimit);
        available -= _GAS_FOR_CALL_EXACT_CHECK;
        if (available - available / 64 <= gasLimit) {
            revert InferenceOracleInsufficientGas(requestId, available + _GAS_FOR_CALL_EXACT_CHECK, gasLimit);
        }
        bool success;
        assembly ("memory-safe") {
            success := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
        }
        if (!success) emit CallbackFailed(requestId);
    }

    /// @dev Reverts with `err` in strict mode, else reports the item as rejected.
    function _reject(bool strict, uint256 requestId, bytes memory err) private {
        if (strict) _revert(err);
        emit FulfilmentRejected(requestId, bytes4(err));
    }

    /// @dev Reverts with already encoded revert data.
    function _revert(bytes memory err) private pure {
        assembly ("memory-safe") {
            revert(add(err, 0x20), mload(err))
        }
    }

    /// @dev keccak256(abi.encode(request)): a memory struct of static fields is its fields' words in order, which is
    /// their ABI encoding. Words copied unvalidated from calldata (`_load`) hash as they were sent, so a non-canonical
    /// encoding of the stored request does not match it.
    function _hashRequest(Request memory request) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(request, 0x100)
        }
    }
}
