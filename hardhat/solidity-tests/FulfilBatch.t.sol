// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSetup} from "./utils/OracleSetup.sol";
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

/// @dev fulfilBatch asks the registry about an operator once per batch while nothing can have changed its answer;
/// these check that it still never settles a result of an operator that is not active at that item.
contract FulfilBatchTest is OracleSetup {
    bytes private constant OUTPUT = hex"00000000000000000000000000000000000000000000000000000000000000aa";

    function setUp() public {
        _deploy();
    }

    /// Items of inactive operators are rejected and items of active ones settle, however they are interleaved.
    function testFuzz_batchSettlesExactlyTheActiveOperatorsItems(uint256 inactiveMask, uint256 order, uint8 count) public {
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
        oracle.fulfilBatch(batch);
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
}
