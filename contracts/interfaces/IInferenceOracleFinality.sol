// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceOracle} from "./IInferenceOracle.sol";

/// @title IInferenceOracleFinality
/// @notice Opt-in challenge window and two-phase delivery for single-operator results (docs/PROTOCOL.md,
/// "Challenge window and two-phase delivery"). Everything here is additive: requests made through
/// `requestInference` never enter these paths.
/// @dev Lifecycle of an opted-in request: `requestInferenceWithFinality` → `fulfil` (provisional: `InferenceFulfilled`
/// + `ResultProvisional`, fee held, no callback) → either `finalize` after `CHALLENGE_WINDOW`, or `challenge` within
/// it → `reexecute` by other operators until `CHALLENGE_QUORUM` of them agree (resolution + final callback), or
/// `finalize` after `REEXECUTION_WINDOW` (timeout: the original stands, the bond is returned).
interface IInferenceOracleFinality is IInferenceOracle {
    /// @notice Where an opted-in request stands after its provisional result. `None` also covers requests that did
    /// not opt in and opted-in requests that have no result yet.
    enum FinalityStage {
        None,
        Provisional,
        Challenged,
        Final
    }

    /// @notice What the oracle keeps for an opted-in request once it has a provisional result.
    /// @param requestHash `keccak256(abi.encode(Request))`, to check the struct passed back later.
    /// @param outputHash The provisional (original) result's output hash.
    /// @param operator The operator that signed the provisional result.
    /// @param deadline End of the challenge window while `Provisional`, end of the re-execution round while
    /// `Challenged` (exclusive: the window is open while `block.timestamp < deadline`).
    /// @param stage The stage.
    /// @param challenger Who posted the bond (zero if never challenged).
    /// @param bond The bond posted, in wei.
    /// @param claimedOutputHash The output hash the challenger claims is right.
    struct FinalityRecord {
        bytes32 requestHash;
        bytes32 outputHash;
        address operator;
        uint64 deadline;
        FinalityStage stage;
        address challenger;
        uint96 bond;
        bytes32 claimedOutputHash;
    }

    /// @notice The operation needs another finality stage than the request is in (e.g. a second `finalize`).
    error InferenceOracleWrongFinalityStage(uint256 requestId, FinalityStage stage);
    /// @notice The challenge window of the request has closed.
    error InferenceOracleChallengeWindowClosed(uint256 requestId, uint64 windowEnd);
    /// @notice The challenge window or the re-execution round is still open; `finalize` works from `notBefore`.
    error InferenceOracleNotFinalizable(uint256 requestId, uint64 notBefore);
    /// @notice The re-execution round of the request has closed.
    error InferenceOracleReexecutionClosed(uint256 requestId, uint64 roundEnd);
    /// @notice `msg.value` of a challenge is not exactly the bond.
    error InferenceOracleWrongBond(uint256 sent, uint256 required);
    /// @notice A challenge must claim a non-zero output hash different from the provisional one.
    error InferenceOracleClaimNotDifferent(uint256 requestId, bytes32 claimedOutputHash);
    /// @notice The original signer and the challenger may not re-execute their own dispute.
    error InferenceOracleIneligibleReexecutor(uint256 requestId, address operator);
    /// @notice The output passed to `finalize` is not the one that is being finalized.
    error InferenceOracleOutputMismatch(uint256 requestId, bytes32 expected, bytes32 actual);

    /// @notice The request opted into the challenge window; its result is delivered only once final.
    event FinalityRequested(uint256 indexed requestId, uint64 challengeWindow);
    /// @notice The request has a provisional result (emitted right after `InferenceFulfilled`); it can be challenged
    /// until `challengeDeadline`.
    event ResultProvisional(
        uint256 indexed requestId, address indexed operator, bytes32 indexed outputHash, uint64 challengeDeadline
    );
    /// @notice `challenger` disputed the provisional result with `bond`; re-execution is open until `roundDeadline`.
    event ResultChallenged(
        uint256 indexed requestId, address indexed challenger, bytes32 claimedOutputHash, uint256 bond, uint64 roundDeadline
    );
    /// @notice A re-executing operator's valid commitment was recorded in the dispute round.
    event ReexecutionRecorded(uint256 indexed requestId, address indexed operator, bytes32 indexed outputHash, bytes32 runtime);
    /// @notice The round reached `CHALLENGE_QUORUM` agreeing commitments on `outputHash`; `originalCorrect` says
    /// whether that is the provisional result (the challenger lost) or not (the original operator was slashed).
    event ChallengeResolved(uint256 indexed requestId, bool originalCorrect, bytes32 outputHash);
    /// @notice The round closed without a majority: the bond was returned and the provisional result stands.
    event ChallengeTimedOut(uint256 indexed requestId);
    /// @notice The result is final; the consumer callback (if any) follows in the same transaction.
    event ResultFinalized(uint256 indexed requestId, bytes32 indexed outputHash, bytes output);

