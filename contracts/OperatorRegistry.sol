// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/// @title OperatorRegistry
/// @notice Staked inference operators. `minStake` and `unbondingDelay` are immutable; the oracle that may slash is
/// set once by the owner (the oracle is deployed after the registry).
contract OperatorRegistry is IOperatorRegistry, Ownable2Step, ReentrancyGuardTransient {
    string public constant typeAndVersion = "OperatorRegistry 1.0.0";

    uint256 private immutable _minStake;
    uint64 private immutable _unbondingDelay;
    address private _oracle;
    mapping(address operator => OperatorInfo) private _operators;

    constructor(address initialOwner, uint256 minStake_, uint64 unbondingDelay_) Ownable(initialOwner) {
        _minStake = minStake_;
        _unbondingDelay = unbondingDelay_;
    }

    /// @inheritdoc IOperatorRegistry
    function register() external payable {
        OperatorInfo storage info = _operators[msg.sender];
        if (info.registered) revert OperatorRegistryAlreadyRegistered(msg.sender);
        if (msg.value < _minStake) revert OperatorRegistryInsufficientStake(msg.value, _minStake);
        if (msg.value > type(uint128).max) revert OperatorRegistryStakeOverflow();
        info.stake = uint128(msg.value);
        info.unbondingAt = 0;
        info.registered = true;
        emit OperatorRegistered(msg.sender, msg.value);
    }

    /// @inheritdoc IOperatorRegistry
    function addStake() external payable {
        OperatorInfo storage info = _operators[msg.sender];
        if (!info.registered) revert OperatorRegistryNotRegistered(msg.sender);
        if (info.unbondingAt != 0) revert OperatorRegistryUnbonding(msg.sender, info.unbondingAt);
        uint256 stake = uint256(info.stake) + msg.value;
        if (stake > type(uint128).max) revert OperatorRegistryStakeOverflow();
        info.stake = uint128(stake);
        emit StakeAdded(msg.sender, msg.value, stake);
    }

    /// @inheritdoc IOperatorRegistry
    function requestUnbond() external {
        OperatorInfo storage info = _operators[msg.sender];
        if (!info.registered) revert OperatorRegistryNotRegistered(msg.sender);
        if (info.unbondingAt != 0) revert OperatorRegistryUnbonding(msg.sender, info.unbondingAt);
        uint64 unbondingAt = uint64(block.timestamp) + _unbondingDelay;
        info.unbondingAt = unbondingAt;
        emit UnbondRequested(msg.sender, info.stake, unbondingAt);
    }

    /// @inheritdoc IOperatorRegistry
    function withdrawStake() external nonReentrant {
        OperatorInfo storage info = _operators[msg.sender];
        if (!info.registered) revert OperatorRegistryNotRegistered(msg.sender);
        uint64 unbondingAt = info.unbondingAt;
        if (unbondingAt == 0) revert OperatorRegistryNotUnbonding(msg.sender);
        if (block.timestamp < unbondingAt) revert OperatorRegistryUnbondingNotOver(msg.sender, unbondingAt);
        uint256 amount = info.stake;
        delete _operators[msg.sender];
        emit StakeWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @inheritdoc IOperatorRegistry
    function slash(address operator, uint256 amount, address beneficiary) external nonReentrant returns (uint256 slashed) {
        if (msg.sender != _oracle) revert OperatorRegistryOnlyOracle(msg.sender);
        OperatorInfo storage info = _operators[operator];
        if (!info.registered) revert OperatorRegistryNotRegistered(operator);
        uint256 stake = info.stake;
        slashed = amount < stake ? amount : stake;
        info.stake = uint128(stake - slashed);
        emit OperatorSlashed(operator, slashed, beneficiary);
        if (slashed != 0) _send(beneficiary, slashed);
    }

    /// @inheritdoc IOperatorRegistry
    function setOracle(address oracle_) external onlyOwner {
        if (_oracle != address(0)) revert OperatorRegistryOracleAlreadySet(_oracle);
        if (oracle_ == address(0)) revert OperatorRegistryZeroAddress();
        _oracle = oracle_;
        emit OracleSet(oracle_);
    }

    /// @inheritdoc IOperatorRegistry
    function isActive(address operator) external view returns (bool) {
        OperatorInfo storage info = _operators[operator];
        return info.registered && info.unbondingAt == 0 && info.stake >= _minStake;
    }

    /// @inheritdoc IOperatorRegistry
    function operatorInfo(address operator) external view returns (OperatorInfo memory) {
        return _operators[operator];
    }

    /// @inheritdoc IOperatorRegistry
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc IOperatorRegistry
    function unbondingDelay() external view returns (uint64) {
        return _unbondingDelay;
    }

    /// @inheritdoc IOperatorRegistry
    function oracle() external view returns (address) {
        return _oracle;
    }

    function _send(address to, uint256 amount) private {
        (bool success,) = to.call{value: amount}("");
        if (!success) revert OperatorRegistryTransferFailed(to, amount);
    }
}
