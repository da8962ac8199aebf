// The opt-in challenge window (issue 5, part 2): provisional result, challenge with a bond, re-execution round,
// loser pays, timeout rule, two-phase delivery. Requests that do not opt in must behave exactly as before.
import { expect } from "chai";
import { network } from "hardhat";
import { ZeroHash, keccak256 } from "ethers";
import { RUNTIME, requestHash } from "../scripts/lib.js";
import {
  CALLBACK_GAS, FEE, INPUT, MIN_STAKE, MODEL_ID, OTHER_OUTPUT, OUTPUT, consumerRequest, deadlineIn, deployFixture,
  eoaRequest, failureReport, fulfilment, requestFrom, type Fixture,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);

const Status = { None: 0n, Pending: 1n, Fulfilled: 2n, Failed: 3n, Cancelled: 4n };
const Stage = { None: 0n, Provisional: 1n, Challenged: 2n, Final: 3n };
const WINDOW = 3600n;
const ROUND = 3600n;
const BOND = MIN_STAKE / 10n;
const CHALLENGE_SLASH = MIN_STAKE / 5n;
const QUORUM_SLASH = MIN_STAKE / 10n;
const THIRD_OUTPUT = "0x" + ["2be", "12c", "352", "1f4"].map((x) => x.padStart(16, "0")).join("");

/** An opted-in request made by the MockConsumer (final callback on). */
async function finalityRequest(f: Fixture, gas = CALLBACK_GAS) {
  return requestFrom(
    f,
    f.consumer.requestWithFinality(MODEL_ID, INPUT, gas, await deadlineIn(ethers, 3600n), { value: FEE }),
  );
}

/** An opted-in request with its provisional result from op1 (`output`, OUTPUT unless told). */
async function provisional(f: Fixture, output = OUTPUT) {
  const r = await finalityRequest(f);
  const tx = await f.oracle.connect(f.relayer).fulfil(await fulfilment(f, f.op1, r.requestId, r.request, output));
  const receipt = (await tx.wait())!;
  const settledAt = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
  return { ...r, tx, windowEnd: settledAt + WINDOW };
}

async function challenged(f: Fixture, original = OUTPUT, claim = OTHER_OUTPUT, challenger = f.outsider) {
  const p = await provisional(f, original);
  await f.oracle.connect(challenger).challenge(p.requestId, keccak256(claim), { value: BOND });
  const record = await f.oracle.finality(p.requestId);
  return { ...p, roundEnd: record.deadline as bigint };
}

