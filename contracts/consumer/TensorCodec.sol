// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TensorCodec
/// @notice Packed big-endian two's-complement tensors (docs/PROTOCOL.md, "Tensor wire format"): row-major elements,
/// no header, no padding. Element types: 1 = INT8, 2 = INT16, 3 = INT32, 4 = INT64.
library TensorCodec {
    uint8 internal constant INT8 = 1;
    uint8 internal constant INT16 = 2;
    uint8 internal constant INT32 = 3;
    uint8 internal constant INT64 = 4;

    /// @notice The element type is not 1..4.
    error TensorCodecInvalidElementType(uint8 elementType);
    /// @notice The byte length is not a multiple of the element width.
    error TensorCodecInvalidLength(uint256 length, uint256 width);
    /// @notice A value does not fit the element type.
    error TensorCodecValueOutOfRange(int256 value, uint8 elementType);
    /// @notice The element index is past the end.
    error TensorCodecIndexOutOfBounds(uint256 index, uint256 count);

    /// @notice Width in bytes of an element type.
    function width(uint8 elementType) internal pure returns (uint256) {
        if (elementType == 0 || elementType > 4) revert TensorCodecInvalidElementType(elementType);
        return 1 << (elementType - 1);
    }

    function encodeInt8(int8[] memory values) internal pure returns (bytes memory) {
        return _encode(_words(values), 1);
    }

    function encodeInt16(int16[] memory values) internal pure returns (bytes memory) {
        return _encode(_words(values), 2);
    }

    function encodeInt32(int32[] memory values) internal pure returns (bytes memory) {
        return _encode(_words(values), 4);
    }

    function encodeInt64(int64[] memory values) internal pure returns (bytes memory) {
        return _encode(_words(values), 8);
    }

    /// @notice Encodes `values` as `elementType`, checking that each fits.
    function encode(int256[] memory values, uint8 elementType) internal pure returns (bytes memory) {
        uint256 w = width(elementType);
        int256 max = int256((uint256(1) << (8 * w - 1)) - 1);
        for (uint256 i; i < values.length; ++i) {
            if (values[i] > max || values[i] < -max - 1) revert TensorCodecValueOutOfRange(values[i], elementType);
        }
        return _encode(values, w);
    }

    function decodeInt8(bytes memory data) internal pure returns (int8[] memory values) {
        int256[] memory words = _decode(data, 1);
        assembly ("memory-safe") {
            values := words
        }
    }

    function decodeInt16(bytes memory data) internal pure returns (int16[] memory values) {
        int256[] memory words = _decode(data, 2);
        assembly ("memory-safe") {
            values := words
        }
    }

    function decodeInt32(bytes memory data) internal pure returns (int32[] memory values) {
        int256[] memory words = _decode(data, 4);
        assembly ("memory-safe") {
            values := words
        }
    }

    function decodeInt64(bytes memory data) internal pure returns (int64[] memory values) {
        int256[] memory words = _decode(data, 8);
        assembly ("memory-safe") {
            values := words
        }
    }

    /// @notice Decodes every element of `data` as `elementType`.
    function decode(bytes memory data, uint8 elementType) internal pure returns (int256[] memory) {
        return _decode(data, width(elementType));
    }

    /// @notice Element `index` of `data` as `elementType`, without decoding the rest.
    function at(bytes memory data, uint8 elementType, uint256 index) internal pure returns (int256 value) {
        uint256 w = width(elementType);
        if (data.length % w != 0) revert TensorCodecInvalidLength(data.length, w);
        uint256 count = data.length / w;
        if (index >= count) revert TensorCodecIndexOutOfBounds(index, count);
        assembly ("memory-safe") {
            value := signextend(sub(w, 1), shr(sub(256, mul(8, w)), mload(add(add(data, 0x20), mul(index, w)))))
        }
    }

    /// @notice Element `index` of calldata `data` as `elementType` (cheap in callbacks).
    function atCalldata(bytes calldata data, uint8 elementType, uint256 index) internal pure returns (int256 value) {
        uint256 w = width(elementType);
        if (data.length % w != 0) revert TensorCodecInvalidLength(data.length, w);
        uint256 count = data.length / w;
        if (index >= count) revert TensorCodecIndexOutOfBounds(index, count);
        assembly {
            value := signextend(sub(w, 1), shr(sub(256, mul(8, w)), calldataload(add(data.offset, mul(index, w)))))
        }
    }

    /// @dev Memory arrays of any intN keep one sign-extended element per word: reinterpret as int256[].
    function _words(int8[] memory values) private pure returns (int256[] memory words) {
        assembly ("memory-safe") {
            words := values
        }
    }

    function _words(int16[] memory values) private pure returns (int256[] memory words) {
        assembly ("memory-safe") {
            words := values
        }
    }

    function _words(int32[] memory values) private pure returns (int256[] memory words) {
        assembly ("memory-safe") {
            words := values
        }
    }

    function _words(int64[] memory values) private pure returns (int256[] memory words) {
        assembly ("memory-safe") {
            words := values
        }
    }

    /// @dev Writes the low `w` bytes of each word big-endian. The values must fit (typed arrays do by construction).
    function _encode(int256[] memory values, uint256 w) private pure returns (bytes memory data) {
        uint256 n = values.length;
        data = new bytes(n * w);
        assembly ("memory-safe") {
            let shift := sub(256, mul(8, w))
            let out := add(data, 0x20)
            let src := add(values, 0x20)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // Each store writes w bytes and 32 - w zero bytes that the next element overwrites; the last one's
                // zeros land in the zeroed padding of `data` or in free memory, which needs no particular content.
                mstore(add(out, mul(i, w)), shl(shift, mload(add(src, mul(i, 0x20)))))
            }
            // Move the free memory pointer past any bytes written beyond the allocation.
            let end := add(out, add(mul(n, w), 0x20))
            if gt(end, mload(0x40)) { mstore(0x40, end) }
        }
    }

    function _decode(bytes memory data, uint256 w) private pure returns (int256[] memory values) {
        if (data.length % w != 0) revert TensorCodecInvalidLength(data.length, w);
        uint256 n = data.length / w;
        values = new int256[](n);
        assembly ("memory-safe") {
            let shift := sub(256, mul(8, w))
            let src := add(data, 0x20)
            let dst := add(values, 0x20)
            let b := sub(w, 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(dst, mul(i, 0x20)), signextend(b, shr(shift, mload(add(src, mul(i, w))))))
            }
        }
    }
}
