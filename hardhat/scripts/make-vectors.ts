// Writes tests/vectors/commitments.json: EIP-712 Commitment and FailureReport digests and signatures under fixed keys,
// plus request hashes. Deterministic (RFC 6979 signatures). Run: `node --import tsx scripts/make-vectors.ts` or
// `hardhat run scripts/make-vectors.ts`. Both the Hardhat and the C# suites check against this file.
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, id, keccak256, toUtf8Bytes, Wallet, ZeroHash } from "ethers";
import {
  COMMITMENT_TYPES,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  FAILURE_TYPES,
  REQUEST_TUPLE,
  RUNTIME_DESCRIPTOR,
  commitmentDigest,
  domain,
  failureDigest,
  failureVote,
  packBatch,
  requestHash,
  signCommitment,
  type Fulfilment,
  type Request,
} from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../../tests/vectors/commitments.json");

// Fixed keys: keccak256(utf8("opengradient-oracle/vector-key/N")).
const keys = [1, 2].map((n) => id(`opengradient-oracle/vector-key/${n}`));
const wallets = keys.map((k) => new Wallet(k));

const oracles = [
  getAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
  getAddress("0x00000000000000000000000000000000000000fe"),
  getAddress("0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF"),
];
const chainIds = [31337n, 1n, 8453n];

const runtimeAlt = "onnxruntime/1.31.1;cpu;opset=17;threads=1x1;seq;round=half-even;v2";
const cases = [
  { requestId: 1n, modelId: keccak256(toUtf8Bytes("model-a")), input: "0x" + "00".repeat(64), output: "0x" + "00".repeat(31) + "2a", runtime: RUNTIME_DESCRIPTOR },
  { requestId: 2n, modelId: keccak256(toUtf8Bytes("model-b")), input: "0x" + "ff".repeat(8), output: "0x" + "ffffffffffffff85", runtime: RUNTIME_DESCRIPTOR },
  { requestId: (1n << 256n) - 1n, modelId: "0x" + "ff".repeat(32), input: "0x01", output: "0x7f", runtime: runtimeAlt },
  { requestId: 0n, modelId: ZeroHash, input: "0x", output: "0x", runtime: "" },
];

async function main() {
  const commitments = [];
  const failureReports = [];
  let i = 0;
  for (const chainId of chainIds) {
    for (const verifyingContract of oracles) {
      const c = cases[i % cases.length];
      const w = wallets[i % wallets.length];
      i++;
      const fields = {
        requestId: c.requestId.toString(),
        modelId: c.modelId,
        inputHash: keccak256(c.input),
        outputHash: keccak256(c.output),
        runtime: keccak256(toUtf8Bytes(c.runtime)),
      };
      const typed = { ...fields, requestId: c.requestId };
      const signature = await w.signTypedData(domain(chainId, verifyingContract), COMMITMENT_TYPES, typed);
      commitments.push({
        chainId: chainId.toString(),
        verifyingContract,
        input: c.input,
        output: c.output,
        runtimeDescriptor: c.runtime,
        fields,
        digest: commitmentDigest(chainId, verifyingContract, typed),
        signature,
        signer: w.address,
      });
      const reason = (i % 10) + 1;
      const ffields = { requestId: fields.requestId, modelId: fields.modelId, inputHash: fields.inputHash, reason, runtime: fields.runtime };
      const ftyped = { ...ffields, requestId: c.requestId };
      failureReports.push({
        chainId: chainId.toString(),
        verifyingContract,
        fields: ffields,
        vote: failureVote(reason),
        digest: failureDigest(chainId, verifyingContract, ftyped),
        signature: await w.signTypedData(domain(chainId, verifyingContract), FAILURE_TYPES, ftyped),
        signer: w.address,
      });
    }
  }
  const requests: { request: Record<string, string>; hash: string }[] = [];
  const samples: Request[] = [
    { requester: wallets[0].address, fee: 10n ** 16n, modelId: cases[0].modelId, inputHash: keccak256(cases[0].input), deadline: 1_800_000_000n, callbackGasLimit: 200_000n, outputBytes: 32n, redundancy: 1n },
    { requester: getAddress("0x" + "ff".repeat(20)), fee: (1n << 96n) - 1n, modelId: "0x" + "ff".repeat(32), inputHash: "0x" + "ee".repeat(32), deadline: (1n << 64n) - 1n, callbackGasLimit: (1n << 32n) - 1n, outputBytes: 4096n, redundancy: 7n },
  ];
  for (const r of samples) {
    requests.push({
      request: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
      hash: requestHash(r),
    });
  }
  // fulfilBatchPacked calldata: the request samples above as items of one batch, and a one-item batch at the edges of
  // the packed widths (requestId 2^64 - 1, an empty output).
  const packedBatches = [];
  const runtime = keccak256(toUtf8Bytes(RUNTIME_DESCRIPTOR));
  const edge: Request = { ...samples[1], outputBytes: 0n, redundancy: 1n };
  const batches: { requestId: bigint; request: Request; output: string }[][] = [
    [
      { requestId: 1n, request: samples[0], output: "0x" + "2a".repeat(32) },
      { requestId: 70_000n, request: { ...samples[0], outputBytes: 3n, callbackGasLimit: 0n }, output: "0x00ff01" },
    ],
    [{ requestId: (1n << 64n) - 1n, request: edge, output: "0x" }],
  ];
  for (const batch of batches) {
    const items: Fulfilment[] = [];
    for (const [n, it] of batch.entries()) {
      const signature = await signCommitment(wallets[n % wallets.length], chainIds[0], oracles[0], it.requestId, it.request, it.output, runtime);
      items.push({ ...it, runtime, signature });
    }
    packedBatches.push({
      chainId: chainIds[0].toString(),
      verifyingContract: oracles[0],
      items: items.map((it) => ({
        requestId: it.requestId.toString(),
        request: Object.fromEntries(Object.entries(it.request).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
        output: it.output,
        runtime: it.runtime,
        signature: it.signature,
      })),
      packed: packBatch(items),
    });
  }
  const file = {
    description:
      "EIP-712 vectors for docs/PROTOCOL.md. Keys: keccak256(utf8('opengradient-oracle/vector-key/N')), N = 1, 2. " +
      "Integers are decimal strings, bytes 0x-hex. runtime = keccak256(utf8(runtimeDescriptor)); inputHash/outputHash = keccak256(input/output). " +
      "requests[].hash = keccak256(abi.encode(Request)). failureReports[].vote = keccak256(abi.encode(\"failure\", reason)). " +
      "packedBatches[].packed = the bytes fulfilBatchPacked takes for items (IInferenceOracle, docs/PROTOCOL.md \"Packed batches\").",
    domain: { name: DOMAIN_NAME, version: DOMAIN_VERSION },
    requestTuple: REQUEST_TUPLE,
    keys: keys.map((k, n) => ({ seed: `opengradient-oracle/vector-key/${n + 1}`, privateKey: k, address: wallets[n].address })),
    commitments,
    failureReports,
    requests,
    packedBatches,
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(file, null, 2) + "\n");
  console.log(`wrote ${commitments.length} commitments, ${failureReports.length} failure reports, ${requests.length} requests, ${packedBatches.length} packed batches to ${out}`);
}

await main();
