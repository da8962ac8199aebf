// Issue 20's attacks, run against InferenceOracle 1.0.0 as it stands: each test shows the attack SUCCEEDING and states
// what the attacker spent and gained. They are the "before" half of the adversarial suite; the redesign replaces them
// with tests of the same attacks failing.
import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, keccak256 } from "ethers";
import {
  FEE, INPUT, INPUT_SPEC, MIN_STAKE, MODEL_ID, OTHER_OUTPUT, OUTPUT, deadlineIn, deployFixture, eoaRequest, failureReport,
  fulfilment, requestFrom, type Fixture,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);

async function attackerKeys(f: Fixture, n: number) {
  const signers = await ethers.getSigners();
  const keys = signers.slice(10, 10 + n);
  for (const k of keys) await f.operators.connect(k).register({ value: MIN_STAKE });
  return keys;
}

async function wealth(f: Fixture, accounts: string[]) {
  let total = 0n;
  for (const a of accounts) total += (await ethers.provider.getBalance(a)) + (await f.oracle.balanceOf(a)) + (await f.operators.operatorInfo(a)).stake;
  return total;
}

describe("Attacks on 1.0.0 (each succeeds)", () => {
  it("1: a challenger decides a dispute atomically with two own keys and slashes the honest operator", async () => {
    const f = await load();
    const [a1, a2] = await attackerKeys(f, 2);
    const attacker = await ethers.deployContract("AtomicDisputeAttacker", [await f.oracle.getAddress()]);
    const r = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(
      MODEL_ID, INPUT, 0, await deadlineIn(ethers, 3600n), { value: FEE }));
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT)); // honest, correct
    const votes = [await fulfilment(f, a1, r.requestId, r.request, OTHER_OUTPUT), await fulfilment(f, a2, r.requestId, r.request, OTHER_OUTPUT)];
    const owned = [a1.address, a2.address, await attacker.getAddress()];
    const before = await wealth(f, owned);
    const bond = await f.oracle.challengeBond();
    await attacker.attack(r.requestId, keccak256(OTHER_OUTPUT), votes, { value: bond }); // gas and bond paid by governance here
    const after = await wealth(f, owned);
    const record = await f.oracle.finality(r.requestId);
    expect(record.stage).to.equal(3n); // final, with the attacker's output
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal(MIN_STAKE - MIN_STAKE / 5n);
    // Spent: gas; the bond comes back. Gained: the fee and the whole slash (half as challenger reward, half as
    // re-executor pay).
    expect(after - before - bond).to.equal(FEE + MIN_STAKE / 5n);
  });

  it("2: a requester with k keys lets an honest node answer, outvotes it in one batch and harvests its stake", async () => {
    const f = await load();
    const [a1, a2] = await attackerKeys(f, 2);
    const owned = [f.requester.address, a1.address, a2.address];
    const before = await wealth(f, owned);
    const r = await eoaRequest(ethers, f, 2n);
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT)); // honest
    const batch = [await fulfilment(f, a1, r.requestId, r.request, OTHER_OUTPUT), await fulfilment(f, a2, r.requestId, r.request, OTHER_OUTPUT)];
    await f.oracle.connect(f.relayer).fulfilBatch(batch);
    expect(await f.oracle.requestStatus(r.requestId)).to.equal(2n);
    const after = await wealth(f, owned);
    // Spent: gas (paid by the relayer here). Gained: the honest operator's slash, all of it (half as requester).
    expect(after - before).to.be.greaterThan(MIN_STAKE / 10n - 10n ** 15n);
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal(MIN_STAKE - MIN_STAKE / 10n);
  });

  it("3: a result whose output is a failure vote's preimage counts as that failure vote", async () => {
    const f = await load();
    const wide = keccak256("0x01");
    const spec128 = { elementType: 4, decimals: 0, minValue: -(2n ** 63n), maxValue: 2n ** 63n - 1n, shape: [16] };
    await f.models.connect(f.modelOwner).registerModel(wide, "ipfs://wide", INPUT_SPEC, spec128, FEE);
    const r = await requestFrom(f, f.oracle.connect(f.requester).requestInference(wide, INPUT, 0, 2, await deadlineIn(ethers, 3600n), { value: 2n * FEE }));
    const forged = AbiCoder.defaultAbiCoder().encode(["string", "uint16"], ["failure", 3]); // 128 bytes
    expect(forged.length).to.equal(2 + 256);
    await f.oracle.connect(f.relayer).reportFailure(await failureReport(f, f.op1, r.requestId, r.request, 3));
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op2, r.requestId, r.request, forged));
    // The forged "result" agreed with the honest failure report and settled the request as fulfilled.
    expect(await f.oracle.requestStatus(r.requestId)).to.equal(2n);
  });

  it("4a: the requester reads a k = 1 result from the mempool and cancels first for a full refund", async () => {
    const f = await load();
    const r = await eoaRequest(ethers, f, 1n);
    await networkHelpers.time.increaseTo(r.request.deadline + 1n);
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      const item = await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT);
      const fulfil = await f.oracle.connect(f.relayer).fulfil(item, { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n });
      const seen = await ethers.provider.getTransaction(fulfil.hash); // what the mempool shows the requester
      const decoded = f.oracle.interface.decodeFunctionData("fulfil", seen!.data);
      expect(decoded[0].output).to.equal(OUTPUT); // the answer, before anyone is paid
      await f.oracle.connect(f.requester).cancel(r.requestId, r.request, { maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 5n * 10n ** 10n, gasLimit: 200_000n });
      await ethers.provider.send("evm_mine", []);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    expect(await f.oracle.requestStatus(r.requestId)).to.equal(4n); // cancelled: the operator worked for nothing
    expect(await f.oracle.balanceOf(f.requester.address)).to.equal(FEE);
  });

  it("4b: a second voter copies the first vote from its calldata and is paid without computing", async () => {
    const f = await load();
    const r = await eoaRequest(ethers, f, 2n);
    const first = await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT));
    const seen = f.oracle.interface.decodeFunctionData("fulfil", (await ethers.provider.getTransaction(first.hash))!.data);
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op2, r.requestId, r.request, seen[0].output));
    expect(await f.oracle.balanceOf(f.op2.address)).to.equal(FEE);
  });

  it("5: an honest MODEL_REVOKED pair slashes the operator that answered before the revocation", async () => {
    const f = await load();
    const r = await eoaRequest(ethers, f, 2n);
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT));
    await f.models.connect(f.modelOwner).revokeModel(MODEL_ID);
    await f.oracle.connect(f.relayer).reportFailure(await failureReport(f, f.op2, r.requestId, r.request, 5));
    await f.oracle.connect(f.relayer).reportFailure(await failureReport(f, f.op3, r.requestId, r.request, 5));
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal(MIN_STAKE - MIN_STAKE / 10n);
  });

  it("6: anyone squats a model's content hash; the oracle accepts a zero unbonding delay; provisional reads Fulfilled", async () => {
    const f = await load();
    const stolen = keccak256("0xfeed"); // the hash of a file somebody else published
    await f.models.connect(f.outsider).registerModel(stolen, "ipfs://squat", INPUT_SPEC, INPUT_SPEC, 10n ** 18n);
    await expect(f.models.connect(f.modelOwner).registerModel(stolen, "ipfs://real", INPUT_SPEC, INPUT_SPEC, FEE))
      .to.be.revertedWithCustomError(f.models, "ModelRegistryAlreadyRegistered");
    const registry = await ethers.deployContract("OperatorRegistry", [f.governance.address, 1n, 0n]);
    await ethers.deployContract("InferenceOracle", [await f.models.getAddress(), await registry.getAddress()]);
    const r = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(
      MODEL_ID, INPUT, 0, await deadlineIn(ethers, 3600n), { value: FEE }));
    await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, OUTPUT));
    expect(await f.oracle.requestStatus(r.requestId)).to.equal(2n); // "Fulfilled" while still open to challenge
  });

  it("7: a k = 1 operator fails any request with an unrefutable reason and is never challenged", async () => {
    const f = await load();
    const r = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(
      MODEL_ID, INPUT, 0, await deadlineIn(ethers, 3600n), { value: FEE }));
    await f.oracle.connect(f.relayer).reportFailure(await failureReport(f, f.op1, r.requestId, r.request, 6)); // MODEL_FILE_UNAVAILABLE
    expect(await f.oracle.requestStatus(r.requestId)).to.equal(3n);
    await expect(f.oracle.connect(f.outsider).challenge(r.requestId, keccak256(OUTPUT), { value: await f.oracle.challengeBond() }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage");
  });
});
