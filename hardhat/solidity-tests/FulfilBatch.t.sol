// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSetup} from "./utils/OracleSetup.sol";
import {Vm} from "./utils/TestBase.sol";
import {IInferenceConsumer} from "../contracts/interfaces/IInferenceConsumer.sol";
import {IInferenceOracle} from "../contracts/interfaces/IInferenceOracle.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";

/// @dev Code put on an operator's own address (as EIP-7702 delegation allows): when called back as a requester, the
/// operator asks to unbond, which makes it inactive in the middle of a batch that carries its results.
contract UnbondingRequester is IInferenceConsumer {
    OperatorRegistry private immutable _registry;

    constructor(OperatorRegistry registry) {
        _registry = registry;
    }

    function onInferenceResult(uint256, bytes calldata) external {
        _registry.requestUnbond();
    }

    function onInferenceFailed(uint256, uint16) external {}
}

/// @dev fulfilBatch (and fulfilBatchPacked, the same per item) asks the registry about an operator once per batch while nothing can have changed its answer;
/// these check that it still never settles a result of an operator that is not active at that item.
contract FulfilBatchTest is OracleSetup {
    bytes private constant OUTPUT = hex"00000000000000000000000000000000000000000000000000000000000000aa";

    function setUp() public {
        _deploy();
    }

    /// Items of inactive operators are rejected and items of active ones settle, however they are interleaved.
    function testFuzz_batchSettlesExactlyTheActiveOperatorsItems(uint256 inactiveMask, uint256 order, uint8 count, bool packed) public {
        inactiveMask = bound(inactiveMask, 0, (1 << OPERATORS) - 1);
        uint256 n = bound(count, 1, 12);
        for (uint256 i; i < OPERATORS; ++i) {
            if (inactiveMask & (1 << i) != 0) {
                vm.prank(vm.addr(operatorKeys[i]));
                operators.requestUnbond();
            }
        }
        IInferenceOracle.Fulfilment[] memory batch = new IInferenceOracle.Fulfilment[](n);
        uint256[] memory signer = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            signer[i] = uint256(keccak256(abi.encode(order, i))) % OPERATORS;
            (uint256 requestId, IInferenceOracle.Request memory request) =
                _request(address(0xBEEF), 1, FEE, abi.encodePacked(bytes32(i), bytes32(order)));
            batch[i] = _fulfilment(operatorKeys[signer[i]], requestId, request, OUTPUT);
        }
        if (packed) oracle.fulfilBatchPacked(_pack(batch));
        else oracle.fulfilBatch(batch);
        for (uint256 i; i < n; ++i) {
            bool active = inactiveMask & (1 << signer[i]) == 0;
            assertEq(
                uint256(oracle.requestStatus(batch[i].requestId)),
                uint256(active ? IInferenceOracle.Status.Fulfilled : IInferenceOracle.Status.Pending),
                "status"
            );
        }
    }

    /// A callback is an external call that may change the registry's answer (here the operator itself unbonds): the
    /// operator's next result in the same batch is checked again and rejected.
    function test_batchAsksRegistryAgainAfterCallback() public {
        address op = vm.addr(operatorKeys[0]);
        vm.etch(op, address(new UnbondingRequester(operators)).code);
        bytes memory input = abi.encodePacked(bytes32("a"), bytes32("b"));
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.deal(op, FEE);
        vm.prank(op);
        uint256 calledBack = oracle.requestInference{value: FEE}(MODEL_ID, input, 200_000, 1, deadline);
        IInferenceOracle.Request memory request = IInferenceOracle.Request({
            requester: op,
            fee: FEE,
            modelId: MODEL_ID,
            inputHash: keccak256(input),
            deadline: deadline,
            callbackGasLimit: 200_000,
            outputBytes: 32,
            redundancy: 1
        });
        (uint256 later, IInferenceOracle.Request memory laterRequest) = _request(address(0xBEEF), 1, FEE, input);
        IInferenceOracle.Fulfilment[] memory batch = new IInferenceOracle.Fulfilment[](2);
        batch[0] = _fulfilment(operatorKeys[0], calledBack, request, OUTPUT);
        batch[1] = _fulfilment(operatorKeys[0], later, laterRequest, OUTPUT);
        oracle.fulfilBatch(batch);
        assertEq(uint256(oracle.requestStatus(calledBack)), uint256(IInferenceOracle.Status.Fulfilled), "first settles");
        assertTrue(!operators.isActive(op), "the callback unbonded the operator");
        assertEq(uint256(oracle.requestStatus(later)), uint256(IInferenceOracle.Status.Pending), "second is rejected");
    }

    /// Packed and ABI-encoded batches of the same results leave the same state: statuses, balances, and the same
    /// logs in the same order (requests from random requesters, fees, inputs and redundancies 1 or 2).
    function testFuzz_packedBatchMatchesAbiBatch(uint256 seed, uint8 count) public {
        uint256 n = bound(count, 1, 8);
        IInferenceOracle.Fulfilment[] memory batch = new IInferenceOracle.Fulfilment[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            address requester = address(uint160(r >> 8) | 1);
            uint96 fee = uint96(FEE + (r % 1e15));
            uint8 redundancy = uint8(1 + (r >> 200) % 2);
            (uint256 requestId, IInferenceOracle.Request memory request) =
                _request(requester, redundancy, fee * redundancy, abi.encodePacked(bytes32(r), bytes32(i)));
            batch[i] = _fulfilment(operatorKeys[(r >> 100) % OPERATORS], requestId, request, abi.encodePacked(bytes32(r)));
        }
        uint256 snapshot = vm.snapshotState();
        vm.recordLogs();
        oracle.fulfilBatch(batch);
        Vm.Log[] memory abiLogs = vm.getRecordedLogs();
        uint256[] memory abiStatus = _statuses(batch);
        uint256 abiBalance = _operatorBalances();
        vm.revertToState(snapshot);
        vm.recordLogs();
        oracle.fulfilBatchPacked(_pack(batch));
        Vm.Log[] memory packedLogs = vm.getRecordedLogs();
        assertEq(packedLogs.length, abiLogs.length, "log count");
        for (uint256 i; i < abiLogs.length; ++i) {
            assertEq(keccak256(abi.encode(packedLogs[i].topics)), keccak256(abi.encode(abiLogs[i].topics)), "topics");
            assertEq(packedLogs[i].data, abiLogs[i].data, "data");
            assertEq(packedLogs[i].emitter, abiLogs[i].emitter, "emitter");
        }
        uint256[] memory packedStatus = _statuses(batch);
        for (uint256 i; i < n; ++i) assertEq(packedStatus[i], abiStatus[i], "status");
        assertEq(_operatorBalances(), abiBalance, "balances");
        uint256 recorded;
        for (uint256 i; i < abiLogs.length; ++i) {
            if (abiLogs[i].topics[0] == IInferenceOracle.CommitmentRecorded.selector) ++recorded;
        }
        assertEq(recorded, n, "every item was accepted");
    }

    /// A batch cut anywhere inside its header or an item reverts, naming where the cut item starts.
    function testFuzz_truncatedPackedBatchReverts(uint256 cut) public {
        (uint256 id1, IInferenceOracle.Request memory r1) = _request(address(0xBEEF), 1, FEE, abi.encodePacked(bytes32("1"), bytes32(0)));
        (uint256 id2, IInferenceOracle.Request memory r2) = _request(address(0xBEEF), 1, FEE, abi.encodePacked(bytes32("2"), bytes32(0)));
        IInferenceOracle.Fulfilment[] memory batch = new IInferenceOracle.Fulfilment[](2);
        batch[0] = _fulfilment(operatorKeys[0], id1, r1, OUTPUT);
        batch[1] = _fulfilment(operatorKeys[1], id2, r2, OUTPUT);
        bytes memory packed = _pack(batch);
        uint256 itemBytes = (packed.length - 32) / 2;
        uint256 length = bound(cut, 0, packed.length - 1);
        vm.assume(length != 32 && length != 32 + itemBytes); // whole items: a valid, shorter batch
        bytes memory truncated = new bytes(length);
        for (uint256 i; i < length; ++i) truncated[i] = packed[i];
        uint256 at = length < 32 ? 0 : (length < 32 + itemBytes ? 32 : 32 + itemBytes);
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleMalformedBatch.selector, at));
        oracle.fulfilBatchPacked(truncated);
    }

    function _statuses(IInferenceOracle.Fulfilment[] memory batch) private view returns (uint256[] memory statuses) {
        statuses = new uint256[](batch.length);
        for (uint256 i; i < batch.length; ++i) statuses[i] = uint256(oracle.requestStatus(batch[i].requestId));
    }

    function _operatorBalances() private view returns (uint256 total) {
        for (uint256 i; i < OPERATORS; ++i) total = total * 31 + oracle.balanceOf(vm.addr(operatorKeys[i]));
    }
}
