// Prints a markdown gas table: `hardhat run scripts/gas-table.ts`.
// Steady state: counters and operator balances already non-zero (a first-ever credit costs ~17k more).
// With OG_BENCH_LINES=1 (scripts/bench.sh) it also prints one `bench: gas.<key> <gas> gas` line per row.
import { network } from "hardhat";
import { keccak256, toUtf8Bytes, type Signer } from "ethers";
import { packBatch, signCommitment, signFailure, toRequest, RUNTIME, type Request } from "./lib.js";

const { ethers } = await network.create();
const [gov, modelOwner, requester, relayer, ...ops] = await ethers.getSigners();
const FEE = 10n ** 15n;
const MODEL_ID = keccak256(toUtf8Bytes("gas-table model"));
const INPUT = "0x" + "11".repeat(64);
const OUTPUT = "0x" + "22".repeat(32);

const models = await ethers.deployContract("ModelRegistry", [gov.address]);
const operators = await ethers.deployContract("OperatorRegistry", [gov.address, 10n ** 18n, 3600n]);
const oracle = await ethers.deployContract("InferenceOracle", [await models.getAddress(), await operators.getAddress()]);
await operators.setOracle(await oracle.getAddress());
await models.connect(modelOwner).registerModel(
  MODEL_ID, "ipfs://x",
  { elementType: 4, decimals: 0, minValue: -1000n, maxValue: 1000n, shape: [8] },
  { elementType: 4, decimals: 0, minValue: -1000n, maxValue: 1000n, shape: [4] },
  FEE,
);
const operatorSet = ops.slice(0, 4);
for (const op of operatorSet) await operators.connect(op).register({ value: 10n ** 18n });
const consumer = await ethers.deployContract("CreditScoreConsumer", [await oracle.getAddress(), MODEL_ID, 4, 4]);
const chainId = (await ethers.provider.getNetwork()).chainId;
const oracleAddress = await oracle.getAddress();

async function gasOf(tx: Promise<any>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt.gasUsed;
}

async function request(k = 1): Promise<{ id: bigint; req: Request; gas: bigint }> {
  const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
  const tx = await oracle.connect(requester).requestInference(MODEL_ID, INPUT, 0, k, deadline, { value: FEE * BigInt(k) });
  const receipt = (await tx.wait())!;
  const ev = receipt.logs.map((l) => oracle.interface.parseLog(l)).find((e) => e?.name === "InferenceRequested")!;
  return { id: ev.args.requestId, req: toRequest(ev.args.request), gas: receipt.gasUsed };
}

async function item(op: Signer, id: bigint, req: Request) {
  return { requestId: id, request: req, output: OUTPUT, runtime: RUNTIME, signature: await signCommitment(op, chainId, oracleAddress, id, req, OUTPUT) };
}

// Warm-up: make counters and every operator balance non-zero.
for (const op of operatorSet) {
  const r = await request();
  await oracle.fulfil(await item(op, r.id, r.req));
}

// [key, description, gasUsed, target (issue 8) or null]
const rows: [string, string, bigint, bigint | null][] = [];
const reqGas = (await request()).gas;
rows.push(["request", "requestInference, 64-byte input, k = 1", reqGas, 90_000n]);

{
  const r = await request();
  rows.push(["fulfil", "fulfil, k = 1, 32-byte output, EOA requester (no callback)", await gasOf(oracle.connect(relayer).fulfil(await item(ops[0], r.id, r.req))), 70_000n]);
}
{
  const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
  const tx = await consumer.connect(requester).requestScore([1, 2, 3, 4, 5, 6, 7, 8], 1, deadline, { value: FEE });
  const receipt = (await tx.wait())!;
  rows.push(["consumer_request", "CreditScoreConsumer.requestScore (request via consumer)", receipt.gasUsed, null]);
  const ev = receipt.logs.map((l) => { try { return oracle.interface.parseLog(l); } catch { return null; } }).find((e) => e?.name === "InferenceRequested")!;
  const id = ev.args.requestId as bigint;
  const req = toRequest(ev.args.request);
  rows.push(["fulfil_with_callback", "fulfil, k = 1, 32-byte output, CreditScoreConsumer callback (stores score)", await gasOf(oracle.connect(relayer).fulfil(await item(ops[1], id, req))), null]);
}
for (const n of [1, 4, 16]) {
  const items = [];
  for (let i = 0; i < n; i++) {
    const r = await request();
    items.push(await item(operatorSet[i % operatorSet.length], r.id, r.req));
  }
  const gas = await gasOf(oracle.connect(relayer).fulfilBatch(items, { gasLimit: 10_000_000 }));
  rows.push([`fulfil_batch_${n}_per_result`, `fulfilBatch, ${n} result(s) by ${Math.min(n, operatorSet.length)} operator(s), per result`, gas / BigInt(n), n === 16 ? 40_000n : null]);
}
// A node's batch: every result signed with its one key (the registry is asked once per batch), in both encodings; the
// node sends the packed one.
for (const packed of [false, true]) {
  const items = [];
  for (let i = 0; i < 16; i++) {
    const r = await request();
    items.push(await item(operatorSet[0], r.id, r.req));
  }
  const sent = packed
    ? oracle.connect(relayer).fulfilBatchPacked(packBatch(items), { gasLimit: 10_000_000 })
    : oracle.connect(relayer).fulfilBatch(items, { gasLimit: 10_000_000 });
  const gas = await gasOf(sent);
  rows.push(packed
    ? ["fulfil_batch_packed_16_one_operator_per_result", "fulfilBatchPacked, 16 results by one operator (what a node sends), per result", gas / 16n, 40_000n]
    : ["fulfil_batch_16_one_operator_per_result", "fulfilBatch, 16 results by one operator, per result", gas / 16n, 40_000n]);
}
{
  const r = await request();
  const signature = await signFailure(ops[2], chainId, oracleAddress, r.id, r.req, 8);
  rows.push(["report_failure", "reportFailure, k = 1", await gasOf(oracle.connect(relayer).reportFailure({ requestId: r.id, request: r.req, reason: 8, runtime: RUNTIME, signature })), null]);
}
{
  const r = await request(3);
  const g1 = await gasOf(oracle.fulfil(await item(operatorSet[0], r.id, r.req)));
  const g2 = await gasOf(oracle.fulfil(await item(operatorSet[1], r.id, r.req)));
  const g3 = await gasOf(oracle.fulfil(await item(operatorSet[2], r.id, r.req)));
  rows.push(["quorum3_first", "quorum k = 3: 1st commitment", g1, null]);
  rows.push(["quorum3_second", "quorum k = 3: 2nd commitment", g2, null]);
  rows.push(["quorum3_settle", "quorum k = 3: 3rd commitment (settles, 3 credits)", g3, null]);
  rows.push(["quorum3_total", "quorum k = 3: total", g1 + g2 + g3, null]);
}
{
  const r = await request(2);
  const g1 = await gasOf(oracle.fulfil({ ...(await item(operatorSet[3], r.id, r.req)), output: "0x" + "33".repeat(32), signature: await signCommitment(operatorSet[3], chainId, oracleAddress, r.id, r.req, "0x" + "33".repeat(32)) }));
  const g2 = await gasOf(oracle.fulfil(await item(operatorSet[0], r.id, r.req)));
  const g3 = await gasOf(oracle.fulfil(await item(operatorSet[1], r.id, r.req)));
  rows.push(["quorum2_conflict_settle", "quorum k = 2 with 1 losing commitment: settling commitment (slash + 5 credits)", g3, null]);
  rows.push(["quorum2_conflict_total", "quorum k = 2 with 1 losing commitment: total", g1 + g2 + g3, null]);
}
{
  const r = await request();
  await ethers.provider.send("evm_increaseTime", [3601]);
  rows.push(["cancel", "cancel (after deadline)", await gasOf(oracle.connect(requester).cancel(r.id, r.req)), null]);
  rows.push(["withdraw", "withdraw", await gasOf(oracle.connect(requester).withdraw()), null]);
}

