import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { keccak256, Signature, TypedDataEncoder, Wallet, recoverAddress } from "ethers";
import { COMMITMENT_TYPES, RUNTIME, domain, failureVote, packBatch, requestHash, signCommitment } from "../scripts/lib.js";
import {
  CALLBACK_GAS, FEE, INPUT, MODEL_ID, OTHER_OUTPUT, OUTPUT, consumerRequest, deadlineIn, deployFixture, eoaRequest,
  failureReport, fulfilment, requestFrom, selector, type Fixture,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);

const Status = { None: 0n, Pending: 1n, Fulfilled: 2n, Failed: 3n, Cancelled: 4n };
const Mode = { Accept: 0, Revert: 1, BurnGas: 2, Reenter: 3, ReturnBomb: 4 };

describe("InferenceOracle: requestInference", () => {
  it("stores one hash, emits everything a node needs and numbers requests from 1", async () => {
    const f = await load();
    const deadline = await deadlineIn(ethers, 3600n);
    const expected = {
      requester: f.requester.address, fee: FEE, modelId: MODEL_ID, inputHash: keccak256(INPUT), deadline,
      callbackGasLimit: 0n, outputBytes: 32n, redundancy: 1n,
    };
    await expect(f.oracle.connect(f.requester).requestInference(MODEL_ID, INPUT, 0, 1, deadline, { value: FEE }))
      .to.emit(f.oracle, "InferenceRequested")
      .withArgs(1n, MODEL_ID, f.requester.address, Object.values(expected), INPUT);
    expect(await f.oracle.requestStatus(1n)).to.equal(Status.Pending);
    expect(await f.oracle.requestHash(expected)).to.equal(requestHash(expected));
    expect(await f.oracle.nextRequestId()).to.equal(2n);
    expect(await ethers.provider.getBalance(await f.oracle.getAddress())).to.equal(FEE);
    const second = await eoaRequest(ethers, f);
    expect(second.requestId).to.equal(2n);
    expect(await f.oracle.requestStatus(3n)).to.equal(Status.None);
  });

  it("escrows an overpayment in full", async () => {
    const f = await load();
    const { request } = await eoaRequest(ethers, f, 1n, FEE * 5n);
    expect(request.fee).to.equal(FEE * 5n);
  });

  it("rejects unknown and revoked models", async () => {
    const f = await load();
    const d = await deadlineIn(ethers, 3600n);
    const unknown = keccak256("0x01");
    await expect(f.oracle.requestInference(unknown, INPUT, 0, 1, d, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleModelInactive").withArgs(unknown);
    await f.models.connect(f.modelOwner).revokeModel(MODEL_ID);
    await expect(f.oracle.requestInference(MODEL_ID, INPUT, 0, 1, d, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleModelInactive").withArgs(MODEL_ID);
  });

  it("checks the input byte length against the model", async () => {
    const f = await load();
    const d = await deadlineIn(ethers, 3600n);
    await expect(f.oracle.requestInference(MODEL_ID, INPUT + "00", 0, 1, d, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInputLengthMismatch").withArgs(MODEL_ID, 64n, 65n);
  });

  it("enforces redundancy, callback gas, deadline and fee limits", async () => {
    const f = await load();
    const d = await deadlineIn(ethers, 3600n);
    for (const k of [0, 8]) {
      await expect(f.oracle.requestInference(MODEL_ID, INPUT, 0, k, d, { value: FEE * 8n }))
        .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInvalidRedundancy").withArgs(k);
    }
    await expect(f.oracle.requestInference(MODEL_ID, INPUT, 2_500_001, 1, d, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleCallbackGasLimitTooHigh").withArgs(2_500_001n, 2_500_000n);
    const now = await deadlineIn(ethers, 0n);
    await expect(f.oracle.requestInference(MODEL_ID, INPUT, 0, 1, now, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInvalidDeadline").withArgs(now);
    const far = now + 31n * 24n * 3600n;
    await expect(f.oracle.requestInference(MODEL_ID, INPUT, 0, 1, far, { value: FEE }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInvalidDeadline").withArgs(far);
    await expect(f.oracle.requestInference(MODEL_ID, INPUT, 0, 3, d, { value: FEE * 3n - 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInsufficientFee").withArgs(FEE * 3n - 1n, FEE * 3n);
    const huge = 1n << 96n;
    await networkHelpers.setBalance(f.requester.address, huge * 2n);
    await expect(f.oracle.connect(f.requester).requestInference(MODEL_ID, INPUT, 0, 1, d, { value: huge }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleFeeTooLarge").withArgs(huge);
  });
});

describe("InferenceOracle: fulfil with redundancy 1", () => {
  it("settles once, credits the operator and records the commitment", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    const item = await fulfilment(f, f.op1, requestId, request);
    const tx = f.oracle.connect(f.relayer).fulfil(item);
    await expect(tx).to.emit(f.oracle, "CommitmentRecorded").withArgs(requestId, f.op1.address, keccak256(OUTPUT), RUNTIME);
    await expect(tx).to.emit(f.oracle, "InferenceFulfilled").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE);
    await expect(tx).not.to.emit(f.oracle, "CallbackFailed");
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Fulfilled);
    expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
    expect(await f.oracle.balanceOf(f.relayer.address)).to.equal(0n);
  });

  it("rejects a second fulfilment of a settled request", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
    await expect(f.oracle.fulfil(await fulfilment(f, f.op2, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Fulfilled);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Fulfilled);
    expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
  });

  it("rejects unknown requests, altered requests and wrong output lengths", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, 99n, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleUnknownRequest").withArgs(99n);
    const altered = { ...request, fee: request.fee * 2n };
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, altered)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleRequestMismatch").withArgs(requestId);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request, OUTPUT + "00")))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleOutputLengthMismatch").withArgs(requestId, 32n, 33n);
  });

  it("rejects malformed and non-canonical signatures", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    const good = await fulfilment(f, f.op1, requestId, request);
    const sig = Signature.from(good.signature);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
    const badV = ethers.concat([sig.r, sig.s, "0x1d"]);
    for (const signature of ["0x", good.signature.slice(0, 130), highS, badV, sig.compactSerialized]) {
      await expect(f.oracle.fulfil({ ...good, signature }))
        .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInvalidSignature").withArgs(requestId);
    }
    await f.oracle.fulfil(good);
  });

  it("binds the signature to the output, runtime and request", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    const good = await fulfilment(f, f.op1, requestId, request);
    const oracle = await f.oracle.getAddress();
    for (const forged of [{ ...good, output: OTHER_OUTPUT }, { ...good, runtime: keccak256("0x02") }]) {
      const digest = TypedDataEncoder.hash(domain(f.chainId, oracle), COMMITMENT_TYPES, {
        requestId, modelId: request.modelId, inputHash: request.inputHash, outputHash: keccak256(forged.output), runtime: forged.runtime,
      });
      await expect(f.oracle.fulfil(forged))
        .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator")
        .withArgs(requestId, recoverAddress(digest, good.signature));
    }
  });
});

describe("InferenceOracle: EIP-712 domain", () => {
  it("rejects a signature made for another chain id", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    const oracle = await f.oracle.getAddress();
    const signature = await signCommitment(f.op1, 1n, oracle, requestId, request, OUTPUT);
    const digest = await f.oracle.commitmentDigest(requestId, request.modelId, request.inputHash, keccak256(OUTPUT), RUNTIME);
    await expect(f.oracle.fulfil({ requestId, request, output: OUTPUT, runtime: RUNTIME, signature }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator")
      .withArgs(requestId, recoverAddress(digest, signature));
  });

  it("rejects a signature made for another oracle address", async () => {
    const f = await load();
    const other = await ethers.deployContract("InferenceOracle", [await f.models.getAddress(), await f.operators.getAddress()]);
    const { requestId, request } = await eoaRequest(ethers, f);
    const signature = await signCommitment(f.op1, f.chainId, await other.getAddress(), requestId, request, OUTPUT);
    const digest = await f.oracle.commitmentDigest(requestId, request.modelId, request.inputHash, keccak256(OUTPUT), RUNTIME);
    expect(recoverAddress(digest, signature)).not.to.equal(f.op1.address);
    await expect(f.oracle.fulfil({ requestId, request, output: OUTPUT, runtime: RUNTIME, signature }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator")
      .withArgs(requestId, recoverAddress(digest, signature));
  });

  it("matches ethers' TypedDataEncoder in commitmentDigest and failureDigest", async () => {
    const f = await load();
    const oracle = await f.oracle.getAddress();
    const v = { requestId: 7n, modelId: MODEL_ID, inputHash: keccak256(INPUT), outputHash: keccak256(OUTPUT), runtime: RUNTIME };
    expect(await f.oracle.commitmentDigest(v.requestId, v.modelId, v.inputHash, v.outputHash, v.runtime))
      .to.equal(TypedDataEncoder.hash(domain(f.chainId, oracle), COMMITMENT_TYPES, v));
  });
});

describe("InferenceOracle: operator eligibility", () => {
  it("rejects a signer that never registered", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await expect(f.oracle.fulfil(await fulfilment(f, f.unstaked, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator").withArgs(requestId, f.unstaked.address);
  });

  it("rejects an unbonding operator and one that withdrew its stake", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f, 1n);
    await f.operators.connect(f.op1).requestUnbond();
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator").withArgs(requestId, f.op1.address);
    await networkHelpers.time.increase(7 * 24 * 3600);
    await f.operators.connect(f.op1).withdrawStake();
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator").withArgs(requestId, f.op1.address);
  });
});

describe("InferenceOracle: consumer callbacks", () => {
  it("delivers the output with the requested gas", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    expect(await f.consumer.lastOutput()).to.equal(OUTPUT);
    const gasAtEntry = await f.consumer.gasAtEntry();
    expect(gasAtEntry).to.be.greaterThan(CALLBACK_GAS - 1_000n);
    expect(gasAtEntry).to.be.lessThanOrEqual(CALLBACK_GAS);
  });

  for (const [name, mode] of [["reverting", Mode.Revert], ["gas-hungry", Mode.BurnGas]] as const) {
    it(`settles anyway with a ${name} consumer and emits CallbackFailed`, async () => {
      const f = await load();
      await f.consumer.setMode(mode, "0x");
      const { requestId, request } = await consumerRequest(ethers, f);
      const tx = f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
      await expect(tx).to.emit(f.oracle, "CallbackFailed").withArgs(requestId);
      await expect(tx).to.emit(f.oracle, "InferenceFulfilled").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
      expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Fulfilled);
      expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
      expect(await f.consumer.calls()).to.equal(0n);
    });
  }

  it("does not copy a consumer's huge return data", async () => {
    const f = await load();
    await f.consumer.setMode(Mode.ReturnBomb, "0x");
    const { requestId, request } = await consumerRequest(ethers, f);
    const tx = await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
    await expect(tx).not.to.emit(f.oracle, "CallbackFailed");
    const receipt = await tx.wait();
    // Copying 100 kB of return data into the oracle's memory alone would cost > 40k gas.
    expect(receipt!.gasUsed).to.be.lessThan(150_000n);
  });

  it("makes no call when the callback gas limit is 0", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f, 1n, 0n);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request))).not.to.emit(f.consumer, "ResultReceived");
    expect(await f.consumer.calls()).to.equal(0n);
  });

  it("refuses to settle when the relayer leaves too little gas for the callback (63/64 rule)", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f, 1n, 1_000_000n);
    const item = await fulfilment(f, f.op1, requestId, request);
    await expect(f.oracle.fulfil(item, { gasLimit: 900_000 }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInsufficientGas").withArgs(requestId, anyValue, anyValue);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Pending);
    await f.oracle.fulfil(item, { gasLimit: 1_200_000 });
    expect(await f.consumer.gasAtEntry()).to.be.greaterThan(1_000_000n - 1_000n);
  });

  for (const reentry of ["fulfil", "fulfilBatch", "withdraw"] as const) {
    it(`a consumer re-entering ${reentry} from its callback cannot double-pay`, async () => {
      const f = await load();
      const { requestId, request } = await consumerRequest(ethers, f);
      const item = await fulfilment(f, f.op1, requestId, request);
      const call =
        reentry === "fulfil" ? f.oracle.interface.encodeFunctionData("fulfil", [item])
        : reentry === "fulfilBatch" ? f.oracle.interface.encodeFunctionData("fulfilBatch", [[item]])
        : f.oracle.interface.encodeFunctionData("withdraw");
      await f.consumer.setMode(Mode.Reenter, call);
      await expect(f.oracle.fulfil(item)).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
      expect(await f.consumer.reentrySucceeded()).to.equal(false);
      expect(await f.consumer.reentryError()).to.equal(ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10));
      expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
      expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Fulfilled);
      expect(await ethers.provider.getBalance(await f.oracle.getAddress())).to.equal(FEE);
    });
  }

  it("a consumer may chain a new request from its callback", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f, 1n, 1_000_000n);
    const d = await deadlineIn(ethers, 3600n);
    await f.consumer.setMode(Mode.Reenter, f.oracle.interface.encodeFunctionData("requestInference", [MODEL_ID, INPUT, 0, 1, d]));
    await networkHelpers.setBalance(await f.consumer.getAddress(), FEE);
    await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
    expect(await f.consumer.reentryError()).to.equal(ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [2n]));
    expect(await f.consumer.reentrySucceeded()).to.equal(true);
    expect(await f.oracle.requestStatus(2n)).to.equal(Status.Pending);
  });
});

