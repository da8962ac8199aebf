import { expect } from "chai";
import { network } from "hardhat";
import { toRequest } from "../scripts/lib.js";
import { FEE, OUTPUT, deadlineIn, deployFixture, failureReport, fulfilment, type Fixture } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployFixture(ethers);
const load = (): Promise<Fixture> => networkHelpers.loadFixture(fixture);
const FEATURES = Array.from({ length: 16 }, (_, i) => BigInt(i * 7));

async function requestScore(f: Fixture, redundancy = 1n) {
  const tx = await f.creditScore.connect(f.requester).requestScore(FEATURES, redundancy, await deadlineIn(ethers, 3600n), { value: FEE * redundancy });
  const receipt = await tx.wait();
  const log = receipt!.logs.map((l) => { try { return f.oracle.interface.parseLog(l); } catch { return null; } }).find((e) => e?.name === "InferenceRequested")!;
  return { tx, requestId: log.args.requestId as bigint, request: toRequest(log.args.request), input: log.args.input as string };
}

describe("CreditScoreConsumer: results", () => {
  it("encodes the features, stores the score from the callback", async () => {
    const f = await load();
    const { tx, requestId, request, input } = await requestScore(f);
    await expect(tx).to.emit(f.creditScore, "ScoreRequested").withArgs(requestId, f.requester.address, FEE);
    expect(input).to.equal("0x" + FEATURES.map((x) => x.toString(16).padStart(8, "0")).join(""));
    expect(request.callbackGasLimit).to.equal(120_000n);
    await expect(f.oracle.fulfil(await fulfilment(f, f.op1, requestId, request)))
      .to.emit(f.creditScore, "ScoreReceived").withArgs(requestId, f.requester.address, 0x2bcn);
    const score = await f.creditScore.scoreOf(f.requester.address);
    expect([score.value, score.requestId]).to.deep.equal([0x2bcn, requestId]);
    expect(OUTPUT.slice(2, 18)).to.equal("00000000000002bc");
  });

  it("rejects features that do not fit the input element type", async () => {
    const f = await load();
    const bad = [...FEATURES];
    bad[3] = 2n ** 31n;
    await expect(f.creditScore.requestScore(bad, 1, await deadlineIn(ethers, 3600n), { value: FEE }))
      .to.be.revertedWithCustomError(f.creditScore, "TensorCodecValueOutOfRange").withArgs(2n ** 31n, 3);
  });
});

describe("CreditScoreConsumer: failures and refunds", () => {
  it("stores the failure and refunds the subject", async () => {
    const f = await load();
    const { requestId, request } = await requestScore(f);
    await expect(f.oracle.reportFailure(await failureReport(f, f.op1, requestId, request, 3)))
      .to.emit(f.creditScore, "ScoreFailed").withArgs(requestId, f.requester.address, 3);
    expect(await f.creditScore.failureOf(requestId)).to.equal(3n);
    expect(await f.creditScore.refundOf(f.requester.address)).to.equal(FEE);
    const claim = f.creditScore.connect(f.requester).claimRefund();
    await expect(claim).to.emit(f.creditScore, "RefundClaimed").withArgs(f.requester.address, FEE);
    await expect(claim).to.changeEtherBalance(ethers, f.requester, FEE);
    await expect(f.creditScore.connect(f.requester).claimRefund())
      .to.be.revertedWithCustomError(f.creditScore, "CreditScoreConsumerNothingToRefund").withArgs(f.requester.address);
  });

  it("cancels after the deadline, only by the subject", async () => {
    const f = await load();
    const { requestId, request } = await requestScore(f);
    await networkHelpers.time.increaseTo(request.deadline + 1n);
    await expect(f.creditScore.connect(f.outsider).cancel(requestId, request))
      .to.be.revertedWithCustomError(f.creditScore, "CreditScoreConsumerNotSubject").withArgs(requestId, f.outsider.address);
    await expect(f.creditScore.connect(f.requester).cancel(99n, request))
      .to.be.revertedWithCustomError(f.creditScore, "CreditScoreConsumerUnknownRequest").withArgs(99n);
    const tx = f.creditScore.connect(f.requester).cancel(requestId, request);
    await expect(tx).to.emit(f.creditScore, "ScoreCancelled").withArgs(requestId, f.requester.address);
    await expect(tx).to.emit(f.oracle, "InferenceCancelled").withArgs(requestId);
    await expect(f.creditScore.connect(f.requester).claimRefund()).to.changeEtherBalance(ethers, f.requester, FEE);
  });
});

describe("InferenceConsumer: callback guard", () => {
  it("accepts callbacks only from the oracle", async () => {
    const f = await load();
    await expect(f.creditScore.connect(f.outsider).onInferenceResult(1n, OUTPUT))
      .to.be.revertedWithCustomError(f.creditScore, "InferenceConsumerOnlyOracle").withArgs(f.outsider.address);
    await expect(f.creditScore.connect(f.outsider).onInferenceFailed(1n, 3))
      .to.be.revertedWithCustomError(f.creditScore, "InferenceConsumerOnlyOracle").withArgs(f.outsider.address);
    expect(await f.creditScore.oracle()).to.equal(await f.oracle.getAddress());
  });
});

describe("CreditScoreConsumer: refund transfer", () => {
  it("reports a subject that refuses ether", async () => {
    const f = await load();
    const subject = "0x000000000000000000000000000000000000bEEF";
    await networkHelpers.impersonateAccount(subject);
    await networkHelpers.setBalance(subject, 10n ** 18n);
    const signer = await ethers.getSigner(subject);
    const tx = await f.creditScore.connect(signer).requestScore(FEATURES, 1, await deadlineIn(ethers, 3600n), { value: FEE });
    const log = (await tx.wait())!.logs.map((l) => { try { return f.oracle.interface.parseLog(l); } catch { return null; } }).find((e) => e?.name === "InferenceRequested")!;
    await f.oracle.reportFailure(await failureReport(f, f.op1, log.args.requestId, toRequest(log.args.request), 9));
    await networkHelpers.setCode(subject, "0x60006000fd"); // any call reverts
    await expect(f.creditScore.connect(signer).claimRefund())
      .to.be.revertedWithCustomError(f.creditScore, "CreditScoreConsumerTransferFailed").withArgs(subject, FEE);
  });
});
