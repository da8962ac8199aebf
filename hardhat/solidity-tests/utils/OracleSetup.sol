// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "./TestBase.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {OperatorRegistry} from "../../contracts/OperatorRegistry.sol";
import {InferenceOracle} from "../../contracts/InferenceOracle.sol";
import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {IInferenceOracle} from "../../contracts/interfaces/IInferenceOracle.sol";

/// @dev Registries, oracle, one model (64-byte input, 32-byte output) and four operators with known keys.
abstract contract OracleSetup is TestBase {
    uint256 internal constant MIN_STAKE = 1 ether;
    uint96 internal constant FEE = 0.01 ether;
    bytes32 internal constant MODEL_ID = keccak256("fuzz model");
    bytes32 internal constant RUNTIME = keccak256("onnxruntime/1.31.1;cpu;opset=17;threads=1x1;seq;round=half-even;v1");
    uint256 internal constant OPERATORS = 4;

    ModelRegistry internal models;
    OperatorRegistry internal operators;
    InferenceOracle internal oracle;
    uint256[OPERATORS] internal operatorKeys;

    function _deploy() internal {
        models = new ModelRegistry(address(this));
        operators = new OperatorRegistry(address(this), MIN_STAKE, 1 days);
        oracle = new InferenceOracle(models, operators);
        operators.setOracle(address(oracle));
        uint32[] memory inShape = new uint32[](1);
        inShape[0] = 8;
        uint32[] memory outShape = new uint32[](1);
        outShape[0] = 4;
        models.registerModel(
            MODEL_ID,
            "ipfs://fuzz",
            IModelRegistry.TensorSpec({elementType: 4, decimals: 0, minValue: -1e9, maxValue: 1e9, shape: inShape}),
            IModelRegistry.TensorSpec({elementType: 4, decimals: 0, minValue: -1e9, maxValue: 1e9, shape: outShape}),
            FEE
        );
        for (uint256 i; i < OPERATORS; ++i) {
            operatorKeys[i] = uint256(keccak256(abi.encode("operator", i)));
            address op = vm.addr(operatorKeys[i]);
            vm.deal(op, MIN_STAKE);
            vm.prank(op);
            operators.register{value: MIN_STAKE}();
        }
    }

    function _request(address requester, uint8 redundancy, uint96 fee, bytes memory input)
        internal
        returns (uint256 requestId, IInferenceOracle.Request memory request)
    {
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.deal(requester, fee);
        vm.prank(requester);
        requestId = oracle.requestInference{value: fee}(MODEL_ID, input, 0, redundancy, deadline);
        request = IInferenceOracle.Request({
            requester: requester,
            fee: fee,
            modelId: MODEL_ID,
            inputHash: keccak256(input),
            deadline: deadline,
            callbackGasLimit: 0,
            outputBytes: 32,
            redundancy: redundancy
        });
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _fulfilment(uint256 key, uint256 requestId, IInferenceOracle.Request memory request, bytes memory output)
        internal
        view
        returns (IInferenceOracle.Fulfilment memory)
    {
        bytes32 digest = oracle.commitmentDigest(requestId, request.modelId, request.inputHash, keccak256(output), RUNTIME);
        return IInferenceOracle.Fulfilment({
            requestId: requestId,
            request: request,
            output: output,
            runtime: RUNTIME,
            signature: _sign(key, digest)
        });
    }

    /// @dev `fulfilBatchPacked`'s encoding of `items` (they share RUNTIME), written field by field from its
    /// description in IInferenceOracle.
    function _pack(IInferenceOracle.Fulfilment[] memory items) internal pure returns (bytes memory packed) {
        packed = abi.encodePacked(RUNTIME);
        for (uint256 i; i < items.length; ++i) {
            IInferenceOracle.Request memory r = items[i].request;
            packed = bytes.concat(
                packed,
                abi.encodePacked(uint64(items[i].requestId), r.requester, r.fee, r.modelId, r.inputHash),
                abi.encodePacked(r.deadline, r.callbackGasLimit, r.outputBytes, r.redundancy, items[i].output, items[i].signature)
            );
        }
    }
}