    /// @notice `requestInference` with redundancy 1 that opts into the challenge window and two-phase delivery: the
    /// result is provisional for `CHALLENGE_WINDOW`, the fee is paid and the consumer called back only once it is final.
    /// @param modelId The model.
    /// @param input Input tensor bytes (packed big-endian).
    /// @param callbackGasLimit Gas for the final callback (0 = none), at most MAX_CALLBACK_GAS_LIMIT.
    /// @param deadline Until the provisional result arrives; after it the requester may cancel.
    /// @return requestId Sequential id, shared with `requestInference`.
    /// Requirements: as `requestInference` with redundancy 1.
    /// Emits {InferenceRequested} (the Request is the same struct, redundancy 1) and {FinalityRequested}.
    function requestInferenceWithFinality(bytes32 modelId, bytes calldata input, uint32 callbackGasLimit, uint64 deadline)
        external
        payable
        returns (uint256 requestId);

    /// @notice Disputes a provisional result; `msg.value` must be exactly `challengeBond()`.
    /// @param requestId The request.
    /// @param claimedOutputHash The output hash the challenger believes is right (non-zero, not the provisional one).
    /// Requirements:
    /// - the request is `Provisional` and `block.timestamp` is before its challenge deadline.
    /// Emits {ResultChallenged}.
    function challenge(uint256 requestId, bytes32 claimedOutputHash) external payable;

    /// @notice A re-execution commitment in a dispute round: the same `Fulfilment` (EIP-712 Commitment) an operator
    /// would send to `fulfil`. Resolves the dispute when it is the `CHALLENGE_QUORUM`-th for its output hash.
    /// @param fulfilment The result, its request and the operator's signature.
    /// Requirements:
    /// - the request is `Challenged` and the round is open; `fulfilment.request` hashes to the request.
    /// - the output length matches; the signer is an active operator, neither the original signer nor the challenger,
    ///   and has not re-executed this request yet; fewer than `MAX_REEXECUTIONS` commitments so far.
    /// - when it resolves: enough gas for the full callback gas limit.
    /// Emits {ReexecutionRecorded}; on resolution {ChallengeResolved}, {OperatorPenalized} for a slashed original
    /// operator and per losing re-executor, {PaymentCredited}s, {ResultFinalized} and {CallbackFailed} if the callback
    /// fails.
    function reexecute(Fulfilment calldata fulfilment) external;

    /// @notice Makes a provisional result final after its window, or applies the timeout rule to a dispute whose
    /// round closed without a majority. Anyone may call it.
    /// @param requestId The request.
    /// @param request The request as emitted.
    /// @param output The provisional output bytes (from `InferenceFulfilled`).
    /// Requirements:
    /// - `Provisional` with the window closed, or `Challenged` with the round closed.
    /// - `request` and `output` are the recorded ones; enough gas for the full callback gas limit.
    /// Emits {ChallengeTimedOut} on a timeout, {PaymentCredited}s, {ResultFinalized}, {CallbackFailed} if the callback
    /// fails.
    function finalize(uint256 requestId, Request calldata request, bytes calldata output) external;

    /// @notice The finality record of a request (all zero unless it opted in and has a provisional result).
    function finality(uint256 requestId) external view returns (FinalityRecord memory);

    /// @notice The bond a challenge posts: `operatorRegistry().minStake() / CHALLENGE_BOND_DIVISOR`.
    function challengeBond() external view returns (uint256);
}