describe("InferenceOracle: fulfilBatch and fulfilBatchPacked", () => {
  for (const packed of [false, true]) {
    const method = packed ? "fulfilBatchPacked" : "fulfilBatch";
    it(`${method} settles the good items and rejects the bad ones without reverting`, async () => {
      const f = await load();
      const r1 = await eoaRequest(ethers, f);
      const r2 = await eoaRequest(ethers, f);
      const r3 = await eoaRequest(ethers, f);
      const r4 = await consumerRequest(ethers, f);
      const good1 = await fulfilment(f, f.op1, r1.requestId, r1.request);
      const badSigner = await fulfilment(f, f.unstaked, r2.requestId, r2.request);
      // An output one byte too long. The packed form has no output length of its own (it is the request's
      // outputBytes), so there it comes with a request that says so: a request that is not the stored one.
      const badLength = packed
        ? await fulfilment(f, f.op2, r3.requestId, { ...r3.request, outputBytes: 33n }, OUTPUT + "00")
        : await fulfilment(f, f.op2, r3.requestId, r3.request, OUTPUT + "00");
      const good4 = await fulfilment(f, f.op2, r4.requestId, r4.request);
      const unknown = await fulfilment(f, f.op1, 77n, r1.request);
      const items = [good1, badSigner, good1, badLength, unknown, good4];
      // eth_estimateGas would find the least gas at which the batch does not revert: too little for the callback.
      const options = { gasLimit: 2_000_000 };
      if (packed) {
        const abiBytes = (f.oracle.interface.encodeFunctionData("fulfilBatch", [items]).length - 2) / 2;
        expect((packBatch(items).length - 2) / 2).to.be.lessThan(abiBytes / 2.5);
      }
      const tx = packed
        ? await f.oracle.connect(f.relayer).fulfilBatchPacked(packBatch(items), options)
        : await f.oracle.connect(f.relayer).fulfilBatch(items, options);
      const receipt = await tx.wait();
      const events = (name: string) =>
        receipt!.logs
          .filter((l) => l.address === f.oracle.target)
          .map((l) => f.oracle.interface.parseLog(l)!)
          .filter((e) => e.name === name)
          .map((e) => [...e.args]);
      expect(events("InferenceFulfilled")).to.deep.equal([
        [r1.requestId, keccak256(OUTPUT), OUTPUT],
        [r4.requestId, keccak256(OUTPUT), OUTPUT],
      ]);
      expect(events("CommitmentRecorded")).to.deep.equal([
        [r1.requestId, f.op1.address, keccak256(OUTPUT), RUNTIME],
        [r4.requestId, f.op2.address, keccak256(OUTPUT), RUNTIME],
      ]);
      expect(events("FulfilmentRejected")).to.deep.equal([
        [r2.requestId, selector(f.oracle, "InferenceOracleInactiveOperator")],
        [r1.requestId, selector(f.oracle, "InferenceOracleNotPending")],
        [r3.requestId, selector(f.oracle, packed ? "InferenceOracleRequestMismatch" : "InferenceOracleOutputLengthMismatch")],
        [77n, selector(f.oracle, "InferenceOracleUnknownRequest")],
      ]);
      expect(events("PaymentCredited")).to.deep.equal([
        [f.op1.address, r1.requestId, FEE],
        [f.op2.address, r4.requestId, FEE],
      ]);
      await expect(tx).to.emit(f.consumer, "ResultReceived").withArgs(r4.requestId, OUTPUT);
      expect(await f.oracle.requestStatus(r1.requestId)).to.equal(Status.Fulfilled);
      expect(await f.oracle.requestStatus(r2.requestId)).to.equal(Status.Pending);
      expect(await f.oracle.requestStatus(r3.requestId)).to.equal(Status.Pending);
      expect(await f.oracle.requestStatus(r4.requestId)).to.equal(Status.Fulfilled);
      expect(await f.oracle.balanceOf(f.op1.address)).to.equal(FEE);
      expect(await f.oracle.balanceOf(f.op2.address)).to.equal(FEE);
    });
  }

  it("rejects an item whose callback could not get its gas, and settles the rest", async () => {
    const f = await load();
    const r1 = await eoaRequest(ethers, f);
    const r2 = await consumerRequest(ethers, f, 1n, 2_000_000n);
    const tx = f.oracle.fulfilBatch(
      [await fulfilment(f, f.op1, r1.requestId, r1.request), await fulfilment(f, f.op1, r2.requestId, r2.request)],
      { gasLimit: 1_000_000 },
    );
    await expect(tx).to.emit(f.oracle, "FulfilmentRejected").withArgs(r2.requestId, selector(f.oracle, "InferenceOracleInsufficientGas"));
    expect(await f.oracle.requestStatus(r1.requestId)).to.equal(Status.Fulfilled);
    expect(await f.oracle.requestStatus(r2.requestId)).to.equal(Status.Pending);
  });
});

