import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";
import { MIN_STAKE, UNBONDING_DELAY, deployFixture, type Fixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);

/** A registry whose "oracle" is an EOA, so slashing can be driven directly. */
async function slashable(f: Fixture) {
  const registry = await ethers.deployContract("OperatorRegistry", [f.governance.address, MIN_STAKE, UNBONDING_DELAY]);
  await registry.connect(f.governance).setOracle(f.outsider.address);
  await registry.connect(f.op1).register({ value: MIN_STAKE * 2n });
  return registry;
}

describe("OperatorRegistry: register and stake", () => {
  it("registers with at least minStake and tops up", async () => {
    const f = await load();
    await expect(f.operators.connect(f.unstaked).register({ value: MIN_STAKE }))
      .to.emit(f.operators, "OperatorRegistered").withArgs(f.unstaked.address, MIN_STAKE);
    expect(await f.operators.isActive(f.unstaked.address)).to.equal(true);
    await expect(f.operators.connect(f.unstaked).addStake({ value: 5n }))
      .to.emit(f.operators, "StakeAdded").withArgs(f.unstaked.address, 5n, MIN_STAKE + 5n);
    const info = await f.operators.operatorInfo(f.unstaked.address);
    expect([info.stake, info.unbondingAt, info.registered]).to.deep.equal([MIN_STAKE + 5n, 0n, true]);
    expect(await f.operators.minStake()).to.equal(MIN_STAKE);
    expect(await f.operators.unbondingDelay()).to.equal(UNBONDING_DELAY);
    expect(await f.operators.oracle()).to.equal(await f.oracle.getAddress());
    expect(await f.operators.typeAndVersion()).to.equal("OperatorRegistry 1.0.0");
  });

  it("rejects too little stake, double registration and top-ups of strangers", async () => {
    const f = await load();
    await expect(f.operators.connect(f.unstaked).register({ value: MIN_STAKE - 1n }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryInsufficientStake").withArgs(MIN_STAKE - 1n, MIN_STAKE);
    await expect(f.operators.connect(f.op1).register({ value: MIN_STAKE }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryAlreadyRegistered").withArgs(f.op1.address);
    await expect(f.operators.connect(f.unstaked).addStake({ value: 1n }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryNotRegistered").withArgs(f.unstaked.address);
    expect(await f.operators.isActive(f.unstaked.address)).to.equal(false);
  });
});

describe("OperatorRegistry: unbonding", () => {
  it("is inactive at once and withdraws after the delay", async () => {
    const f = await load();
    const tx = await f.operators.connect(f.op1).requestUnbond();
    const at = BigInt((await tx.getBlock())!.timestamp) + UNBONDING_DELAY;
    await expect(tx).to.emit(f.operators, "UnbondRequested").withArgs(f.op1.address, MIN_STAKE, at);
    expect(await f.operators.isActive(f.op1.address)).to.equal(false);
    await expect(f.operators.connect(f.op1).requestUnbond())
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryUnbonding").withArgs(f.op1.address, at);
    await expect(f.operators.connect(f.op1).addStake({ value: 1n }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryUnbonding").withArgs(f.op1.address, at);
    await expect(f.operators.connect(f.op1).withdrawStake())
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryUnbondingNotOver").withArgs(f.op1.address, at);
    await networkHelpers.time.increaseTo(at);
    const w = f.operators.connect(f.op1).withdrawStake();
    await expect(w).to.emit(f.operators, "StakeWithdrawn").withArgs(f.op1.address, MIN_STAKE);
    await expect(w).to.changeEtherBalance(ethers, f.op1, MIN_STAKE);
    expect((await f.operators.operatorInfo(f.op1.address)).registered).to.equal(false);
    await expect(f.operators.connect(f.op1).register({ value: MIN_STAKE })).to.emit(f.operators, "OperatorRegistered");
  });

  it("requires registration and a pending unbond", async () => {
    const f = await load();
    await expect(f.operators.connect(f.unstaked).requestUnbond())
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryNotRegistered").withArgs(f.unstaked.address);
    await expect(f.operators.connect(f.unstaked).withdrawStake())
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryNotRegistered").withArgs(f.unstaked.address);
    await expect(f.operators.connect(f.op1).withdrawStake())
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryNotUnbonding").withArgs(f.op1.address);
  });
});

describe("OperatorRegistry: slashing", () => {
  it("only by the oracle", async () => {
    const f = await load();
    await expect(f.operators.connect(f.governance).slash(f.op1.address, 1n, f.governance.address))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryOnlyOracle").withArgs(f.governance.address);
  });

  it("moves stake to the beneficiary, capped at the stake, also while unbonding", async () => {
    const f = await load();
    const registry = await slashable(f);
    const tx = registry.connect(f.outsider).slash(f.op1.address, MIN_STAKE + 1n, f.requester.address);
    await expect(tx).to.emit(registry, "OperatorSlashed").withArgs(f.op1.address, MIN_STAKE + 1n, f.requester.address);
    await expect(tx).to.changeEtherBalance(ethers, f.requester, MIN_STAKE + 1n);
    expect(await registry.isActive(f.op1.address)).to.equal(false); // below minStake
    await registry.connect(f.op1).requestUnbond();
    await expect(registry.connect(f.outsider).slash(f.op1.address, MIN_STAKE * 5n, f.requester.address))
      .to.emit(registry, "OperatorSlashed").withArgs(f.op1.address, MIN_STAKE - 1n, f.requester.address);
    expect((await registry.operatorInfo(f.op1.address)).stake).to.equal(0n);
    await expect(registry.connect(f.outsider).slash(f.op2.address, 1n, f.requester.address))
      .to.be.revertedWithCustomError(registry, "OperatorRegistryNotRegistered").withArgs(f.op2.address);
  });

  it("the oracle is set once, by the owner, non-zero", async () => {
    const f = await load();
    const registry = await ethers.deployContract("OperatorRegistry", [f.governance.address, MIN_STAKE, UNBONDING_DELAY]);
    await expect(registry.connect(f.outsider).setOracle(f.outsider.address))
      .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount").withArgs(f.outsider.address);
    await expect(registry.connect(f.governance).setOracle(ZeroAddress))
      .to.be.revertedWithCustomError(registry, "OperatorRegistryZeroAddress");
    await expect(registry.connect(f.governance).setOracle(f.outsider.address)).to.emit(registry, "OracleSet").withArgs(f.outsider.address);
    await expect(registry.connect(f.governance).setOracle(f.requester.address))
      .to.be.revertedWithCustomError(registry, "OperatorRegistryOracleAlreadySet").withArgs(f.outsider.address);
  });
});

describe("OperatorRegistry: transfers", () => {
  it("reports a beneficiary that refuses ether", async () => {
    const f = await load();
    const registry = await slashable(f);
    const refuser = await f.models.getAddress(); // no receive function
    await expect(registry.connect(f.outsider).slash(f.op1.address, 5n, refuser))
      .to.be.revertedWithCustomError(registry, "OperatorRegistryTransferFailed").withArgs(refuser, 5n);
  });
});

describe("OperatorRegistry: stake bounds", () => {
  it("rejects stakes above 2^128 - 1 wei", async () => {
    const f = await load();
    const max = (1n << 128n) - 1n;
    await networkHelpers.setBalance(f.unstaked.address, 1n << 130n);
    await expect(f.operators.connect(f.unstaked).register({ value: max + 1n }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryStakeOverflow");
    await f.operators.connect(f.unstaked).register({ value: max - 1n });
    await expect(f.operators.connect(f.unstaked).addStake({ value: 2n }))
      .to.be.revertedWithCustomError(f.operators, "OperatorRegistryStakeOverflow");
  });
});
