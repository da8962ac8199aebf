// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IOperatorRegistry
/// @notice Inference operators: an operator's signing key is its account, backed by native stake. Unbonding makes it
/// inactive at once; the stake can be withdrawn after `unbondingDelay` and stays slashable until then.
interface IOperatorRegistry {
    /// @notice An operator's record.
    /// @param stake Stake in wei.
    /// @param unbondingAt 0 while bonded; otherwise the time from which the stake can be withdrawn.
    /// @param registered Whether the operator is registered.
    struct OperatorInfo {
        uint128 stake;
        uint64 unbondingAt;
        bool registered;
    }

    /// @notice The operator is already registered.
    error OperatorRegistryAlreadyRegistered(address operator);
    /// @notice The operator is not registered.
    error OperatorRegistryNotRegistered(address operator);
    /// @notice The stake sent is below `minStake`.
    error OperatorRegistryInsufficientStake(uint256 stake, uint256 minStake);
    /// @notice The operator is unbonding.
    error OperatorRegistryUnbonding(address operator, uint64 unbondingAt);
    /// @notice The operator is not unbonding.
    error OperatorRegistryNotUnbonding(address operator);
    /// @notice The unbonding delay has not passed.
    error OperatorRegistryUnbondingNotOver(address operator, uint64 unbondingAt);
    /// @notice The caller is not the oracle.
    error OperatorRegistryOnlyOracle(address caller);
    /// @notice The oracle is already set (it can be set once).
    error OperatorRegistryOracleAlreadySet(address oracle);
    /// @notice The address is zero.
    error OperatorRegistryZeroAddress();
    /// @notice The stake would exceed 2^128 - 1 wei.
    error OperatorRegistryStakeOverflow();
    /// @notice Sending ether to `to` failed.
    error OperatorRegistryTransferFailed(address to, uint256 amount);

    /// @notice The oracle allowed to slash was set.
    event OracleSet(address indexed oracle);
    /// @notice An operator registered with `stake`.
    event OperatorRegistered(address indexed operator, uint256 stake);
    /// @notice An operator added stake; `stake` is the new total.
    event StakeAdded(address indexed operator, uint256 amount, uint256 stake);
    /// @notice An operator started unbonding; it is inactive from now on.
    event UnbondRequested(address indexed operator, uint256 stake, uint64 unbondingAt);
    /// @notice An operator withdrew its stake and is deregistered.
    event StakeWithdrawn(address indexed operator, uint256 amount);
    /// @notice The oracle slashed `amount` of an operator's stake and sent it to `beneficiary`.
    event OperatorSlashed(address indexed operator, uint256 amount, address indexed beneficiary);

    /// @notice Registers the caller as operator with `msg.value` as stake.
    /// Requirements:
    /// - the caller is not registered.
    /// - `msg.value >= minStake`.
    /// Emits {OperatorRegistered}.
    function register() external payable;

    /// @notice Adds `msg.value` to the caller's stake.
    /// Requirements:
    /// - the caller is registered and not unbonding.
    /// Emits {StakeAdded}.
    function addStake() external payable;

    /// @notice Makes the caller inactive at once and starts the unbonding delay.
    /// Requirements:
    /// - the caller is registered and not unbonding.
    /// Emits {UnbondRequested}.
    function requestUnbond() external;

    /// @notice Pays the whole remaining stake to the caller and deregisters it.
    /// Requirements:
    /// - the caller is unbonding and the delay has passed.
    /// Emits {StakeWithdrawn}.
    function withdrawStake() external;

    /// @notice Moves up to `amount` of `operator`'s stake to `beneficiary`.
    /// @param operator The operator to slash (bonded or unbonding).
    /// @param amount Requested amount; capped at the operator's stake.
    /// @param beneficiary Receives the slashed wei.
    /// @return slashed The amount actually slashed.
    /// Requirements:
    /// - the caller is the oracle.
    /// - `operator` is registered.
    /// Emits {OperatorSlashed}.
    function slash(address operator, uint256 amount, address beneficiary) external returns (uint256 slashed);

    /// @notice Sets the oracle allowed to slash, once.
    /// @param oracle The oracle.
    /// Requirements:
    /// - the caller is the registry owner; the oracle is not set yet; `oracle` is non-zero.
    /// Emits {OracleSet}.
    function setOracle(address oracle) external;

    /// @notice Registered, stake at least `minStake`, not unbonding.
    /// @param operator The operator.
    function isActive(address operator) external view returns (bool);

    /// @notice The operator's record (all zero when unknown).
    /// @param operator The operator.
    function operatorInfo(address operator) external view returns (OperatorInfo memory);

    /// @notice Minimum stake in wei.
    function minStake() external view returns (uint256);

    /// @notice Delay in seconds between `requestUnbond` and `withdrawStake`.
    function unbondingDelay() external view returns (uint64);

    /// @notice The oracle allowed to slash (zero until set).
    function oracle() external view returns (address);
}
