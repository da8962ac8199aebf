// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "./IModelRegistry.sol";
import {IOperatorRegistry} from "./IOperatorRegistry.sol";

/// @title IInferenceOracle
/// @notice The verifier: takes inference requests with an escrowed fee, accepts results and failure reports signed
/// (EIP-712) by active operators, settles once, pays operators through pull payments and calls the consumer back.
interface IInferenceOracle {
    /// @notice Lifecycle of a request.
    enum Status {
        None,
        Pending,
        Fulfilled,
        Failed,
        Cancelled
    }

    /// @notice A request; only `keccak256(abi.encode(request))` is stored, callers pass the struct back.
    /// @param requester `msg.sender` of `requestInference`; receives callbacks and refunds.
    /// @param fee `msg.value` escrowed.
    /// @param modelId The model.
    /// @param inputHash keccak256 of the input tensor bytes.
    /// @param deadline Unix seconds; after it the requester may cancel.
    /// @param callbackGasLimit Gas for the consumer callback; 0 means no callback.
    /// @param outputBytes Exact output byte length, copied from the model.
    /// @param redundancy Distinct operators that must agree, 1..7.
    struct Request {
        address requester;
        uint96 fee;
        bytes32 modelId;
        bytes32 inputHash;
        uint64 deadline;
        uint32 callbackGasLimit;
        uint32 outputBytes;
        uint8 redundancy;
    }

    /// @notice A signed result.
    struct Fulfilment {
        uint256 requestId;
        Request request;
        bytes output;
        bytes32 runtime;
        bytes signature;
    }

    /// @notice A signed failure report.
    struct FailureReport {
        uint256 requestId;
        Request request;
        uint16 reason;
        bytes32 runtime;
        bytes signature;
    }

    /// @notice The model is unknown or revoked.
    error InferenceOracleModelInactive(bytes32 modelId);
    /// @notice The input's byte length differs from the model's input spec.
    error InferenceOracleInputLengthMismatch(bytes32 modelId, uint256 expected, uint256 actual);
    /// @notice The redundancy is not 1..7.
    error InferenceOracleInvalidRedundancy(uint8 redundancy);
    /// @notice The callback gas limit exceeds the maximum.
    error InferenceOracleCallbackGasLimitTooHigh(uint32 callbackGasLimit, uint32 maximum);
    /// @notice The deadline is not in (now, now + MAX_DEADLINE_WINDOW].
    error InferenceOracleInvalidDeadline(uint64 deadline);
    /// @notice `msg.value` is below `fee × redundancy`.
    error InferenceOracleInsufficientFee(uint256 paid, uint256 required);
    /// @notice `msg.value` does not fit in uint96.
    error InferenceOracleFeeTooLarge(uint256 paid);
    /// @notice No such request.
    error InferenceOracleUnknownRequest(uint256 requestId);
    /// @notice The request is no longer pending.
    error InferenceOracleNotPending(uint256 requestId, Status status);
    /// @notice The request struct passed in does not hash to the stored request.
    error InferenceOracleRequestMismatch(uint256 requestId);
    /// @notice The output's byte length differs from the request's `outputBytes`.
    error InferenceOracleOutputLengthMismatch(uint256 requestId, uint256 expected, uint256 actual);
    /// @notice The failure reason is not a known code.
    error InferenceOracleInvalidReason(uint256 requestId, uint16 reason);
    /// @notice The signature is malformed or not canonical (65 bytes, v in {27,28}, low s).
    error InferenceOracleInvalidSignature(uint256 requestId);
    /// @notice The signer is not an active operator.
    error InferenceOracleInactiveOperator(uint256 requestId, address signer);
    /// @notice The operator already committed on this request.
    error InferenceOracleDuplicateCommitment(uint256 requestId, address operator);
    /// @notice The request already holds the maximum number of commitments.
    error InferenceOracleTooManyCommitments(uint256 requestId);
    /// @notice Not enough gas left to give the callback its full `callbackGasLimit` (63/64 rule).
    error InferenceOracleInsufficientGas(uint256 requestId, uint256 gasLeft, uint256 required);
    /// @notice The caller is not the request's requester.
    error InferenceOracleNotRequester(uint256 requestId, address caller);
    /// @notice The deadline has not passed and the model is still active.
    error InferenceOracleNotCancellable(uint256 requestId, uint64 deadline);
    /// @notice Nothing to withdraw.
    error InferenceOracleNothingToWithdraw(address account);
    /// @notice Plain ether is only accepted from the operator registry (slashing proceeds).
    error InferenceOracleUnexpectedEther(address sender);
    /// @notice Paying out a balance failed.
    error InferenceOracleTransferFailed(address account, uint256 amount);
    /// @notice A packed batch ends inside its header or inside the item that starts at byte `offset` of the batch.
    error InferenceOracleMalformedBatch(uint256 offset);

