// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSetup} from "./utils/OracleSetup.sol";
import {IInferenceOracle} from "../contracts/interfaces/IInferenceOracle.sol";

/// @dev Fuzz tests of the hashing and settlement paths.
contract InferenceOracleFuzzTest is OracleSetup {
    function setUp() public {
        _deploy();
    }

    /// commitmentDigest is EIP-712 over this chain id and this oracle's address, computed independently here.
    function testFuzz_commitmentDigestMatchesEip712(
        uint256 requestId,
        bytes32 modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes32 runtime
    ) public view {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("OpenGradient InferenceOracle"),
                keccak256("1"),
                block.chainid,
                address(oracle)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Commitment(uint256 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 runtime)"),
                requestId,
                modelId,
                inputHash,
                outputHash,
                runtime
            )
        );
        assertEq(
            oracle.commitmentDigest(requestId, modelId, inputHash, outputHash, runtime),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)),
            "commitment digest"
        );
    }

    function testFuzz_failureDigestMatchesEip712(uint256 requestId, bytes32 modelId, bytes32 inputHash, uint16 reason, bytes32 runtime)
        public
        view
    {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("OpenGradient InferenceOracle"),
                keccak256("1"),
                block.chainid,
                address(oracle)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("FailureReport(uint256 requestId,bytes32 modelId,bytes32 inputHash,uint16 reason,bytes32 runtime)"),
                requestId,
                modelId,
                inputHash,
                reason,
                runtime
            )
        );
        assertEq(
            oracle.failureDigest(requestId, modelId, inputHash, reason, runtime),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)),
            "failure digest"
        );
    }

    function testFuzz_requestHashIsAbiEncoding(IInferenceOracle.Request calldata request) public view {
        assertEq(oracle.requestHash(request), keccak256(abi.encode(request)), "request hash");
    }

    /// Any output from any operator settles exactly once and pays exactly the fee.
    function testFuzz_fulfilSettlesOnce(bytes32 a, bytes32 inputSeed, uint256 operatorSeed, uint96 extraFee) public {
        uint96 fee = FEE + uint96(bound(extraFee, 0, 100 ether));
        bytes memory input = abi.encodePacked(inputSeed, keccak256(abi.encode(inputSeed)));
        (uint256 requestId, IInferenceOracle.Request memory request) = _request(address(0xBEEF), 1, fee, input);
        uint256 key = operatorKeys[operatorSeed % OPERATORS];
        bytes memory output = abi.encodePacked(a);
        oracle.fulfil(_fulfilment(key, requestId, request, output));
        assertEq(uint256(oracle.requestStatus(requestId)), uint256(IInferenceOracle.Status.Fulfilled), "status");
        assertEq(oracle.balanceOf(vm.addr(key)), fee, "operator credit");
        assertEq(address(oracle).balance, fee, "escrow");
        IInferenceOracle.Fulfilment memory again = _fulfilment(operatorKeys[(operatorSeed % OPERATORS + 1) % OPERATORS], requestId, request, output);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceOracle.InferenceOracleNotPending.selector, requestId, IInferenceOracle.Status.Fulfilled
            )
        );
        oracle.fulfil(again);
    }

    /// A signature by any key that is not a registered operator is rejected.
    function testFuzz_fulfilRejectsStrangers(uint256 key, bytes32 output) public {
        key = bound(key, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        for (uint256 i; i < OPERATORS; ++i) vm.assume(key != operatorKeys[i]);
        (uint256 requestId, IInferenceOracle.Request memory request) = _request(address(0xBEEF), 1, FEE, new bytes(64));
        IInferenceOracle.Fulfilment memory f = _fulfilment(key, requestId, request, abi.encodePacked(output));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInactiveOperator.selector, requestId, vm.addr(key))
        );
        oracle.fulfil(f);
    }

    /// The request struct passed back must be exactly the stored one.
    function testFuzz_fulfilRejectsAlteredRequest(uint96 fee, uint64 deadline, uint32 gasLimit, uint8 redundancy) public {
        (uint256 requestId, IInferenceOracle.Request memory request) = _request(address(0xBEEF), 1, FEE, new bytes(64));
        IInferenceOracle.Request memory altered = IInferenceOracle.Request({
            requester: request.requester,
            fee: fee,
            modelId: request.modelId,
            inputHash: request.inputHash,
            deadline: deadline,
            callbackGasLimit: gasLimit,
            outputBytes: request.outputBytes,
            redundancy: redundancy
        });
        vm.assume(keccak256(abi.encode(altered)) != keccak256(abi.encode(request)));
        IInferenceOracle.Fulfilment memory f = _fulfilment(operatorKeys[0], requestId, altered, new bytes(32));
        vm.expectRevert(abi.encodeWithSelector(IInferenceOracle.InferenceOracleRequestMismatch.selector, requestId));
        oracle.fulfil(f);
    }

    /// Only inputs of the model's exact byte length are accepted.
    function testFuzz_requestChecksInputLength(uint256 length) public {
        length = bound(length, 0, 300);
        vm.assume(length != 64);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceOracle.InferenceOracleInputLengthMismatch.selector, MODEL_ID, 64, length)
        );
        oracle.requestInference{value: FEE}(MODEL_ID, new bytes(length), 0, 1, uint64(block.timestamp + 1));
    }

    /// With redundancy k the fee is split among the k agreeing operators and nothing is lost.
    function testFuzz_quorumSplitsFeeExactly(uint96 extraFee, uint8 k, bytes32 output) public {
        k = uint8(bound(k, 2, OPERATORS));
        uint96 fee = uint96(FEE) * k + uint96(bound(extraFee, 0, 1 ether));
        (uint256 requestId, IInferenceOracle.Request memory request) = _request(address(0xBEEF), k, fee, new bytes(64));
        uint256 credited;
        for (uint256 i; i < k; ++i) {
            oracle.fulfil(_fulfilment(operatorKeys[i], requestId, request, abi.encodePacked(output)));
        }
        for (uint256 i; i < OPERATORS; ++i) credited += oracle.balanceOf(vm.addr(operatorKeys[i]));
        assertEq(credited, fee, "all of the fee credited");
        assertEq(oracle.balanceOf(vm.addr(operatorKeys[0])), fee / k + fee % k, "first gets the remainder");
        assertEq(uint256(oracle.requestStatus(requestId)), uint256(IInferenceOracle.Status.Fulfilled), "status");
    }

    /// Failure reports refund the whole fee to the requester, for any known reason.
    function testFuzz_reportFailureRefunds(uint16 reason, uint96 extraFee) public {
        reason = uint16(bound(reason, 1, 10));
        uint96 fee = FEE + uint96(bound(extraFee, 0, 1 ether));
        (uint256 requestId, IInferenceOracle.Request memory request) = _request(address(0xBEEF), 1, fee, new bytes(64));
        bytes32 digest = oracle.failureDigest(requestId, MODEL_ID, request.inputHash, reason, RUNTIME);
        oracle.reportFailure(
            IInferenceOracle.FailureReport({
                requestId: requestId,
                request: request,
                reason: reason,
                runtime: RUNTIME,
                signature: _sign(operatorKeys[0], digest)
            })
        );
        assertEq(oracle.balanceOf(address(0xBEEF)), fee, "refund");
        assertEq(uint256(oracle.requestStatus(requestId)), uint256(IInferenceOracle.Status.Failed), "status");
    }
}