describe("Challenge window: opting in", () => {
  it("emits the same Request (same hash) plus FinalityRequested, and the request is pending as any other", async () => {
    const f = await load();
    const deadline = await deadlineIn(ethers, 3600n);
    const tx = f.consumer.requestWithFinality(MODEL_ID, INPUT, CALLBACK_GAS, deadline, { value: FEE });
    const expected = {
      requester: await f.consumer.getAddress(), fee: FEE, modelId: MODEL_ID, inputHash: keccak256(INPUT), deadline,
      callbackGasLimit: CALLBACK_GAS, outputBytes: 32n, redundancy: 1n,
    };
    await expect(tx).to.emit(f.oracle, "InferenceRequested").withArgs(1n, MODEL_ID, expected.requester, Object.values(expected), INPUT);
    await expect(tx).to.emit(f.oracle, "FinalityRequested").withArgs(1n, WINDOW);
    expect(await f.oracle.requestHash(expected)).to.equal(requestHash(expected));
    expect(await f.oracle.requestStatus(1n)).to.equal(Status.Pending);
    expect((await f.oracle.finality(1n)).stage).to.equal(Stage.None);
    expect(await f.oracle.nextRequestId()).to.equal(2n);
  });

  it("validates the request like requestInference", async () => {
    const f = await load();
    const d = await deadlineIn(ethers, 3600n);
    await expect(f.oracle.requestInferenceWithFinality(MODEL_ID, INPUT + "00", 0, d, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInputLengthMismatch").withArgs(MODEL_ID, 64n, 65n);
    await expect(f.oracle.requestInferenceWithFinality(MODEL_ID, INPUT, 0, d, { value: FEE - 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInsufficientFee").withArgs(FEE - 1n, FEE);
  });

  it("can be cancelled before a result and settles a failure report at once", async () => {
    const f = await load();
    const a = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(
      MODEL_ID, INPUT, 0, await deadlineIn(ethers, 60n), { value: FEE }));
    await networkHelpers.time.increaseTo(a.request.deadline + 1n);
    await expect(f.oracle.connect(f.requester).cancel(a.requestId, a.request)).to.emit(f.oracle, "InferenceCancelled");
    const b = await finalityRequest(f);
    const fail = f.oracle.reportFailure(await failureReport(f, f.op1, b.requestId, b.request, 8));
    await expect(fail).to.emit(f.oracle, "InferenceFailed").withArgs(b.requestId, 8);
    await expect(fail).to.emit(f.consumer, "FailureReceived").withArgs(b.requestId, 8);
    expect((await f.oracle.finality(b.requestId)).stage).to.equal(Stage.None);
    const c = await finalityRequest(f);
    await expect(f.oracle.reportFailure(await failureReport(f, f.op1, c.requestId, c.request, 8), { gasLimit: 150_000 }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInsufficientGas");
  });
});

describe("Challenge window: two-phase delivery", () => {
  it("a provisional result emits events only: no payment, no callback, settles once", async () => {
    const f = await load();
    const { requestId, request, tx, windowEnd } = await provisional(f);
    const h = keccak256(OUTPUT);
    await expect(tx).to.emit(f.oracle, "CommitmentRecorded").withArgs(requestId, f.op1.address, h, RUNTIME);
    await expect(tx).to.emit(f.oracle, "InferenceFulfilled").withArgs(requestId, h, OUTPUT);
    await expect(tx).to.emit(f.oracle, "ResultProvisional").withArgs(requestId, f.op1.address, h, windowEnd);
    await expect(tx).not.to.emit(f.oracle, "PaymentCredited");
    await expect(tx).not.to.emit(f.consumer, "ResultReceived");
    expect(await f.consumer.calls()).to.equal(0n);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Fulfilled);
    const record = await f.oracle.finality(requestId);
    expect([record.requestHash, record.outputHash, record.operator, record.deadline, record.stage])
      .to.deep.equal([requestHash(request), h, f.op1.address, windowEnd, Stage.Provisional]);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op2, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Fulfilled);
  });

  it("finalize is refused before the window closes, then pays the operator and calls back once", async () => {
    const f = await load();
    const { requestId, request, windowEnd } = await provisional(f);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotFinalizable").withArgs(requestId, windowEnd);
    await networkHelpers.time.setNextBlockTimestamp(windowEnd - 1n);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotFinalizable").withArgs(requestId, windowEnd);
    await networkHelpers.time.setNextBlockTimestamp(windowEnd);
    await expect(f.oracle.finalize(requestId, request, OTHER_OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleOutputMismatch")
      .withArgs(requestId, keccak256(OUTPUT), keccak256(OTHER_OUTPUT));
    await expect(f.oracle.finalize(requestId, { ...request, fee: 1n }, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleRequestMismatch").withArgs(requestId);
    const tx = f.oracle.connect(f.outsider).finalize(requestId, request, OUTPUT);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE);
    await expect(tx).to.emit(f.oracle, "ResultFinalized").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
    await expect(tx).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    await expect(tx).not.to.emit(f.oracle, "ChallengeTimedOut");
    expect(await f.consumer.calls()).to.equal(1n);
    expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
    expect((await f.oracle.finality(requestId)).stage).to.equal(Stage.Final);
  });

  it("a second finalize is refused", async () => {
    const f = await load();
    const { requestId, request, windowEnd } = await provisional(f);
    await networkHelpers.time.increaseTo(windowEnd);
    await f.oracle.finalize(requestId, request, OUTPUT);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Final);
    await expect(f.oracle.challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Final);
    expect(await f.consumer.calls()).to.equal(1n);
    expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
  });

  it("an EOA requester's opted-in result is finalized without a callback", async () => {
    const f = await load();
    const { requestId, request } = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(
      MODEL_ID, INPUT, 0, await deadlineIn(ethers, 3600n), { value: FEE }));
    await f.oracle.fulfil(await fulfilment(f, f.op2, requestId, request));
    await networkHelpers.time.increase(Number(WINDOW));
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.emit(f.oracle, "ResultFinalized").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
    expect(await f.oracle.balanceOf(f.op2.address)).to.equal(FEE);
  });

  it("the final callback gets its full gas limit or the call reverts (63/64 rule)", async () => {
    const f = await load();
    const { requestId, request, windowEnd } = await provisional(f);
    await networkHelpers.time.increaseTo(windowEnd);
    await expect(f.oracle.finalize(requestId, request, OUTPUT, { gasLimit: 150_000 }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInsufficientGas");
    await f.oracle.finalize(requestId, request, OUTPUT, { gasLimit: 1_000_000 });
    expect(await f.consumer.gasAtEntry()).to.be.greaterThan(CALLBACK_GAS - 5_000n);
  });
});

describe("Challenge window: challenge", () => {
  it("is refused at and after the end of the window", async () => {
    const f = await load();
    const { requestId, windowEnd } = await provisional(f);
    await networkHelpers.time.setNextBlockTimestamp(windowEnd);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleChallengeWindowClosed").withArgs(requestId, windowEnd);
  });

  it("needs exactly the bond, a differing claim and a provisional opted-in result", async () => {
    const f = await load();
    expect(await f.oracle.challengeBond()).to.equal(BOND);
    const { requestId } = await provisional(f);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND - 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongBond").withArgs(BOND - 1n, BOND);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND + 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongBond").withArgs(BOND + 1n, BOND);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleClaimNotDifferent").withArgs(requestId, keccak256(OUTPUT));
    await expect(f.oracle.connect(f.outsider).challenge(requestId, ZeroHash, { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleClaimNotDifferent").withArgs(requestId, ZeroHash);
    const tx = f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND });
    await expect(tx).to.emit(f.oracle, "ResultChallenged");
    const record = await f.oracle.finality(requestId);
    expect([record.stage, record.challenger, record.bond, record.claimedOutputHash])
      .to.deep.equal([Stage.Challenged, f.outsider.address, BOND, keccak256(OTHER_OUTPUT)]);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Challenged);
    // Not yet provisional, not opted in:
    const pending = await finalityRequest(f);
    await expect(f.oracle.challenge(pending.requestId, keccak256(OTHER_OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(pending.requestId, Stage.None);
  });

  it("against a wrong result wins: operator slashed, challenger paid, consumer gets the corrected result", async () => {
    const f = await load();
    const { requestId, request, roundEnd } = await challenged(f, OTHER_OUTPUT, OUTPUT);
    const h = keccak256(OUTPUT);
    await expect(f.oracle.finalize(requestId, request, OTHER_OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotFinalizable").withArgs(requestId, roundEnd);
    const first = f.oracle.connect(f.relayer).reexecute(await fulfilment(f, f.op2, requestId, request, OUTPUT));
    await expect(first).to.emit(f.oracle, "ReexecutionRecorded").withArgs(requestId, f.op2.address, h, RUNTIME);
    await expect(first).not.to.emit(f.oracle, "ChallengeResolved");
    const decisive = f.oracle.connect(f.relayer).reexecute(await fulfilment(f, f.op3, requestId, request, OUTPUT));
    await expect(decisive).to.emit(f.oracle, "ChallengeResolved").withArgs(requestId, false, h);
    await expect(decisive).to.emit(f.operators, "OperatorSlashed")
      .withArgs(f.op1.address, CHALLENGE_SLASH, await f.oracle.getAddress());
    await expect(decisive).to.emit(f.oracle, "OperatorPenalized").withArgs(requestId, f.op1.address, CHALLENGE_SLASH);
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.outsider.address, requestId, BOND + CHALLENGE_SLASH / 2n);
    const toReexecutors = FEE + CHALLENGE_SLASH / 2n;
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.op2.address, requestId, toReexecutors / 2n);
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.op3.address, requestId, toReexecutors / 2n);
    await expect(decisive).to.emit(f.oracle, "ResultFinalized").withArgs(requestId, h, OUTPUT);
    await expect(decisive).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    expect(await f.consumer.calls()).to.equal(1n);
    expect(await f.consumer.lastOutput()).to.equal(OUTPUT);
    expect(await f.oracle.balanceOf(f.op1.address)).to.equal(0n);
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal(MIN_STAKE - CHALLENGE_SLASH);
    expect(await f.operators.isActive(f.op1.address)).to.equal(false);
    expect((await f.oracle.finality(requestId)).stage).to.equal(Stage.Final);
    const before = await ethers.provider.getBalance(f.outsider.address);
    const receipt = (await (await f.oracle.connect(f.outsider).withdraw()).wait())!;
    expect(await ethers.provider.getBalance(f.outsider.address))
      .to.equal(before + BOND + CHALLENGE_SLASH / 2n - receipt.gasUsed * receipt.gasPrice);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op4, requestId, request, OUTPUT)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Final);
    await expect(f.oracle.finalize(requestId, request, OTHER_OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Final);
  });

  it("against a correct result loses the bond: half to the operator, half to the re-executors", async () => {
    const f = await load();
    const { requestId, request } = await challenged(f, OUTPUT, OTHER_OUTPUT);
    const stakeBefore = (await f.operators.operatorInfo(f.op1.address)).stake;
    await f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request, OUTPUT));
    const decisive = f.oracle.reexecute(await fulfilment(f, f.op4, requestId, request, OUTPUT));
    await expect(decisive).to.emit(f.oracle, "ChallengeResolved").withArgs(requestId, true, keccak256(OUTPUT));
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE + BOND / 2n);
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.op2.address, requestId, BOND / 4n);
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(f.op4.address, requestId, BOND / 4n);
    await expect(decisive).not.to.emit(f.oracle, "OperatorPenalized");
    await expect(decisive).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    expect(await f.oracle.balanceOf(f.outsider.address)).to.equal(0n);
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal(stakeBefore);
    expect(await f.consumer.calls()).to.equal(1n);
  });

  it("outvoted re-executors are penalised by the quorum rule", async () => {
    const f = await load();
    const { requestId, request } = await challenged(f, OUTPUT, OTHER_OUTPUT);
    const outvoted = f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request, THIRD_OUTPUT));
    await expect(outvoted).to.emit(f.oracle, "ReexecutionRecorded").withArgs(requestId, f.op2.address, keccak256(THIRD_OUTPUT), RUNTIME);
    await f.oracle.reexecute(await fulfilment(f, f.op3, requestId, request, OUTPUT));
    const decisive = f.oracle.reexecute(await fulfilment(f, f.op4, requestId, request, OUTPUT));
    await expect(decisive).to.emit(f.oracle, "ChallengeResolved").withArgs(requestId, true, keccak256(OUTPUT));
    await expect(decisive).to.emit(f.oracle, "OperatorPenalized").withArgs(requestId, f.op2.address, QUORUM_SLASH);
    await expect(decisive).to.emit(f.oracle, "PaymentCredited").withArgs(await f.consumer.getAddress(), requestId, QUORUM_SLASH / 2n);
    const [ops, votes] = await f.oracle.commitments(requestId);
    expect(ops).to.deep.equal([f.op2.address, f.op3.address, f.op4.address]);
    expect(votes).to.deep.equal([keccak256(THIRD_OUTPUT), keccak256(OUTPUT), keccak256(OUTPUT)]);
    expect(await f.oracle.balanceOf(f.op3.address)).to.equal(BOND / 4n + QUORUM_SLASH / 4n);
  });
});

describe("Challenge window: re-execution round", () => {
  it("accepts only fresh active operators, once each, on the same request", async () => {
    const f = await load();
    // op4 challenges: neither op1 (original) nor op4 (challenger) may re-execute.
    const { requestId, request } = await challenged(f, OUTPUT, OTHER_OUTPUT, f.op4);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleIneligibleReexecutor").withArgs(requestId, f.op1.address);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op4, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleIneligibleReexecutor").withArgs(requestId, f.op4.address);
    await expect(f.oracle.reexecute(await fulfilment(f, f.unstaked, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator").withArgs(requestId, f.unstaked.address);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op2, requestId, { ...request, fee: 1n })))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleRequestMismatch").withArgs(requestId);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request, OUTPUT + "00")))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleOutputLengthMismatch").withArgs(requestId, 32n, 33n);
    const forged = { ...(await fulfilment(f, f.op2, requestId, request, OUTPUT)), output: OTHER_OUTPUT };
    await expect(f.oracle.reexecute(forged)).to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator");
    await f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request));
    await expect(f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleDuplicateCommitment").withArgs(requestId, f.op2.address);
    const other = await provisional(f);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op2, other.requestId, other.request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(other.requestId, Stage.Provisional);
  });

  it("holds at most MAX_REEXECUTIONS commitments", async () => {
    const f = await load();
    const signers = await ethers.getSigners();
    const extra = signers.slice(10, 13);
    for (const op of extra) await f.operators.connect(op).register({ value: MIN_STAKE });
    const { requestId, request } = await challenged(f, OUTPUT, OTHER_OUTPUT);
    const voters = [f.op2, f.op3, f.op4, ...extra];
    const max = await f.oracle.MAX_REEXECUTIONS();
    expect(max).to.equal(5n);
    for (let i = 0; i < Number(max); i++) {
      const output = "0x" + (i + 1).toString(16).padStart(64, "0"); // five different outputs: no majority
      await f.oracle.reexecute(await fulfilment(f, voters[i], requestId, request, output));
    }
    await expect(f.oracle.reexecute(await fulfilment(f, voters[5], requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleTooManyCommitments").withArgs(requestId);
  });

  it("timeout: without a majority the bond is returned and the original stands", async () => {
    const f = await load();
    const { requestId, request, roundEnd } = await challenged(f, OUTPUT, OTHER_OUTPUT);
    await f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request, OTHER_OUTPUT));
    await f.oracle.reexecute(await fulfilment(f, f.op3, requestId, request, OUTPUT));
    await networkHelpers.time.setNextBlockTimestamp(roundEnd - 1n);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotFinalizable").withArgs(requestId, roundEnd);
    await networkHelpers.time.setNextBlockTimestamp(roundEnd);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op4, requestId, request, OUTPUT)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleReexecutionClosed").withArgs(requestId, roundEnd);
    const tx = f.oracle.connect(f.relayer).finalize(requestId, request, OUTPUT);
    await expect(tx).to.emit(f.oracle, "ChallengeTimedOut").withArgs(requestId);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.outsider.address, requestId, BOND);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE);
    await expect(tx).to.emit(f.oracle, "ResultFinalized").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
    await expect(tx).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    await expect(tx).not.to.emit(f.oracle, "OperatorPenalized");
    expect(await f.oracle.balanceOf(f.op2.address)).to.equal(0n);
    expect(await f.oracle.balanceOf(f.op3.address)).to.equal(0n);
    expect((await f.oracle.finality(requestId)).stage).to.equal(Stage.Final);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.Final);
  });

  it("escrow: the oracle holds exactly the open fees, bonds and credited balances", async () => {
    const f = await load();
    const oracleAddress = await f.oracle.getAddress();
    const { requestId, request } = await challenged(f, OTHER_OUTPUT, OUTPUT);
    expect(await ethers.provider.getBalance(oracleAddress)).to.equal(FEE + BOND);
    await f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request, OUTPUT));
    await f.oracle.reexecute(await fulfilment(f, f.op3, requestId, request, OUTPUT));
    const credited = (await f.oracle.balanceOf(f.outsider.address)) + (await f.oracle.balanceOf(f.op2.address))
      + (await f.oracle.balanceOf(f.op3.address));
    expect(await ethers.provider.getBalance(oracleAddress)).to.equal(credited);
    expect(credited).to.equal(FEE + BOND + CHALLENGE_SLASH);
  });
});