    /// @notice A request was made; a node rebuilds everything it needs from this event.
    event InferenceRequested(
        uint256 indexed requestId, bytes32 indexed modelId, address indexed requester, Request request, bytes input
    );
    /// @notice An operator's valid commitment was recorded; `vote` is the outputHash, or
    /// `keccak256(abi.encode("failure", reason))` for a failure report.
    event CommitmentRecorded(uint256 indexed requestId, address indexed operator, bytes32 indexed vote, bytes32 runtime);
    /// @notice A commitment differs from one recorded earlier for the same request.
    event CommitmentConflicted(uint256 indexed requestId, address indexed operator, bytes32 vote);
    /// @notice A quorum (or a challenge's re-execution round) settled against `operator`'s commitment and `amount` of its
    /// stake was slashed.
    event OperatorPenalized(uint256 indexed requestId, address indexed operator, uint256 amount);
    /// @notice The request settled with `output`.
    event InferenceFulfilled(uint256 indexed requestId, bytes32 indexed outputHash, bytes output);
    /// @notice The request settled as failed; the fee was refunded.
    event InferenceFailed(uint256 indexed requestId, uint16 reason);
    /// @notice The requester cancelled; the fee was refunded.
    event InferenceCancelled(uint256 indexed requestId);
    /// @notice `amount` wei became withdrawable by `account` because of `requestId`.
    event PaymentCredited(address indexed account, uint256 indexed requestId, uint256 amount);
    /// @notice The consumer callback reverted or ran out of gas; settlement stands.
    event CallbackFailed(uint256 indexed requestId);
    /// @notice `fulfilBatch` skipped an item; `error` is the selector of the custom error `fulfil` would revert with.
    event FulfilmentRejected(uint256 indexed requestId, bytes4 error);
    /// @notice `account` withdrew `amount` wei.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice Requests an inference; `msg.value` is escrowed as the fee.
    /// @param modelId The model.
    /// @param input Input tensor bytes (packed big-endian).
    /// @param callbackGasLimit Gas for the callback (0 = none), at most MAX_CALLBACK_GAS_LIMIT.
    /// @param redundancy Distinct operators that must agree, 1..7.
    /// @param deadline After it the requester may cancel; in (now, now + MAX_DEADLINE_WINDOW].
    /// @return requestId Sequential id, from 1.
    /// Requirements:
    /// - the model is active and `input.length` equals its input byte length.
    /// - `fee × redundancy <= msg.value < 2^96`.
    /// Emits {InferenceRequested}.
    function requestInference(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint8 redundancy, uint64 deadline)
        external
        payable
        returns (uint256 requestId);

    /// @notice Records a signed result; settles when `redundancy` distinct operators agree on the output hash.
    /// @param fulfilment The result, its request and the operator's EIP-712 Commitment signature.
    /// Requirements:
    /// - the request is pending and `fulfilment.request` hashes to it.
    /// - the output length matches; the signature is valid and from an active operator that has not committed yet.
    /// - enough gas for the full callback gas limit.
    /// Emits {CommitmentRecorded}, {CommitmentConflicted} on disagreement; on settlement {InferenceFulfilled},
    /// {PaymentCredited} per agreeing operator, {OperatorPenalized} per losing commitment (with the penalty's
    /// {PaymentCredited}s) and {CallbackFailed} if the callback fails.
    function fulfil(Fulfilment calldata fulfilment) external;

