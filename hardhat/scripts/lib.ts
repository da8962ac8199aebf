// Shared helpers for tests and scripts: EIP-712 types, request/commitment builders. Pure ethers, no Hardhat.
import { AbiCoder, concat, getBytes, keccak256, solidityPacked, toUtf8Bytes, TypedDataEncoder, type Signer, type TypedDataDomain } from "ethers";

export const DOMAIN_NAME = "OpenGradient InferenceOracle";
export const DOMAIN_VERSION = "1";

export const COMMITMENT_TYPES = {
  Commitment: [
    { name: "requestId", type: "uint256" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "runtime", type: "bytes32" },
  ],
};

export const FAILURE_TYPES = {
  FailureReport: [
    { name: "requestId", type: "uint256" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "reason", type: "uint16" },
    { name: "runtime", type: "bytes32" },
  ],
};

export const REQUEST_TUPLE =
  "tuple(address requester,uint96 fee,bytes32 modelId,bytes32 inputHash,uint64 deadline,uint32 callbackGasLimit,uint32 outputBytes,uint8 redundancy)";

export interface Request {
  requester: string;
  fee: bigint;
  modelId: string;
  inputHash: string;
  deadline: bigint;
  callbackGasLimit: bigint;
  outputBytes: bigint;
  redundancy: bigint;
}

export const RUNTIME_DESCRIPTOR = "onnxruntime/1.31.1;cpu;opset=17;threads=1x1;seq;round=half-even;v1";
export const RUNTIME = keccak256(toUtf8Bytes(RUNTIME_DESCRIPTOR));

export function domain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract };
}

export function requestHash(r: Request): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode([REQUEST_TUPLE], [r]));
}

/** keccak256(abi.encode("failure", reason)): a failure report's vote. */
export function failureVote(reason: number | bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint16"], ["failure", reason]));
}

export function toRequest(r: any): Request {
  return {
    requester: r.requester ?? r[0],
    fee: BigInt(r.fee ?? r[1]),
    modelId: r.modelId ?? r[2],
    inputHash: r.inputHash ?? r[3],
    deadline: BigInt(r.deadline ?? r[4]),
    callbackGasLimit: BigInt(r.callbackGasLimit ?? r[5]),
    outputBytes: BigInt(r.outputBytes ?? r[6]),
    redundancy: BigInt(r.redundancy ?? r[7]),
  };
}

export async function signCommitment(
  signer: Signer,
  chainId: bigint | number,
  oracle: string,
  requestId: bigint,
  request: Request,
  output: string,
  runtime = RUNTIME,
): Promise<string> {
  return signer.signTypedData(domain(chainId, oracle), COMMITMENT_TYPES, {
    requestId,
    modelId: request.modelId,
    inputHash: request.inputHash,
    outputHash: keccak256(output),
    runtime,
  });
}

export async function signFailure(
  signer: Signer,
  chainId: bigint | number,
  oracle: string,
  requestId: bigint,
  request: Request,
  reason: number,
  runtime = RUNTIME,
): Promise<string> {
  return signer.signTypedData(domain(chainId, oracle), FAILURE_TYPES, {
    requestId,
    modelId: request.modelId,
    inputHash: request.inputHash,
    reason,
    runtime,
  });
}

export function commitmentDigest(chainId: bigint | number, oracle: string, v: Record<string, unknown>): string {
  return TypedDataEncoder.hash(domain(chainId, oracle), COMMITMENT_TYPES, v);
}

export function failureDigest(chainId: bigint | number, oracle: string, v: Record<string, unknown>): string {
  return TypedDataEncoder.hash(domain(chainId, oracle), FAILURE_TYPES, v);
}

/** One result of a batch, as `fulfilBatch` takes it. */
export interface Fulfilment {
  requestId: bigint;
  request: Request;
  output: string;
  runtime: string;
  signature: string;
}

/**
 * The packed encoding `fulfilBatchPacked` takes (IInferenceOracle, docs/PROTOCOL.md "Packed batches"): the runtime
 * the items share, then each item unpadded. Throws if the items' runtimes differ or an output's length is not its
 * request's outputBytes.
 */
export function packBatch(items: Fulfilment[]): string {
  if (items.length === 0) throw new Error("a packed batch needs at least one item (for its runtime)");
  const runtime = items[0].runtime;
  const parts: string[] = [runtime];
  for (const it of items) {
    if (it.runtime !== runtime) throw new Error(`item ${it.requestId} has runtime ${it.runtime}, the batch ${runtime}`);
    const r = it.request;
    // The packed item carries no output length: it is the request's outputBytes.
    if (getBytes(it.output).length !== Number(r.outputBytes)) throw new Error(`item ${it.requestId}: output length differs from outputBytes`);
    parts.push(solidityPacked(
      ["uint64", "address", "uint96", "bytes32", "bytes32", "uint64", "uint32", "uint32", "uint8", "bytes", "bytes"],
      [it.requestId, r.requester, r.fee, r.modelId, r.inputHash, r.deadline, r.callbackGasLimit, r.outputBytes, r.redundancy, it.output, it.signature],
    ));
  }
  return concat(parts.map((p) => getBytes(p)));
}
