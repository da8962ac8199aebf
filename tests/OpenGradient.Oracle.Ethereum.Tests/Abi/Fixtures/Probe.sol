// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IProbe {
    struct Item { uint256 id; bytes32[] tags; }
    event Stored(uint256 indexed id, address indexed by, Item item);
    error ProbeTooBig(uint256 id, uint256 max);
    function store(Item calldata item) external returns (uint256);
}

contract Probe is IProbe {
    uint256 private _count;
    function store(Item calldata item) external returns (uint256) {
        if (item.id > 1000) revert ProbeTooBig(item.id, 1000);
        _count++;
        emit Stored(item.id, msg.sender, item);
        return _count;
    }
}