describe("InferenceOracle: fulfilBatchPacked", () => {
  it("refuses a batch without a whole runtime, and one whose last item is cut short, settling nothing", async () => {
    const f = await load();
    const r1 = await eoaRequest(ethers, f);
    const packed = packBatch([await fulfilment(f, f.op1, r1.requestId, r1.request)]);
    await expect(f.oracle.fulfilBatchPacked("0x" + "00".repeat(31)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleMalformedBatch").withArgs(0n);
    await expect(f.oracle.fulfilBatchPacked(packed.slice(0, -2)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleMalformedBatch").withArgs(32n);
    expect(await f.oracle.requestStatus(r1.requestId)).to.equal(Status.Pending);
    await expect(f.oracle.fulfilBatchPacked(packed)).to.emit(f.oracle, "InferenceFulfilled");
  });
});

describe("InferenceOracle: reportFailure", () => {
  it("refunds the requester and calls onInferenceFailed", async () => {
    const f = await load();
    const { requestId, request } = await consumerRequest(ethers, f);
    const tx = f.oracle.connect(f.relayer).reportFailure(await failureReport(f, f.op1, requestId, request, 8));
    await expect(tx).to.emit(f.oracle, "CommitmentRecorded").withArgs(requestId, f.op1.address, failureVote(8), RUNTIME);
    await expect(tx).to.emit(f.oracle, "InferenceFailed").withArgs(requestId, 8);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(await f.consumer.getAddress(), requestId, FEE);
    await expect(tx).to.emit(f.consumer, "FailureReceived").withArgs(requestId, 8);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Failed);
    await expect(f.consumer.withdraw()).to.changeEtherBalance(ethers, f.consumer, FEE);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Failed);
  });

  it("rejects unknown reason codes and commitment signatures", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    for (const reason of [0, 11]) {
      await expect(f.oracle.reportFailure(await failureReport(f, f.op1, requestId, request, reason)))
        .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInvalidReason").withArgs(requestId, reason);
    }
    const commitmentSig = (await fulfilment(f, f.op1, requestId, request)).signature;
    const digest = await f.oracle.failureDigest(requestId, request.modelId, request.inputHash, 8, RUNTIME);
    await expect(f.oracle.reportFailure({ requestId, request, reason: 8, runtime: RUNTIME, signature: commitmentSig }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleInactiveOperator")
      .withArgs(requestId, recoverAddress(digest, commitmentSig));
  });
});

describe("InferenceOracle: cancel", () => {
  it("only after the deadline, only by the requester, with a refund", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await expect(f.oracle.connect(f.requester).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotCancellable").withArgs(requestId, request.deadline);
    await networkHelpers.time.setNextBlockTimestamp(request.deadline);
    await expect(f.oracle.connect(f.requester).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotCancellable").withArgs(requestId, request.deadline);
    await networkHelpers.time.increaseTo(request.deadline + 1n);
    await expect(f.oracle.connect(f.outsider).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotRequester").withArgs(requestId, f.outsider.address);
    const tx = f.oracle.connect(f.requester).cancel(requestId, request);
    await expect(tx).to.emit(f.oracle, "InferenceCancelled").withArgs(requestId);
    await expect(tx).to.emit(f.oracle, "PaymentCredited").withArgs(f.requester.address, requestId, FEE);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Cancelled);
    const w = f.oracle.connect(f.requester).withdraw();
    await expect(w).to.emit(f.oracle, "Withdrawn").withArgs(f.requester.address, FEE);
    await expect(w).to.changeEtherBalance(ethers, f.requester, FEE);
    await expect(f.oracle.connect(f.requester).withdraw())
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNothingToWithdraw").withArgs(f.requester.address);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Cancelled);
    await expect(f.oracle.connect(f.requester).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Cancelled);
  });

  it("before the deadline once the model is revoked", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await f.models.connect(f.governance).revokeModel(MODEL_ID);
    await expect(f.oracle.connect(f.requester).cancel(requestId, request)).to.emit(f.oracle, "InferenceCancelled").withArgs(requestId);
  });

  it("not after settlement, and not with an altered request", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f);
    await expect(f.oracle.connect(f.requester).cancel(requestId, { ...request, deadline: 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleRequestMismatch").withArgs(requestId);
    await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request));
    await networkHelpers.time.increaseTo(request.deadline + 1n);
    await expect(f.oracle.connect(f.requester).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleNotPending").withArgs(requestId, Status.Fulfilled);
    await expect(f.oracle.cancel(5n, request))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleUnknownRequest").withArgs(5n);
  });
});

describe("InferenceOracle: quorum (redundancy > 1)", () => {
  it("settles when k distinct operators agree, records conflicts, splits the fee", async () => {
    const f = await load();
    const fee = FEE * 3n + 2n; // remainder 2 goes to the first agreeing operator
    const { requestId, request } = await requestFrom(
      f,
      f.consumer.request(MODEL_ID, INPUT, CALLBACK_GAS, 3, await deadlineIn(ethers, 3600n), { value: fee }),
    );
    const h = keccak256(OUTPUT);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.emit(f.oracle, "CommitmentRecorded").withArgs(requestId, f.op1.address, h, RUNTIME);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleDuplicateCommitment").withArgs(requestId, f.op1.address);
    const conflict = f.oracle.fulfil(await fulfilment(f, f.op3, requestId, request, OTHER_OUTPUT));
    await expect(conflict).to.emit(f.oracle, "CommitmentConflicted").withArgs(requestId, f.op3.address, keccak256(OTHER_OUTPUT));
    await expect(conflict).not.to.emit(f.oracle, "InferenceFulfilled");
    const agree = f.oracle.fulfil(await fulfilment(f, f.op2, requestId, request));
    await expect(agree).to.emit(f.oracle, "CommitmentConflicted").withArgs(requestId, f.op2.address, h);
    await expect(agree).not.to.emit(f.oracle, "InferenceFulfilled");
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Pending);
    const [ops, votes] = await f.oracle.commitments(requestId);
    expect(ops).to.deep.equal([f.op1.address, f.op3.address, f.op2.address]);
    expect(votes).to.deep.equal([h, keccak256(OTHER_OUTPUT), h]);
    const settle = f.oracle.fulfil(await fulfilment(f, f.op4, requestId, request));
    await expect(settle).to.emit(f.oracle, "InferenceFulfilled").withArgs(requestId, h, OUTPUT);
    await expect(settle).to.emit(f.oracle, "PaymentCredited").withArgs(f.op1.address, requestId, FEE + 2n);
    await expect(settle).to.emit(f.oracle, "PaymentCredited").withArgs(f.op2.address, requestId, FEE);
    await expect(settle).to.emit(f.oracle, "PaymentCredited").withArgs(f.op4.address, requestId, FEE);
    await expect(settle).to.emit(f.consumer, "ResultReceived").withArgs(requestId, OUTPUT);
    expect(await f.oracle.balanceOf(f.op3.address)).to.equal(0n);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Fulfilled);
  });

  it("slashes the losing commitments: half to the requester, half to the agreeing operators", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f, 2n);
    const penalty = (await f.operators.minStake()) / 10n;
    await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request, OTHER_OUTPUT));
    await f.oracle.reportFailure(await failureReport(f, f.op2, requestId, request, 8));
    await f.oracle.fulfil(await fulfilment(f, f.op3, requestId, request));
    const tx = await f.oracle.fulfil(await fulfilment(f, f.op4, requestId, request));
    const receipt = (await tx.wait())!;
    const events = (c: typeof f.oracle | typeof f.operators, name: string) =>
      receipt.logs
        .filter((l) => l.address === c.target)
        .map((l) => c.interface.parseLog(l)!)
        .filter((e) => e.name === name)
        .map((e) => [...e.args]);
    const oracle = await f.oracle.getAddress();
    expect(events(f.operators, "OperatorSlashed")).to.deep.equal([
      [f.op1.address, penalty, oracle],
      [f.op2.address, penalty, oracle],
    ]);
    expect(events(f.oracle, "OperatorPenalized")).to.deep.equal([
      [requestId, f.op1.address, penalty],
      [requestId, f.op2.address, penalty],
    ]);
    expect(events(f.oracle, "PaymentCredited")).to.deep.equal([
      [f.op3.address, requestId, FEE],
      [f.op4.address, requestId, FEE],
      [f.requester.address, requestId, penalty],
      [f.op3.address, requestId, penalty / 2n],
      [f.op4.address, requestId, penalty / 2n],
    ]);
    expect(await f.oracle.balanceOf(f.op3.address)).to.equal(FEE + penalty / 2n);
    expect((await f.operators.operatorInfo(f.op1.address)).stake).to.equal((await f.operators.minStake()) - penalty);
    expect(await f.operators.isActive(f.op1.address)).to.equal(false);
    expect(await ethers.provider.getBalance(oracle)).to.equal(FEE * 2n + penalty * 2n);
  });

  it("settles even if a losing operator has already withdrawn its stake", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f, 2n);
    await f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request, OTHER_OUTPUT));
    await f.operators.connect(f.op1).requestUnbond();
    await networkHelpers.time.increase(7 * 24 * 3600);
    await f.operators.connect(f.op1).withdrawStake();
    await f.oracle.fulfil(await fulfilment(f, f.op2, requestId, request));
    const tx = f.oracle.fulfil(await fulfilment(f, f.op3, requestId, request));
    await expect(tx).to.emit(f.oracle, "InferenceFulfilled").withArgs(requestId, keccak256(OUTPUT), OUTPUT);
    await expect(tx).not.to.emit(f.oracle, "OperatorPenalized");
  });

  it("accepts plain ether only from the operator registry", async () => {
    const f = await load();
    await expect(f.outsider.sendTransaction({ to: await f.oracle.getAddress(), value: 1n }))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleUnexpectedEther").withArgs(f.outsider.address);
  });

  it("settles a failure when k operators report the same reason", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f, 2n);
    await expect(f.oracle.reportFailure(await failureReport(f, f.op1, requestId, request, 6))).not.to.emit(f.oracle, "InferenceFailed");
    const other = f.oracle.reportFailure(await failureReport(f, f.op2, requestId, request, 10));
    await expect(other).to.emit(f.oracle, "CommitmentConflicted").withArgs(requestId, f.op2.address, failureVote(10));
    const settle = f.oracle.reportFailure(await failureReport(f, f.op3, requestId, request, 6));
    await expect(settle).to.emit(f.oracle, "InferenceFailed").withArgs(requestId, 6);
    await expect(settle).to.emit(f.oracle, "PaymentCredited").withArgs(f.requester.address, requestId, FEE * 2n);
    expect(await f.oracle.requestStatus(requestId)).to.equal(Status.Failed);
  });

  it("caps the number of commitments per request", async () => {
    const f = await load();
    const { requestId, request } = await eoaRequest(ethers, f, 7n);
    const wallets = Array.from({ length: 16 }, (_, i) => new Wallet(ethers.id(`quorum-op-${i}`), ethers.provider));
    for (const w of wallets) {
      await networkHelpers.setBalance(w.address, 10n ** 19n);
      await f.operators.connect(w).register({ value: 10n ** 18n });
    }
    for (let i = 0; i < 15; i++) {
      await f.oracle.fulfil(await fulfilment(f, wallets[i], requestId, request, "0x" + i.toString(16).padStart(64, "0")));
    }
    await expect(f.oracle.fulfil(await fulfilment(f, wallets[15], requestId, request)))
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleTooManyCommitments").withArgs(requestId);
  });
});