    /// @notice `fulfil` for many results; a bad item never reverts the batch.
    /// @param fulfilments The results.
    /// Emits what `fulfil` emits for the good items and {FulfilmentRejected} for the others.
    function fulfilBatch(Fulfilment[] calldata fulfilments) external;

    /// @notice `fulfilBatch` in a packed encoding: about a third of the calldata, for results that share one runtime
    /// (a node's batch). Every field is big-endian and unpadded, one after the other (docs/PROTOCOL.md, "Packed
    /// batches"):
    /// - the batch: `runtime` (bytes32), then the items, back to back;
    /// - an item: `requestId` (uint64), the request's fields in declaration order (`requester` address, `fee` uint96,
    ///   `modelId` bytes32, `inputHash` bytes32, `deadline` uint64, `callbackGasLimit` uint32, `outputBytes` uint32,
    ///   `redundancy` uint8), the output (`outputBytes` bytes), the signature (65 bytes, r ‖ s ‖ v).
    /// Each item is checked and settled exactly as the same Fulfilment in `fulfilBatch` (same commitment, same
    /// events); a bad item never reverts the batch.
    /// @param batch The packed results. Reverts with {InferenceOracleMalformedBatch} if it is shorter than a runtime
    /// or its last item is cut short (nothing is settled then).
    function fulfilBatchPacked(bytes calldata batch) external;

    /// @notice Records a signed failure report; settles as failed (refund + `onInferenceFailed`) when
    /// `redundancy` distinct operators report the same reason.
    /// @param report The report, its request and the operator's EIP-712 FailureReport signature.
    /// Requirements: as for `fulfil`, and `reason` is a known code (1..10).
    /// Emits {CommitmentRecorded}, {CommitmentConflicted} on disagreement; on settlement {InferenceFailed},
    /// {PaymentCredited} for the requester and {CallbackFailed} if the callback fails.
    function reportFailure(FailureReport calldata report) external;

    /// @notice Cancels a pending request and refunds its fee to the requester (pull payment).
    /// @param requestId The request.
    /// @param request The request as emitted.
    /// Requirements:
    /// - the request is pending, `request` hashes to it and the caller is its requester.
    /// - the deadline has passed or the model is no longer active.
    /// Emits {InferenceCancelled}, {PaymentCredited}.
    function cancel(uint256 requestId, Request calldata request) external;

    /// @notice Pays the caller's whole balance.
    /// Requirements:
    /// - the balance is non-zero.
    /// Emits {Withdrawn}.
    function withdraw() external;

    /// @notice Withdrawable wei of `account`.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Status of a request.
    function requestStatus(uint256 requestId) external view returns (Status);

    /// @notice `keccak256(abi.encode(request))`, the value stored for a pending request.
    function requestHash(Request calldata request) external pure returns (bytes32);

    /// @notice EIP-712 digest of a Commitment under this oracle's domain.
    function commitmentDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, bytes32 outputHash, bytes32 runtime)
        external
        view
        returns (bytes32);

    /// @notice EIP-712 digest of a FailureReport under this oracle's domain.
    function failureDigest(uint256 requestId, bytes32 modelId, bytes32 inputHash, uint16 reason, bytes32 runtime)
        external
        view
        returns (bytes32);

    /// @notice Operators that committed on a pending request so far, with their votes.
    function commitments(uint256 requestId) external view returns (address[] memory operators, bytes32[] memory votes);

    /// @notice The id the next request gets.
    function nextRequestId() external view returns (uint256);

    /// @notice The model registry this oracle reads.
    function modelRegistry() external view returns (IModelRegistry);

    /// @notice The operator registry this oracle reads.
    function operatorRegistry() external view returns (IOperatorRegistry);
}