describe("Challenge window: requests that did not opt in are unchanged", () => {
  it("k = 1 settles, pays and calls back at once, and cannot be challenged or finalized", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f);
    const tx = f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE);
    await expect(tx).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    await expect(tx).not.to.emit(f.oracle, "ResultProvisional");
    expect((await f.oracle.finality(requestId)).stage).to.equal(Stage.None);
    await expect(f.oracle.connect(f.outsider).challenge(requestId, keccak256(OTHER_OUTPUT), { value: BOND }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.None);
    await expect(f.oracle.finalize(requestId, request, OUTPUT))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.None);
    await expect(f.oracle.reexecute(await fulfilment(f, f.op2, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleWrongFinalityStage").withArgs(requestId, Stage.None);
  });

  it("an identical Request struct settles at once when not opted in and provisionally when opted in", async () => {
    const f = await load();
    const deadline = await deadlineIn(ethers, 3600n);
    const plain = await requestFrom(f, f.oracle.connect(f.requester).requestInference(MODEL_ID, INPUT, 0, 1, deadline, { value: FEE }));
    const opted = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(MODEL_ID, INPUT, 0, deadline, { value: FEE }));
    expect(opted.request).to.deep.equal(plain.request); // the opt-in is not part of the struct or its hash
    const a = f.oracle.fulfil(await fulfilment(f, f.op1, plain.requestId, plain.request));
    await expect(a).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, plain.requestId, FEE);
    await expect(a).not.to.emit(f.oracle, "ResultProvisional");
    const b = f.oracle.fulfil(await fulfilment(f, f.op1, opted.requestId, opted.request));
    await expect(b).to.emit(f.oracle, "ResultProvisional");
    await expect(b).not.to.emit(f.oracle, "PaymentCredited");
    const altered = { ...opted.request, fee: FEE + 1n };
    const third = await requestFrom(f, f.oracle.connect(f.requester).requestInferenceWithFinality(MODEL_ID, INPUT, 0, deadline, { value: FEE }));
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, third.requestId, altered)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleRequestMismatch").withArgs(third.requestId);
  });
});
