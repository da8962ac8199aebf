// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IModelRegistry
/// @notice Registry of ONNX models pinned by content hash (`modelId = keccak256(file bytes)`). A model's hash, owner,
/// URI, tensor specs and fee never change; a model can only be revoked, by its owner or by governance.
interface IModelRegistry {
    /// @notice Shape and value range of a tensor in the packed big-endian wire format (docs/PROTOCOL.md).
    /// @param elementType 1 = INT8, 2 = INT16, 3 = INT32, 4 = INT64.
    /// @param decimals Fixed-point decimals of every element, at most 18.
    /// @param minValue Smallest allowed element, inside the element type's range.
    /// @param maxValue Largest allowed element, inside the element type's range, at least `minValue`.
    /// @param shape 1..8 dimensions, each at least 1.
    struct TensorSpec {
        uint8 elementType;
        uint8 decimals;
        int64 minValue;
        int64 maxValue;
        uint32[] shape;
    }

    /// @notice Everything the registry knows about a model.
    struct ModelInfo {
        address owner;
        uint96 fee;
        bool revoked;
        uint32 inputBytes;
        uint32 outputBytes;
        string uri;
        TensorSpec input;
        TensorSpec output;
    }

    /// @notice The model id is zero.
    error ModelRegistryZeroModelId();
    /// @notice A model with this id is already registered.
    error ModelRegistryAlreadyRegistered(bytes32 modelId);
    /// @notice No model with this id is registered.
    error ModelRegistryUnknownModel(bytes32 modelId);
    /// @notice The model is already revoked.
    error ModelRegistryAlreadyRevoked(bytes32 modelId);
    /// @notice `caller` is neither the model's owner nor the registry owner.
    error ModelRegistryUnauthorized(bytes32 modelId, address caller);
    /// @notice The element type is not 1..4.
    error ModelRegistryInvalidElementType(uint8 elementType);
    /// @notice `decimals` is above 18.
    error ModelRegistryInvalidDecimals(uint8 decimals);
    /// @notice The value range is empty or exceeds the element type's range.
    error ModelRegistryInvalidRange(int64 minValue, int64 maxValue);
    /// @notice The shape has no dimension, more than 8, or a zero dimension.
    error ModelRegistryInvalidShape();
    /// @notice The tensor's byte length exceeds 4096.
    error ModelRegistryTensorTooLarge(uint256 byteLength);

    /// @notice A model was registered.
    event ModelRegistered(bytes32 indexed modelId, address indexed owner, uint96 fee, uint32 inputBytes, uint32 outputBytes, string uri);
    /// @notice A model was revoked by `by` (its owner or governance).
    event ModelRevoked(bytes32 indexed modelId, address indexed by);

    /// @notice Registers a model; the caller becomes its owner.
    /// @param modelId keccak256 of the ONNX file bytes.
    /// @param uri Where nodes fetch the file (any scheme; the hash is what counts).
    /// @param input Spec of the input tensor.
    /// @param output Spec of the output tensor.
    /// @param fee Fee in wei per operator result; a request pays at least `fee × redundancy`.
    /// Requirements:
    /// - `modelId` is non-zero and not registered yet.
    /// - both specs are valid (docs/PROTOCOL.md, "Tensor wire format").
    /// Emits {ModelRegistered}.
    function registerModel(bytes32 modelId, string calldata uri, TensorSpec calldata input, TensorSpec calldata output, uint96 fee)
        external;

    /// @notice Revokes a model for good; pending requests for it become cancellable.
    /// @param modelId The model.
    /// Requirements:
    /// - the model exists and is not revoked.
    /// - the caller is the model's owner or the registry owner.
    /// Emits {ModelRevoked}.
    function revokeModel(bytes32 modelId) external;

    /// @notice Everything about a model.
    /// @param modelId The model.
    /// Requirements:
    /// - the model exists.
    function getModel(bytes32 modelId) external view returns (ModelInfo memory);

    /// @notice The cheap read the oracle makes on every request (one storage slot).
    /// @param modelId The model.
    /// @return active Registered and not revoked.
    /// @return fee Fee per operator result in wei.
    /// @return inputBytes Exact byte length of an input tensor.
    /// @return outputBytes Exact byte length of an output tensor.
    function modelTerms(bytes32 modelId) external view returns (bool active, uint96 fee, uint32 inputBytes, uint32 outputBytes);

    /// @notice Byte length of a tensor with this spec (product of the shape × element width).
    /// @param spec The spec; it is validated first.
    /// Requirements:
    /// - the spec is valid.
    function tensorByteLength(TensorSpec calldata spec) external pure returns (uint32);
}
