// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Content-hash-pinned ONNX models with immutable specs and fee. The registry owner is governance: it can
/// revoke any model.
contract ModelRegistry is IModelRegistry, Ownable2Step {
    string public constant typeAndVersion = "ModelRegistry 1.0.0";

    uint256 private constant _MAX_TENSOR_BYTES = 4096;
    uint256 private constant _MAX_DIMENSIONS = 8;
    uint8 private constant _MAX_DECIMALS = 18;

    /// @dev The first slot is all `modelTerms` reads.
    struct _Model {
        uint96 fee;
        uint32 inputBytes; // non-zero once registered
        uint32 outputBytes;
        bool revoked;
        address owner;
        string uri;
        TensorSpec input;
        TensorSpec output;
    }

    mapping(bytes32 modelId => _Model) private _models;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IModelRegistry
    function registerModel(bytes32 modelId, string calldata uri, TensorSpec calldata input, TensorSpec calldata output, uint96 fee)
        external
    {
        if (modelId == bytes32(0)) revert ModelRegistryZeroModelId();
        _Model storage model = _models[modelId];
        if (model.inputBytes != 0) revert ModelRegistryAlreadyRegistered(modelId);
        uint32 inputBytes = _validate(input);
        uint32 outputBytes = _validate(output);
        model.fee = fee;
        model.inputBytes = inputBytes;
        model.outputBytes = outputBytes;
        model.owner = msg.sender;
        model.uri = uri;
        model.input = input;
        model.output = output;
        emit ModelRegistered(modelId, msg.sender, fee, inputBytes, outputBytes, uri);
    }

    /// @inheritdoc IModelRegistry
    function revokeModel(bytes32 modelId) external {
        _Model storage model = _models[modelId];
        if (model.inputBytes == 0) revert ModelRegistryUnknownModel(modelId);
        if (model.revoked) revert ModelRegistryAlreadyRevoked(modelId);
        if (msg.sender != model.owner && msg.sender != owner()) revert ModelRegistryUnauthorized(modelId, msg.sender);
        model.revoked = true;
        emit ModelRevoked(modelId, msg.sender);
    }

    /// @inheritdoc IModelRegistry
    function getModel(bytes32 modelId) external view returns (ModelInfo memory) {
        _Model storage model = _models[modelId];
        if (model.inputBytes == 0) revert ModelRegistryUnknownModel(modelId);
        return ModelInfo({
            owner: model.owner,
            fee: model.fee,
            revoked: model.revoked,
            inputBytes: model.inputBytes,
            outputBytes: model.outputBytes,
            uri: model.uri,
            input: model.input,
            output: model.output
        });
    }

    /// @inheritdoc IModelRegistry
    function modelTerms(bytes32 modelId) external view returns (bool active, uint96 fee, uint32 inputBytes, uint32 outputBytes) {
        _Model storage model = _models[modelId];
        inputBytes = model.inputBytes;
        active = inputBytes != 0 && !model.revoked;
        fee = model.fee;
        outputBytes = model.outputBytes;
    }

    /// @inheritdoc IModelRegistry
    function tensorByteLength(TensorSpec calldata spec) external pure returns (uint32) {
        return _validate(spec);
    }

    /// @dev Checks a spec against docs/PROTOCOL.md and returns its byte length.
    function _validate(TensorSpec calldata spec) private pure returns (uint32) {
        uint8 elementType = spec.elementType;
        if (elementType == 0 || elementType > 4) revert ModelRegistryInvalidElementType(elementType);
        if (spec.decimals > _MAX_DECIMALS) revert ModelRegistryInvalidDecimals(spec.decimals);
        uint256 width = 1 << (elementType - 1);
        // The element type's range: [-2^(8w-1), 2^(8w-1) - 1].
        int256 typeMax = int256((uint256(1) << (8 * width - 1)) - 1);
        if (spec.minValue > spec.maxValue || spec.minValue < -typeMax - 1 || spec.maxValue > typeMax) {
            revert ModelRegistryInvalidRange(spec.minValue, spec.maxValue);
        }
        uint256 dimensions = spec.shape.length;
        if (dimensions == 0 || dimensions > _MAX_DIMENSIONS) revert ModelRegistryInvalidShape();
        uint256 byteLength = width;
        for (uint256 i; i < dimensions; ++i) {
            uint256 dimension = spec.shape[i];
            if (dimension == 0) revert ModelRegistryInvalidShape();
            byteLength *= dimension; // at most 8 factors < 2^32 each times 8: cannot overflow uint256
            if (byteLength > _MAX_TENSOR_BYTES) revert ModelRegistryTensorTooLarge(byteLength);
        }
        return uint32(byteLength);
    }
}