describe("InferenceOracle: metadata", () => {
  it("exposes typeAndVersion, registries and type hashes", async () => {
    const f = await load();
    expect(await f.oracle.typeAndVersion()).to.equal("InferenceOracle 1.0.0");
    expect(await f.oracle.modelRegistry()).to.equal(await f.models.getAddress());
    expect(await f.oracle.operatorRegistry()).to.equal(await f.operators.getAddress());
    expect(await f.oracle.COMMITMENT_TYPEHASH()).to.equal(
      ethers.id("Commitment(uint256 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 runtime)"),
    );
    expect(await f.oracle.FAILURE_REPORT_TYPEHASH()).to.equal(
      ethers.id("FailureReport(uint256 requestId,bytes32 modelId,bytes32 inputHash,uint16 reason,bytes32 runtime)"),
    );
  });
});

describe("InferenceOracle: withdraw", () => {
  it("reports an account that refuses ether", async () => {
    const f = await load();
    const refuser = "0x000000000000000000000000000000000000dEaD";
    await networkHelpers.impersonateAccount(refuser);
    await networkHelpers.setBalance(refuser, 10n ** 18n);
    const signer = await ethers.getSigner(refuser);
    const d = await deadlineIn(ethers, 3600n);
    const r = await requestFrom(f, f.oracle.connect(signer).requestInference(MODEL_ID, INPUT, 0, 1, d, { value: FEE }));
    await f.oracle.reportFailure(await failureReport(f, f.op1, r.requestId, r.request, 6));
    await networkHelpers.setCode(refuser, "0x60006000fd"); // any call reverts
    await expect(f.oracle.connect(signer).withdraw())
      .to.be.revertedWithCustomError(f.oracle, "InferenceOracleTransferFailed").withArgs(refuser, FEE);
  });
});