// Opt-in challenge window (docs/PROTOCOL.md, "Challenge window and two-phase delivery"); EOA requester, no callback.
async function finalityRequest(): Promise<{ id: bigint; req: Request; gas: bigint }> {
  const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
  const tx = await oracle.connect(requester).requestInferenceWithFinality(MODEL_ID, INPUT, 0, deadline, { value: FEE });
  const receipt = (await tx.wait())!;
  const ev = receipt.logs.map((l) => oracle.interface.parseLog(l)).find((e) => e?.name === "InferenceRequested")!;
  return { id: ev.args.requestId, req: toRequest(ev.args.request), gas: receipt.gasUsed };
}
const WRONG = "0x" + "33".repeat(32);
async function wrongItem(op: Signer, id: bigint, req: Request) {
  return { requestId: id, request: req, output: WRONG, runtime: RUNTIME, signature: await signCommitment(op, chainId, oracleAddress, id, req, WRONG) };
}
const bond = await oracle.challengeBond();
const window = await oracle.CHALLENGE_WINDOW();
{
  const r = await finalityRequest();
  rows.push(["finality_request", "requestInferenceWithFinality, 64-byte input", r.gas, null]);
  rows.push(["finality_fulfil_provisional", "fulfil, opted in (provisional: record, no payment)", await gasOf(oracle.connect(relayer).fulfil(await item(operatorSet[0], r.id, r.req))), null]);
  await ethers.provider.send("evm_increaseTime", [Number(window)]);
  rows.push(["finality_finalize", "finalize after the window (credit + final event)", await gasOf(oracle.connect(relayer).finalize(r.id, r.req, OUTPUT)), null]);
}
{
  const r = await finalityRequest();
  await oracle.fulfil(await wrongItem(operatorSet[0], r.id, r.req));
  rows.push(["challenge", "challenge (bond)", await gasOf(oracle.connect(relayer).challenge(r.id, keccak256(OUTPUT), { value: bond })), null]);
  rows.push(["reexecute_first", "reexecute, 1st commitment", await gasOf(oracle.reexecute(await item(operatorSet[1], r.id, r.req))), null]);
  rows.push(["reexecute_deciding", "reexecute, deciding commitment (original wrong: slash + 3 credits)", await gasOf(oracle.reexecute(await item(operatorSet[2], r.id, r.req))), null]);
}
{
  const r = await finalityRequest();
  await oracle.fulfil(await item(operatorSet[1], r.id, r.req)); // operatorSet[3] lost the quorum above
  await oracle.connect(relayer).challenge(r.id, keccak256(WRONG), { value: bond });
  await ethers.provider.send("evm_increaseTime", [Number(await oracle.REEXECUTION_WINDOW())]);
  rows.push(["finality_timeout", "finalize after a round without majority (timeout: 2 credits)", await gasOf(oracle.connect(relayer).finalize(r.id, r.req, OUTPUT)), null]);
}

const fmt = (n: bigint) => n.toLocaleString("en-US");
console.log("| operation | gas | target | met? |\n| --- | ---: | --- | --- |");
for (const [, name, gas, target] of rows) {
  const met = target === null ? "" : gas <= target ? "yes" : "**no**";
  console.log(`| ${name} | ${fmt(gas)} | ${target === null ? "" : "≤ " + fmt(target)} | ${met} |`);
}
if (process.env.OG_BENCH_LINES === "1") for (const [key, , gas] of rows) console.log(`bench: gas.${key} ${gas} gas`);
