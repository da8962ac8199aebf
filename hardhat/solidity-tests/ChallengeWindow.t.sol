// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSetup} from "./utils/OracleSetup.sol";
import {IInferenceOracle} from "../contracts/interfaces/IInferenceOracle.sol";
import {IInferenceOracleFinality} from "../contracts/interfaces/IInferenceOracleFinality.sol";

/// @dev Fuzz tests of the opt-in challenge window: the window boundary and conservation of ether through a dispute.
contract ChallengeWindowFuzzTest is OracleSetup {
    address internal constant REQUESTER = address(0xA11CE);
    address internal constant CHALLENGER = address(0xC0FFEE);

    function setUp() public {
        _deploy();
    }

    /// Challenge is accepted strictly before the window's end, finalize exactly from it on; never both.
    function testFuzz_windowBoundary(uint256 elapsed) public {
        elapsed = bound(elapsed, 0, 3 * oracle.CHALLENGE_WINDOW());
        (uint256 requestId, IInferenceOracle.Request memory request, bytes memory output) = _provisional(_output(1));
        uint64 windowEnd = oracle.finality(requestId).deadline;
        vm.warp(block.timestamp + elapsed);
        uint256 bond = oracle.challengeBond();
        vm.deal(CHALLENGER, bond);
        vm.prank(CHALLENGER);
        (bool challenged,) =
            address(oracle).call{value: bond}(abi.encodeCall(oracle.challenge, (requestId, keccak256(_output(2)))));
        assertTrue(challenged == (block.timestamp < windowEnd), "challenge iff window open");
        (bool finalized,) = address(oracle).call(abi.encodeCall(oracle.finalize, (requestId, request, output)));
        assertTrue(finalized == (block.timestamp >= windowEnd), "finalize iff window closed");
        assertTrue(!(challenged && finalized), "not both");
    }

    /// Whatever the round decides, the oracle ends holding exactly what it credited: fee + bond + slashed stake.
    function testFuzz_disputeConservesEther(bool originalWrong, bool withOutvoted) public {
        bytes memory truth = _output(7);
        bytes memory wrong = _output(8);
        (uint256 requestId, IInferenceOracle.Request memory request,) = _provisional(originalWrong ? wrong : truth);
        uint256 bond = oracle.challengeBond();
        vm.deal(CHALLENGER, bond);
        vm.prank(CHALLENGER);
        oracle.challenge{value: bond}(requestId, keccak256(originalWrong ? truth : wrong));
        if (withOutvoted) oracle.reexecute(_fulfilment(operatorKeys[3], requestId, request, _output(9)));
        oracle.reexecute(_fulfilment(operatorKeys[1], requestId, request, truth));
        oracle.reexecute(_fulfilment(operatorKeys[2], requestId, request, truth));
        assertTrue(oracle.finality(requestId).stage == IInferenceOracleFinality.FinalityStage.Final, "final");
        uint256 credited;
        for (uint256 i; i < OPERATORS; ++i) {
            credited += oracle.balanceOf(vm.addr(operatorKeys[i]));
        }
        credited += oracle.balanceOf(CHALLENGER) + oracle.balanceOf(REQUESTER);
        assertEq(address(oracle).balance, credited, "oracle balance == credited");
        uint256 slashed = (originalWrong ? MIN_STAKE / 5 : 0) + (withOutvoted ? MIN_STAKE / 10 : 0);
        assertEq(credited, FEE + bond + slashed, "fee + bond + slashed");
        assertEq(oracle.balanceOf(CHALLENGER), originalWrong ? bond + MIN_STAKE / 10 : 0, "challenger");
    }

    function _provisional(bytes memory output)
        internal
        returns (uint256 requestId, IInferenceOracle.Request memory request, bytes memory)
    {
        bytes memory input = new bytes(64);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.deal(REQUESTER, FEE);
        vm.prank(REQUESTER);
        requestId = oracle.requestInferenceWithFinality{value: FEE}(MODEL_ID, input, 0, deadline);
        request = IInferenceOracle.Request({
            requester: REQUESTER,
            fee: FEE,
            modelId: MODEL_ID,
            inputHash: keccak256(input),
            deadline: deadline,
            callbackGasLimit: 0,
            outputBytes: 32,
            redundancy: 1
        });
        oracle.fulfil(_fulfilment(operatorKeys[0], requestId, request, output));
        return (requestId, request, output);
    }

    function _output(uint256 seed) internal pure returns (bytes memory) {
        return abi.encode(seed);
    }
}
