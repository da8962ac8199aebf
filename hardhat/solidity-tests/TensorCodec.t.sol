// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "./utils/TestBase.sol";
import {TensorCodec} from "../contracts/consumer/TensorCodec.sol";

/// @dev Round trips and reference encodings of the packed big-endian wire format.
contract TensorCodecTest is TestBase {
    function testFuzz_int8RoundTrip(int8[] memory values) public pure {
        bytes memory data = TensorCodec.encodeInt8(values);
        assertEq(data.length, values.length, "length");
        int8[] memory back = TensorCodec.decodeInt8(data);
        for (uint256 i; i < values.length; ++i) {
            assertEq(uint8(data[i]), uint8(values[i]), "byte");
            assertTrue(back[i] == values[i], "int8");
            assertTrue(TensorCodec.at(data, 1, i) == values[i], "at");
        }
    }

    function testFuzz_int16RoundTrip(int16[] memory values) public pure {
        bytes memory data = TensorCodec.encodeInt16(values);
        assertEq(data, _reference(values.length, 2, _toWords16(values)), "reference encoding");
        int16[] memory back = TensorCodec.decodeInt16(data);
        for (uint256 i; i < values.length; ++i) assertTrue(back[i] == values[i], "int16");
    }

    function testFuzz_int32RoundTrip(int32[] memory values) public pure {
        bytes memory data = TensorCodec.encodeInt32(values);
        int256[] memory words = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) words[i] = values[i];
        assertEq(data, _reference(values.length, 4, words), "reference encoding");
        int32[] memory back = TensorCodec.decodeInt32(data);
        for (uint256 i; i < values.length; ++i) assertTrue(back[i] == values[i], "int32");
        assertEq(TensorCodec.encode(words, 3), data, "generic encode");
    }

    function testFuzz_int64RoundTrip(int64[] memory values) public pure {
        bytes memory data = TensorCodec.encodeInt64(values);
        int256[] memory words = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) words[i] = values[i];
        assertEq(data, _reference(values.length, 8, words), "reference encoding");
        int64[] memory back = TensorCodec.decodeInt64(data);
        int256[] memory generic = TensorCodec.decode(data, 4);
        for (uint256 i; i < values.length; ++i) {
            assertTrue(back[i] == values[i], "int64");
            assertTrue(generic[i] == values[i], "generic decode");
        }
    }

    /// Decoding arbitrary bytes and encoding again gives the same bytes (the format has no redundancy).
    function testFuzz_decodeEncodeIdentity(bytes memory data, uint8 elementType) public pure {
        elementType = uint8(bound(elementType, 1, 4));
        uint256 w = 1 << (elementType - 1);
        assembly {
            mstore(data, mul(div(mload(data), w), w)) // truncate to a multiple of the width
        }
        assertEq(TensorCodec.encode(TensorCodec.decode(data, elementType), elementType), data, "identity");
    }

    function test_knownVectors() public pure {
        int64[] memory v = new int64[](2);
        v[0] = -1;
        v[1] = 700;
        assertEq(TensorCodec.encodeInt64(v), hex"ffffffffffffffff00000000000002bc", "int64");
        int16[] memory s = new int16[](3);
        s[0] = -32768;
        s[1] = 32767;
        s[2] = -2;
        assertEq(TensorCodec.encodeInt16(s), hex"80007ffffffe", "int16");
        assertTrue(TensorCodec.at(hex"80007ffffffe", 2, 0) == -32768, "at 0");
        assertTrue(TensorCodec.at(hex"80007ffffffe", 2, 2) == -2, "at 2");
    }

    function test_rejects() public {
        int256[] memory tooBig = new int256[](1);
        tooBig[0] = 128;
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.TensorCodecValueOutOfRange.selector, int256(128), uint8(1)));
        this.encodeExternal(tooBig, 1);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.TensorCodecInvalidLength.selector, 3, 2));
        this.decodeExternal(hex"010203", 2);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.TensorCodecInvalidElementType.selector, uint8(5)));
        this.decodeExternal(hex"01", 5);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.TensorCodecIndexOutOfBounds.selector, 3, 3));
        this.atExternal(hex"010203", 1, 3);
    }

    function encodeExternal(int256[] memory values, uint8 elementType) external pure returns (bytes memory) {
        return TensorCodec.encode(values, elementType);
    }

    function decodeExternal(bytes memory data, uint8 elementType) external pure returns (int256[] memory) {
        return TensorCodec.decode(data, elementType);
    }

    function atExternal(bytes memory data, uint8 elementType, uint256 index) external pure returns (int256) {
        return TensorCodec.at(data, elementType, index);
    }

    function _toWords16(int16[] memory values) private pure returns (int256[] memory words) {
        words = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) words[i] = values[i];
    }

    /// @dev Byte-by-byte big-endian two's complement, the obvious way.
    function _reference(uint256 n, uint256 w, int256[] memory words) private pure returns (bytes memory out) {
        out = new bytes(n * w);
        for (uint256 i; i < n; ++i) {
            uint256 u = uint256(words[i]);
            for (uint256 j; j < w; ++j) {
                out[i * w + j] = bytes1(uint8(u >> (8 * (w - 1 - j))));
            }
        }
    }
}
