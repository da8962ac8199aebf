// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSetup} from "./utils/OracleSetup.sol";
import {IInferenceOracle} from "../contracts/interfaces/IInferenceOracle.sol";

/// @dev Drives the oracle with random requests, results, failure reports, cancellations and withdrawals, and keeps
/// ghost books of what must hold.
contract OracleHandler is OracleSetup {
    struct Open {
        uint256 id;
        IInferenceOracle.Request request;
    }

    Open[] internal _open;
    uint256[] internal _closed;
    address[] internal _accounts;
    mapping(uint256 requestId => uint256) public settlements;

    uint256 public openFees;
    uint256 public doubleSettlements;
    uint256 public credited;
    uint256 public withdrawn;

    constructor() {
        _deploy();
        for (uint256 i; i < OPERATORS; ++i) _accounts.push(vm.addr(operatorKeys[i]));
        _accounts.push(address(0xA11CE));
        _accounts.push(address(0xB0B));
    }

    function deployed() external view returns (InferenceOracle_ memory) {
        return InferenceOracle_(address(oracle), _accounts);
    }

    struct InferenceOracle_ {
        address oracle;
        address[] accounts;
    }

    function request(uint256 requesterSeed, uint8 k, uint96 extra, bytes32 input) external {
        k = uint8(bound(k, 1, 3));
        uint96 fee = FEE * k + uint96(bound(extra, 0, 1 ether));
        address requester = requesterSeed % 2 == 0 ? address(0xA11CE) : address(0xB0B);
        (uint256 id, IInferenceOracle.Request memory r) = _request(requester, k, fee, abi.encodePacked(input, input));
        _open.push();
        Open storage o = _open[_open.length - 1];
        o.id = id;
        o.request = r;
        openFees += fee;
    }

    function fulfil(uint256 which, uint256 operatorSeed, bool disagree) external {
        if (_open.length == 0) return;
        uint256 index = which % _open.length;
        Open memory o = _open[index];
        bytes memory output = abi.encodePacked(disagree ? bytes32(uint256(2)) : bytes32(uint256(1)));
        IInferenceOracle.Fulfilment memory f = _fulfilment(operatorKeys[operatorSeed % OPERATORS], o.id, o.request, output);
        uint256 stakesBefore = _totalStake();
        try oracle.fulfil(f) {
            if (oracle.requestStatus(o.id) == IInferenceOracle.Status.Fulfilled) {
                _settle(index, o.request.fee);
            }
        } catch {}
        credited += stakesBefore - _totalStake(); // quorum penalties are credited by the oracle
    }

    function fail(uint256 which, uint256 operatorSeed, uint16 reason) external {
        if (_open.length == 0) return;
        uint256 index = which % _open.length;
        Open memory o = _open[index];
        reason = uint16(bound(reason, 1, 10));
        bytes32 digest = oracle.failureDigest(o.id, o.request.modelId, o.request.inputHash, reason, RUNTIME);
        IInferenceOracle.FailureReport memory report = IInferenceOracle.FailureReport({
            requestId: o.id,
            request: o.request,
            reason: reason,
            runtime: RUNTIME,
            signature: _sign(operatorKeys[operatorSeed % OPERATORS], digest)
        });
        uint256 stakesBefore = _totalStake();
        try oracle.reportFailure(report) {
            if (oracle.requestStatus(o.id) == IInferenceOracle.Status.Failed) _settle(index, o.request.fee);
        } catch {}
        credited += stakesBefore - _totalStake();
    }

    function cancel(uint256 which, uint256 wait) external {
        if (_open.length == 0) return;
        uint256 index = which % _open.length;
        Open memory o = _open[index];
        vm.warp(block.timestamp + bound(wait, 0, 2 hours));
        vm.prank(o.request.requester);
        try oracle.cancel(o.id, o.request) {
            _settle(index, o.request.fee);
        } catch {}
    }

    function withdraw(uint256 accountSeed) external {
        address account = _accounts[accountSeed % _accounts.length];
        uint256 balance = oracle.balanceOf(account);
        vm.prank(account);
        try oracle.withdraw() {
            withdrawn += balance;
        } catch {}
    }

    /// Re-settling a closed request must always fail.
    function resettle(uint256 which, uint256 operatorSeed) external {
        if (_closed.length == 0) return;
        uint256 id = _closed[which % _closed.length];
        // Any request struct: the status check comes first.
        IInferenceOracle.Request memory r;
        IInferenceOracle.Fulfilment memory f = _fulfilment(operatorKeys[operatorSeed % OPERATORS], id, r, new bytes(32));
        try oracle.fulfil(f) {
            doubleSettlements++;
        } catch {}
    }

    /// Operators slashed below minStake stop committing; top them up so the run keeps exercising quorums.
    function restake(uint256 operatorSeed) external {
        address op = vm.addr(operatorKeys[operatorSeed % OPERATORS]);
        vm.deal(op, MIN_STAKE);
        vm.prank(op);
        try operators.addStake{value: MIN_STAKE}() {
            toppedUp += MIN_STAKE;
        } catch {}
    }

    function slashedTotal() external view returns (uint256) {
        return OPERATORS * MIN_STAKE + toppedUp - _totalStake();
    }

    uint256 public toppedUp;

    function _totalStake() private view returns (uint256 total) {
        for (uint256 i; i < OPERATORS; ++i) total += operators.operatorInfo(vm.addr(operatorKeys[i])).stake;
    }

    function _settle(uint256 index, uint256 fee) private {
        uint256 id = _open[index].id;
        settlements[id]++;
        if (settlements[id] > 1) doubleSettlements++;
        openFees -= fee;
        credited += fee;
        _closed.push(id);
        _open[index] = _open[_open.length - 1];
        _open.pop();
    }
}

