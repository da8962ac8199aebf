// The ethers.js 6 side of the Ethereum benchmark: the same operations as EthereumOpsBenchmarks.cs, on the same
// inputs (bench/inputs/ethereum-ops.json), timed here and printed as one JSON object on stdout.
// Run with hardhat/node_modules/.bin/node (ethers is installed there):
//   node bench/js/ethers-ops.mjs [--inputs FILE] [--rounds N] [--round-ms MS]
// Timing: a warm-up of about a second per operation (V8 tiers up), then N rounds of a fixed batch sized to take
// about MS milliseconds; the figures are the median round's wall time and process CPU time per operation.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../hardhat/package.json"));
const ethers = require("ethers");
const { Interface, SigningKey, TypedDataEncoder, concat, getBytes, hexlify, keccak256, recoverAddress } = ethers;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const inputsPath = option("--inputs", path.join(here, "../inputs/ethereum-ops.json"));
const rounds = Number(option("--rounds", "7"));
const roundMs = Number(option("--round-ms", "150"));
const inputs = JSON.parse(readFileSync(inputsPath, "utf8"));

// ---- inputs, converted once (byte fields as Uint8Array, like the byte[] the C# side starts from) ----
const keccakData = inputs.keccakInputs.map(({ name, length }) => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return { name, bytes };
});

const COMMITMENT_TYPES = {
  Commitment: [
    { name: "requestId", type: "uint256" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "runtime", type: "bytes32" },
  ],
};
const domain = {
  name: "OpenGradient InferenceOracle",
  version: "1",
  chainId: BigInt(inputs.domain.chainId),
  verifyingContract: inputs.domain.verifyingContract,
};
const c = inputs.commitment;
const commitment = {
  requestId: BigInt(c.requestId),
  modelId: getBytes(c.modelId),
  inputHash: getBytes(c.inputHash),
  outputHash: getBytes(c.outputHash),
  runtime: getBytes(c.runtime),
};

const oracle = new Interface([
  "function fulfil((uint256 requestId,(address requester,uint96 fee,bytes32 modelId,bytes32 inputHash,uint64 deadline,uint32 callbackGasLimit,uint32 outputBytes,uint8 redundancy) request,bytes output,bytes32 runtime,bytes signature) fulfilment)",
]);
const f = inputs.fulfilment;
const fulfilment = {
  requestId: BigInt(f.requestId),
  request: {
    requester: f.request.requester,
    fee: BigInt(f.request.fee),
    modelId: getBytes(f.request.modelId),
    inputHash: getBytes(f.request.inputHash),
    deadline: BigInt(f.request.deadline),
    callbackGasLimit: BigInt(f.request.callbackGasLimit),
    outputBytes: BigInt(f.request.outputBytes),
    redundancy: BigInt(f.request.redundancy),
  },
  output: getBytes(f.output),
  runtime: getBytes(f.runtime),
  signature: getBytes(f.signature),
};
const calldata = getBytes(oracle.encodeFunctionData("fulfil", [fulfilment]));

// The fastest way to use ethers for a fixed domain and type: encoder and domain separator built once.
const commitmentEncoder = TypedDataEncoder.from(COMMITMENT_TYPES);
const domainSeparator = TypedDataEncoder.hashDomain(domain);
const cachedDigest = () => keccak256(concat(["0x1901", domainSeparator, commitmentEncoder.hash(commitment)]));

const signingKey = new SigningKey(inputs.privateKey);
const digest = getBytes(TypedDataEncoder.hash(domain, COMMITMENT_TYPES, commitment));
// ethers parses a signature only from a hex string or an {r, s, v} object, not from bytes.
const signature = signingKey.sign(digest).serialized;

// ---- the operations: name → one call; names match the C# benchmark methods ----
const operations = {
  ...Object.fromEntries(keccakData.map(({ name, bytes }) => [name, () => keccak256(bytes)])),
  AbiEncodeFulfil: () => oracle.encodeFunctionData("fulfil", [fulfilment]),
  AbiDecodeFulfil: () => oracle.decodeFunctionData("fulfil", calldata),
  Eip712CommitmentDigest: cachedDigest,
  // The one-call API most code uses (lib.ts does): rebuilds the encoder and domain separator on every call.
  Eip712CommitmentDigest_TypedDataEncoderHash: () => TypedDataEncoder.hash(domain, COMMITMENT_TYPES, commitment),
  Secp256k1Sign: () => signingKey.sign(digest),
  Secp256k1Recover: () => recoverAddress(digest, signature),
};

let sink = 0;
function consume(value) {
  sink ^= typeof value === "string" ? value.length : 1;
}

// Wall nanoseconds and process CPU nanoseconds (user + system, all threads: V8's GC helpers count too) for n calls.
function timeBatch(fn, n) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(fn());
  const wall = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) * 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(fn) {
  // Warm-up: about a second, doubling the batch, which also sizes the measured batches.
  let n = 1;
  let spent = 0;
  let perOp = 0;
  while (spent < 1e9) {
    const { wall } = timeBatch(fn, n);
    spent += wall;
    perOp = wall / n;
    if (wall < 50e6) n *= 2;
  }
  const batch = Math.max(1, Math.round((roundMs * 1e6) / perOp));
  const wall = [];
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const t = timeBatch(fn, batch);
    wall.push(t.wall / batch);
    cpu.push(t.cpu / batch);
  }
  const nsPerOp = median(wall);
  return { nsPerOp, opsPerSec: 1e9 / nsPerOp, cpuNsPerOp: median(cpu), batch, rounds, minNsPerOp: Math.min(...wall), maxNsPerOp: Math.max(...wall) };
}

const results = {};
for (const [name, fn] of Object.entries(operations)) results[name] = measure(fn);

// What each operation computed, so the C# side can check both did the same work on the same inputs.
const decoded = oracle.decodeFunctionData("fulfil", calldata)[0];
const vectors = {
  ...Object.fromEntries(keccakData.map(({ name, bytes }) => [name, keccak256(bytes)])),
  AbiEncodeFulfil: keccak256(calldata),
  AbiDecodeFulfil: `${decoded.requestId}:${decoded.request.deadline}:${hexlify(decoded.output)}`,
  Eip712CommitmentDigest: cachedDigest(),
  Eip712CommitmentDigest_TypedDataEncoderHash: hexlify(digest),
  Secp256k1Sign: signature,
  Secp256k1Recover: recoverAddress(digest, signature).toLowerCase(),
};

process.stdout.write(JSON.stringify({ ethers: ethers.version, node: process.version, sink, results, vectors }, null, 2) + "\n");