contract OracleInvariantTest is OracleSetup {
    OracleHandler internal handler;
    IInferenceOracle internal target;
    address[] internal accounts;

    function setUp() public {
        handler = new OracleHandler();
        OracleHandler.InferenceOracle_ memory d = handler.deployed();
        target = IInferenceOracle(d.oracle);
        accounts = d.accounts;
    }

    /// @dev Read by the invariant runner: only the handler is called.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Escrow: the oracle holds exactly the fees of open requests plus the unpaid balances.
    function invariant_escrowEqualsOpenFeesPlusBalances() public view {
        uint256 balances;
        for (uint256 i; i < accounts.length; ++i) balances += target.balanceOf(accounts[i]);
        assertEq(address(target).balance, handler.openFees() + balances, "escrow");
        assertEq(handler.credited(), balances + handler.withdrawn(), "credits");
    }

    /// The handler really settles, fails, cancels and withdraws (so the invariants are not vacuous).
    function test_handlerMakesProgress() public {
        handler.request(0, 1, 0, bytes32(uint256(1)));
        handler.request(1, 2, 5, bytes32(uint256(2)));
        handler.request(0, 1, 7, bytes32(uint256(3)));
        handler.request(1, 1, 9, bytes32(uint256(4)));
        handler.fulfil(0, 0, false); // k = 1: settles
        handler.resettle(0, 1);
        handler.fulfil(0, 1, false); // k = 2: first vote (index 0 is now the last pushed request)
        handler.fail(1, 2, 8);
        handler.cancel(0, 2 hours);
        handler.withdraw(0);
        handler.withdraw(4);
        // A k = 2 quorum with a losing commitment: operator 3 is slashed.
        handler.request(0, 2, 0, bytes32(uint256(5)));
        uint256 last = 3; // the open list now holds 4 requests, the new one last
        handler.fulfil(last, 3, true);
        handler.fulfil(last, 0, false);
        handler.fulfil(last, 1, false);
        assertTrue(handler.slashedTotal() > 0, "slashed");
        handler.restake(3);
        assertTrue(handler.credited() > 0, "credited");
        assertTrue(handler.withdrawn() > 0, "withdrawn");
        assertTrue(handler.openFees() < FEE * 5 + 1 ether, "open fees shrank");
        invariant_escrowEqualsOpenFeesPlusBalances();
        invariant_settlesAtMostOnce();
    }

    /// A request settles at most once.
    function invariant_settlesAtMostOnce() public view {
        assertEq(handler.doubleSettlements(), 0, "double settlement");
    }
}
